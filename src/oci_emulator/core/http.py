"""Transport-neutral request and response values passed between the server, the app and the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from oci_emulator.core.errors import ApiError, CannotParseRequest, MissingParameter

JSON = "application/json"


@dataclass
class Request:
    method: str
    raw_path: str  # path + query exactly as sent (what the signature covers)
    path: str  # normalised path without the query
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    service: str = ""
    region: str = ""
    params: dict[str, str] = field(default_factory=dict)
    operation: str = ""
    detail: str | None = None  # what a handler asks the journal to keep (the chat prompt)

    def json(self) -> Any:
        try:
            return orjson.loads(self.body or b"null")
        except orjson.JSONDecodeError as exc:
            raise CannotParseRequest(f"The request body is not valid JSON: {exc}") from exc

    def required(self, name: str) -> str:
        value = self.query.get(name)
        if not value:
            raise MissingParameter(f"Missing required query parameter {name}")
        return value

    def flag(self, name: str) -> bool:
        return self.query.get(name, "false").lower() == "true"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON
    items: int = 0  # number of items returned (drives per-item latency)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None, items: int = 0) -> Response:
    return Response(status, orjson.dumps(data), headers or {}, JSON, items)


def error_response(error: ApiError) -> Response:
    body = orjson.dumps({"code": error.code, "message": error.message})
    return Response(error.status, body, dict(error.headers))
