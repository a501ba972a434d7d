"""Instance identity and X.509 federation: checks the federation request and mints the session token."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from oci_emulator.auth.certs import InstanceIdentity
from oci_emulator.auth.signature import AuthError, check_signature, parse_authorization
from oci_emulator.auth.tokens import TokenAuthority
from oci_emulator.core.errors import InvalidParameter
from oci_emulator.model.tenancy import TenancyModel

TOKEN_TTL_S = 3600


class MetadataBackend:
    def __init__(self, model: Callable[[], TenancyModel], identity: InstanceIdentity, tokens: TokenAuthority) -> None:
        self._model = model
        self.identity = identity
        self.tokens = tokens

    @property
    def model(self) -> TenancyModel:
        return self._model()

    def instance(self) -> dict[str, Any]:
        model = self.model
        return {
            "id": model.instance_id,
            "displayName": "emulated-instance",
            "compartmentId": model.tenancy_id,
            "tenantId": model.tenancy_id,
            "region": model.home_region,
            "canonicalRegionName": model.home_region,
            "availabilityDomain": f"Uocm:{model.home_region.upper().rsplit('-', 1)[0]}-AD-1",
            "shape": "VM.Standard.E4.Flex",
            "state": "Running",
        }

    def federate(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes, payload: Any) -> str:
        """Verify a federation request signed with the leaf key and return a session token for its publicKey."""
        params = parse_authorization(headers.get("authorization") or "")
        expected = f"{self.model.tenancy_id}/fed-x509/{self.identity.leaf_sha1}"
        if params["keyId"] != expected:
            raise AuthError(f"Unknown federation keyId {params['keyId']}")
        check_signature(method, raw_path, headers, body, params, self.identity.leaf_key.public, require_host=False)
        if not isinstance(payload, dict) or "publicKey" not in payload or "certificate" not in payload:
            raise InvalidParameter("The body needs certificate and publicKey")
        if payload["certificate"] != self.identity.leaf_der_b64:
            raise AuthError("The certificate was not issued by this emulator's metadata service")
        try:
            key = load_der_public_key(base64.b64decode(payload["publicKey"]))
        except (binascii.Error, ValueError) as exc:
            raise InvalidParameter("publicKey is not a base64 DER SubjectPublicKeyInfo") from exc
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidParameter("publicKey must be an RSA key")
        model = self.model
        return self.tokens.mint(
            "x509",
            TOKEN_TTL_S,
            key,
            sub=model.instance_id,
            res_type="instance",
            res_id=model.instance_id,
            res_compartment=model.tenancy_id,
            opc_instance=model.instance_id,
            purpose=payload.get("purpose") or "DEFAULT",
        )
