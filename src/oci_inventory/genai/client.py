"""The one GenAI call: ``GenerativeAiInferenceClient.chat`` in on-demand serving mode, GENERIC or COHERE format.

The client comes from the run's :class:`~oci_inventory.oci.clients.ClientFactory` (same signer, retry policy,
timeouts and ``--endpoint-template``); a configured ``endpoint`` replaces the regional endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oci_inventory.genai.config import GenAiConfig
from oci_inventory.genai.prompt import Prompt

if TYPE_CHECKING:
    from oci_inventory.oci.clients import ClientFactory


@dataclass(frozen=True)
class ChatAnswer:
    model: str
    text: str


def chat_details(config: GenAiConfig, prompt: Prompt, compartment_id: str) -> Any:
    """The SDK's ``ChatDetails`` for ``prompt``: COHERE (preamble + message) or GENERIC (system + user messages)."""
    from oci.generative_ai_inference import models

    request: Any
    if config.chat_format == "COHERE":
        request = models.CohereChatRequest(
            message=prompt.user,
            preamble_override=prompt.system,
            max_tokens=config.max_tokens,
            temperature=config.temperature,
            is_stream=False,
        )
    else:
        request = models.GenericChatRequest(
            messages=[
                models.SystemMessage(content=[models.TextContent(text=prompt.system)]),
                models.UserMessage(content=[models.TextContent(text=prompt.user)]),
            ],
            max_tokens=config.max_tokens,
            temperature=config.temperature,
            is_stream=False,
        )
    return models.ChatDetails(
        compartment_id=compartment_id,
        serving_mode=models.OnDemandServingMode(model_id=config.model_id),
        chat_request=request,
    )


def answer_text(result: Any) -> str:
    """The text of a ``ChatResult`` (COHERE: ``text``; GENERIC: the first choice's text contents)."""
    response = getattr(result, "chat_response", None)
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text
    parts: list[str] = []
    for choice in getattr(response, "choices", None) or []:
        message = getattr(choice, "message", None)
        for content in getattr(message, "content", None) or []:
            value = getattr(content, "text", None)
            if isinstance(value, str):
                parts.append(value)
        if parts:
            break
    return "".join(parts)


def chat(factory: ClientFactory, config: GenAiConfig, prompt: Prompt) -> ChatAnswer:
    """Send ``prompt``; raises the SDK's errors (the caller decides whether a failure is fatal)."""
    region = config.region or factory.home_region
    client = factory.genai_inference(region, endpoint=config.endpoint)
    compartment = config.compartment_id or factory.auth.tenancy_id
    result = client.chat(chat_details(config, prompt, compartment)).data
    text = answer_text(result).strip()
    if not text:
        raise ValueError("the model answered with no text")
    return ChatAnswer(str(getattr(result, "model_id", None) or config.model_id), text)
