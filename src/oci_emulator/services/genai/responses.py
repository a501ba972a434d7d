"""Chat: parse ChatDetails, answer a ``ChatResult`` in the request's format (GENERIC or COHERE)."""

from __future__ import annotations

from datetime import UTC, datetime

from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.services.genai.models import ChatBackend


class ChatResponses:
    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend

    def chat(self, req: Request) -> Response:
        turn = self.backend.parse(req.json())
        req.detail = turn.prompt  # journaled: what a model would have read
        text = self.backend.answer(turn)
        response: dict[str, object]
        if turn.api_format == "COHERE":
            response = {"apiFormat": "COHERE", "text": text, "finishReason": "COMPLETE", "chatHistory": []}
        else:
            now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}
            response = {
                "apiFormat": "GENERIC",
                "timeCreated": now,
                "choices": [{"index": 0, "message": message, "finishReason": "stop"}],
            }
        return json_response({"modelId": turn.model_id, "modelVersion": "1.0", "chatResponse": response})
