"""One paginator for every list: ``limit``/``page`` in, a page of items and an opaque next token out.

Tokens are ``base64url(offset:scope-digest:mac)``: an HMAC with a per-emulator secret makes them opaque and
tamper-evident, and the scope digest ties them to the operation and query they were issued for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import TypeVar

from oci_emulator.core.errors import InvalidParameter

T = TypeVar("T")
MAX_LIMIT = 1000


def parse_limit(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError as exc:
        raise InvalidParameter(f"limit must be an integer, got {raw!r}") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


class Paginator:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, offset: int, scope: str) -> str:
        return hmac.new(self._secret, f"{offset}|{scope}".encode(), hashlib.sha256).hexdigest()[:24]

    def token(self, offset: int, scope: str) -> str:
        digest = hashlib.sha256(scope.encode()).hexdigest()[:12]
        raw = f"{offset}:{digest}:{self._mac(offset, scope)}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def offset(self, token: str, scope: str) -> int:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            offset_s, _digest, mac = raw.split(":")
            offset = int(offset_s)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise InvalidParameter(f"Invalid page token {token!r}") from exc
        if offset < 0 or not hmac.compare_digest(mac, self._mac(offset, scope)):
            raise InvalidParameter(f"Invalid page token {token!r} for this request")
        return offset

    def page(
        self, items: Sequence[T], limit_raw: str | None, page_raw: str | None, scope: str, default_limit: int
    ) -> tuple[Sequence[T], str | None]:
        limit = parse_limit(limit_raw, default_limit)
        start = self.offset(page_raw, scope) if page_raw else 0
        end = start + limit
        next_token = self.token(end, scope) if end < len(items) else None
        return items[start:end], next_token
