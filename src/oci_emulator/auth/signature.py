"""Verification of OCI HTTP request signatures (draft-cavage-http-signatures-08, rsa-sha256)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from oci_emulator.auth.tokens import TokenAuthority, TokenError

MAX_SKEW_S = 300.0
_PARAM = re.compile(r'(\w+)="([^"]*)"')
_BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))


class AuthError(Exception):
    """Any authentication failure; served as 401 NotAuthenticated."""


@dataclass(frozen=True)
class Principal:
    kind: str  # "api_key" | "token" | "x509"
    key_id: str
    claims: dict[str, Any] = field(default_factory=dict)
    obo_claims: dict[str, Any] | None = None


def parse_authorization(value: str) -> dict[str, str]:
    if not value.startswith("Signature "):
        raise AuthError("The Authorization header is not an OCI request signature")
    params = dict(_PARAM.findall(value[10:]))
    for required in ("keyId", "signature", "headers", "algorithm"):
        if required not in params:
            raise AuthError(f"The Authorization header has no {required}")
    if params["algorithm"] != "rsa-sha256":
        raise AuthError(f"Unsupported signature algorithm {params['algorithm']}")
    return params


_DATE_CACHE: dict[str, float] = {}


def _timestamp(date: str) -> float:
    ts = _DATE_CACHE.get(date)
    if ts is None:
        try:
            ts = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError) as exc:
            raise AuthError(f"Cannot parse the date header {date!r}") from exc
        if len(_DATE_CACHE) > 10_000:
            _DATE_CACHE.clear()
        _DATE_CACHE[date] = ts
    return ts


def signing_string(method: str, raw_path: str, headers: Mapping[str, str], names: list[str]) -> bytes:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {raw_path}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise AuthError(f"The signed header {name} is missing from the request")
    return "\n".join(lines).encode("utf-8")


def check_signature(
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    body: bytes,
    params: dict[str, str],
    key: rsa.RSAPublicKey,
    require_host: bool = True,
) -> None:
    """Check signed-header coverage, body digest, clock skew and the RSA signature; raise AuthError."""
    names = params["headers"].lower().split()
    needed = ["(request-target)"] + (["host"] if require_host else [])
    if method in _BODY_METHODS:
        needed += ["content-length", "x-content-sha256"]
    missing = [n for n in needed if n not in names]
    if "date" not in names and "x-date" not in names:
        missing.append("date")
    if missing:
        raise AuthError(f"Required headers not signed: {', '.join(missing)}")
    if "x-content-sha256" in names:
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        if headers.get("x-content-sha256") != digest:
            raise AuthError("x-content-sha256 does not match the request body")
    date = headers.get("x-date") or headers.get("date")
    if date is None:
        raise AuthError("The date header is missing")
    if abs(time.time() - _timestamp(date)) > MAX_SKEW_S:
        raise AuthError("The request date is more than 5 minutes away from the server clock (clock skew)")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except binascii.Error as exc:
        raise AuthError("The signature is not valid base64") from exc
    try:
        key.verify(signature, signing_string(method, raw_path, headers, names), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise AuthError("The request signature does not verify") from exc


class SignatureVerifier:
    """Verifies service requests signed with an API key (registered keyId) or an emulator-minted token."""

    def __init__(self, tokens: TokenAuthority, api_key_lookup: Callable[[str], rsa.RSAPublicKey | None]) -> None:
        self.tokens = tokens
        self.api_key_lookup = api_key_lookup

    def verify(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Principal:
        value = headers.get("authorization")
        if not value:
            raise AuthError("The required information to complete authentication was not provided")
        params = parse_authorization(value)
        key_id = params["keyId"]
        claims: dict[str, Any] = {}
        if key_id.startswith("ST$"):
            try:
                claims, key = self.tokens.verify(key_id[3:])
            except TokenError as exc:
                raise AuthError(f"Invalid security token: {exc}") from exc
            if key is None:
                raise AuthError("The security token carries no jwk")
            kind = "token"
        else:
            found = self.api_key_lookup(key_id)
            if found is None:
                raise AuthError(f"Unknown keyId {key_id}")
            key, kind = found, "api_key"
        check_signature(method, raw_path, headers, body, params, key)
        obo_claims = None
        obo = headers.get("opc-obo-token")
        if obo is not None:
            try:
                obo_claims, _ = self.tokens.verify(obo)
            except TokenError as exc:
                raise AuthError(f"Invalid opc-obo-token: {exc}") from exc
        return Principal(kind, key_id if kind == "api_key" else "ST$", claims, obo_claims)
