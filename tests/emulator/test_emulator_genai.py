"""The emulated Generative AI chat action, driven by the real SDK (signed requests, both chat formats)."""

from __future__ import annotations

from typing import Any

import oci
import pytest
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

from oci_emulator import Emulator


def _details(emu: Emulator, model_id: str, request: Any, compartment: str | None = None) -> Any:
    return m.ChatDetails(
        compartment_id=compartment or emu.model.tenancy_id,
        serving_mode=m.OnDemandServingMode(model_id=model_id),
        chat_request=request,
    )


@pytest.fixture
def client(fresh_emu: Emulator, make_client: Any, tmp_path: Any) -> Any:
    config = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)), "DEFAULT")
    return make_client(fresh_emu, GenerativeAiInferenceClient, "inference.generativeai", config)


def test_generic_chat_answers_deterministically_and_journals_the_prompt(fresh_emu: Emulator, client: Any) -> None:
    request = m.GenericChatRequest(
        messages=[
            m.SystemMessage(content=[m.TextContent(text="be brief")]),
            m.UserMessage(content=[m.TextContent(text="summarise <instance-1> in <tenancy>")]),
        ],
        max_tokens=100,
    )
    first = client.chat(_details(fresh_emu, "meta.llama-3.3-70b-instruct", request)).data
    second = client.chat(_details(fresh_emu, "meta.llama-3.3-70b-instruct", request)).data
    text = first.chat_response.choices[0].message.content[0].text
    assert first.model_id == "meta.llama-3.3-70b-instruct" and first.chat_response.api_format == "GENERIC"
    assert "<instance-1>, <tenancy>" in text and "summarise <instance-1> in <tenancy>" in text  # echoes what it got
    assert text == second.chat_response.choices[0].message.content[0].text
    chats = [e for e in fresh_emu.journal.entries() if e.operation == "Chat"]
    assert [e.status for e in chats] == [200, 200] and chats[0].service == "inference.generativeai"
    assert chats[0].detail == "[system]\nbe brief\n\n[user]\nsummarise <instance-1> in <tenancy>\n"
    assert fresh_emu.model.tenancy_id not in (chats[0].detail or ""), "the compartment is not part of the prompt"


def test_cohere_chat(fresh_emu: Emulator, client: Any) -> None:
    request = m.CohereChatRequest(message="hello", preamble_override="sys", max_tokens=50)
    result = client.chat(_details(fresh_emu, "cohere.command-r-plus-08-2024", request)).data
    assert result.chat_response.api_format == "COHERE" and "hello" in result.chat_response.text


@pytest.mark.parametrize(
    ("model_id", "request_kind", "compartment", "status"),
    [
        ("unknown.model", "generic", None, 404),
        ("cohere.command-r-plus-08-2024", "generic", None, 400),  # a Cohere model takes COHERE requests
        ("meta.llama-3.3-70b-instruct", "generic", "ocid1.compartment.oc1..notthere", 404),
    ],
)
def test_requests_oci_would_refuse(
    fresh_emu: Emulator, client: Any, model_id: str, request_kind: str, compartment: str | None, status: int
) -> None:
    request = m.GenericChatRequest(messages=[m.UserMessage(content=[m.TextContent(text="x")])])
    with pytest.raises(oci.exceptions.ServiceError) as err:
        client.chat(_details(fresh_emu, model_id, request, compartment))
    assert err.value.status == status


def test_unsigned_requests_are_refused(fresh_emu: Emulator) -> None:
    import urllib.error
    import urllib.request

    url = fresh_emu.endpoint("inference.generativeai") + "/20231130/actions/chat"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"))
    assert err.value.code == 401
