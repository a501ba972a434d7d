"""RSA key material of an emulator: generated once per process and seed, shared by every Emulator."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PASSPHRASE = "emulator-passphrase"
ROLES = ("signing", "api", "wrong", "encrypted", "session", "instance", "rp")


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey

    @property
    def public(self) -> rsa.RSAPublicKey:
        return self.private.public_key()

    def private_pem(self, passphrase: str | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
        )
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption
        )

    def public_pem(self) -> bytes:
        return public_pem(self.public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def public_der(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: rsa.RSAPublicKey) -> str:
    """OCI API-key fingerprint: lower-case colon hex of the MD5 of the DER SubjectPublicKeyInfo."""
    return ":".join(f"{b:02x}" for b in hashlib.md5(public_der(key)).digest())


def spki_b64(key: rsa.RSAPublicKey) -> str:
    return base64.b64encode(public_der(key)).decode("ascii")


_CACHE: dict[int, dict[str, KeyPair]] = {}
_LOCK = threading.Lock()


def keyring(seed: int) -> dict[str, KeyPair]:
    """The key pairs (one per role in ROLES) for a seed; generated on first use, then cached."""
    with _LOCK:
        ring = _CACHE.get(seed)
        if ring is None:
            ring = {role: KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048)) for role in ROLES}
            _CACHE[seed] = ring
        return ring
