"""JWTs minted by the emulator (session, instance/resource principal, delegation) and their verification."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from oci_emulator.auth.keys import KeyPair


class TokenError(Exception):
    """A token was not minted by this emulator, is expired or lacks a claim."""


def jwk_of(key: rsa.RSAPublicKey) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
    jwk.update(kid="emulator", use="sig", alg="RS256")
    return jwk


class TokenAuthority:
    """Mints RS256 JWTs with the emulator's signing key and verifies them (results cached per token)."""

    ISSUER = "oci-emulator"

    def __init__(self, signing: KeyPair, tenancy_id: str) -> None:
        self._private = signing.private
        self._public = signing.public
        self.tenancy_id = tenancy_id
        self._cache: dict[str, tuple[dict[str, Any], rsa.RSAPublicKey | None]] = {}
        self._lock = threading.Lock()

    def mint(self, ttype: str, ttl_s: int, public_key: rsa.RSAPublicKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.ISSUER,
            "aud": "oci",
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + ttl_s,
            "ttype": ttype,
            "tenant": self.tenancy_id,
            "res_tenant": self.tenancy_id,
            **claims,
        }
        if public_key is not None:
            body["jwk"] = jwk_of(public_key)
        return jwt.encode(body, self._private, algorithm="RS256")

    def verify(self, token: str) -> tuple[dict[str, Any], rsa.RSAPublicKey | None]:
        """Claims and the embedded ``jwk`` key (None if absent); raises TokenError."""
        hit = self._cache.get(token)
        if hit is None:
            try:
                claims = jwt.decode(
                    token, self._public, algorithms=["RS256"], audience="oci", issuer=self.ISSUER, leeway=0
                )
            except jwt.PyJWTError as exc:
                raise TokenError(str(exc)) from exc
            key = None
            if "jwk" in claims:
                loaded = jwt.algorithms.RSAAlgorithm.from_jwk(claims["jwk"])
                if not isinstance(loaded, rsa.RSAPublicKey):
                    raise TokenError("jwk is not an RSA public key")
                key = loaded
            hit = (claims, key)
            with self._lock:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache[token] = hit
        claims, key = hit
        if claims["exp"] < time.time():
            raise TokenError("token expired")
        return hit
