"""The chat backend: a small catalogue of on-demand models, request checks like OCI's, and answers that echo.

An answer is deterministic: it names the model and format, counts what was received, and echoes the user's
message (so a test can see placeholders come back and be restored). Every prompt the service accepts is kept as
the journal entry's ``detail`` (system and user text only: never the compartment or any header).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oci_emulator.core.errors import InvalidParameter, NotAuthorizedOrNotFound
from oci_emulator.model.tenancy import TenancyModel

#: On-demand models and the chat format each speaks (a subset of OCI's catalogue).
MODELS: dict[str, str] = {
    "cohere.command-r-plus-08-2024": "COHERE",
    "cohere.command-r-08-2024": "COHERE",
    "cohere.command-a-03-2025": "COHERE",
    "meta.llama-3.3-70b-instruct": "GENERIC",
    "meta.llama-3.1-405b-instruct": "GENERIC",
    "xai.grok-3": "GENERIC",
}
ECHO_LIMIT = 1500
_PLACEHOLDER = re.compile(r"<(?:tenancy|[a-z][a-z0-9_-]*-\d+)>")


@dataclass(frozen=True)
class ChatTurn:
    model_id: str
    api_format: str
    system: str
    user: str

    @property
    def prompt(self) -> str:
        return f"[system]\n{self.system}\n\n[user]\n{self.user}\n"


def _texts(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for item in content or []:
        if isinstance(item, dict) and item.get("type") == "TEXT" and isinstance(item.get("text"), str):
            parts.append(item["text"])
    return "".join(parts)


class ChatBackend:
    def __init__(self, model: Callable[[], TenancyModel]) -> None:
        self._model = model

    def parse(self, details: Any) -> ChatTurn:
        if not isinstance(details, dict):
            raise InvalidParameter("The request body must be a ChatDetails object")
        compartment = details.get("compartmentId")
        tenancy = self._model()
        known = compartment == tenancy.tenancy_id or compartment in tenancy.compartment_index()
        if not isinstance(compartment, str) or not known:
            raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: {compartment}")
        serving = details.get("servingMode") or {}
        if serving.get("servingType") != "ON_DEMAND":
            raise InvalidParameter("Only ON_DEMAND serving mode is available in this emulator")
        model_id = serving.get("modelId")
        expected = MODELS.get(str(model_id))
        if expected is None:
            raise NotAuthorizedOrNotFound(f"Entity with key {model_id} not found")
        request = details.get("chatRequest") or {}
        api_format = request.get("apiFormat")
        if api_format != expected:
            raise InvalidParameter(f"Model {model_id} expects apiFormat {expected}, got {api_format}")
        if api_format == "COHERE":
            user = request.get("message")
            if not isinstance(user, str) or not user:
                raise InvalidParameter("CohereChatRequest.message is required")
            return ChatTurn(str(model_id), api_format, str(request.get("preambleOverride") or ""), user)
        messages = request.get("messages")
        if not isinstance(messages, list) or not messages:
            raise InvalidParameter("GenericChatRequest.messages is required")
        system = "\n".join(
            _texts(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "SYSTEM"
        )
        user = "\n".join(_texts(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "USER")
        if not user:
            raise InvalidParameter("GenericChatRequest.messages needs a USER message")
        return ChatTurn(str(model_id), api_format, system, user)

    @staticmethod
    def answer(turn: ChatTurn) -> str:
        digest = hashlib.sha256(turn.prompt.encode()).hexdigest()[:12]
        half = ECHO_LIMIT // 2  # the start (the digest) and the end (the task or question) of a long message
        echo = turn.user if len(turn.user) <= ECHO_LIMIT else f"{turn.user[:half]}\n…\n{turn.user[-half:]}"
        seen = list(dict.fromkeys(_PLACEHOLDER.findall(turn.user)))
        return (
            f"Emulated summary by {turn.model_id} ({turn.api_format}): received {len(turn.system)} system and "
            f"{len(turn.user)} user characters (sha256 {digest}).\n\n"
            f"Placeholders received: {', '.join(seen) or 'none'}.\n\nEcho of the request:\n{echo}"
        )
