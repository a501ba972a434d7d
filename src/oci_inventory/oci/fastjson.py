"""JSON bodies of raw clients decoded with orjson instead of the standard library.

A raw client (``skip_deserialization``; Resource Search pages, listings read as wire dicts) returns the
decoded JSON body unchanged, so the only work the SDK does per response is ``json.loads``: for a Search page of
1,000 items that is about 15 % of a large run's CPU. orjson decodes the same bytes to the same objects several
times faster. This sets an instance attribute on the client's own ``BaseClient`` (the SDK class is untouched;
clients with SDK models keep the SDK's path), and keeps the SDK's semantics: strict JSON (no raw control
characters, as the SDK's default), a body that is not JSON is returned as text, a ``str`` response type keeps
the text unless the JSON is itself a string; with ``allow_control_chars`` the SDK's own decoder runs.
"""

from __future__ import annotations

from typing import Any

import orjson


def use_orjson(base_client: Any) -> None:
    """Make ``base_client`` (``client.base_client`` of a client built with ``skip_deserialization=True``) decode
    response bodies with orjson."""
    sdk_decode = base_client.deserialize_response_data

    def deserialize_response_data(response_data: bytes, response_type: str, allow_control_chars: Any = None) -> Any:
        if not base_client.skip_deserialization or base_client.should_allow_control_chars(allow_control_chars):
            return sdk_decode(response_data, response_type, allow_control_chars)
        try:
            data = orjson.loads(response_data)
        except orjson.JSONDecodeError:
            return response_data.decode("utf8")
        if response_type != "str" or isinstance(data, str):
            return data
        return response_data.decode("utf8")

    base_client.deserialize_response_data = deserialize_response_data
