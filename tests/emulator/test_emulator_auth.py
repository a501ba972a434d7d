"""Every auth flow the SDK supports offline, signed for real and verified by the emulator."""

from __future__ import annotations

import email.utils
import http.client
import pathlib
import time
from typing import Any

import jwt
import oci
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oci._vendor import requests as vendored_requests

from oci_emulator import Emulator


def _raw(emu: Emulator, signer: Any, method: str, path: str, body: bytes = b"", **headers: str) -> tuple[int, Any]:
    """Sign with the SDK's signer, then send with http.client so the request can be tampered with."""
    url = emu.base_url + path
    prepared = vendored_requests.Request(method, url, data=body or None, headers=headers).prepare()
    signer(prepared)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=dict(prepared.headers))
        resp = conn.getresponse()
        return resp.status, orjson.loads(resp.read())
    finally:
        conn.close()


def _api_signer(config: dict[str, Any]) -> Any:
    return oci.signer.Signer.from_config(config)


def test_api_key_profile(identity: Any, config: dict[str, Any]) -> None:
    assert identity.get_tenancy(config["tenancy"]).data.id == config["tenancy"]


def test_wrong_key_is_401(emu: Emulator, config_path: pathlib.Path, make_client: Any) -> None:
    cfg = oci.config.from_file(str(config_path), "WRONGKEY")
    c = make_client(emu, oci.identity.IdentityClient, "identity", cfg)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        c.list_regions()
    assert (err.value.status, err.value.code) == (401, "NotAuthenticated")


def test_encrypted_key_with_passphrase(emu: Emulator, config_path: pathlib.Path, make_client: Any) -> None:
    cfg = oci.config.from_file(str(config_path), "ENCRYPTED")
    c = make_client(emu, oci.identity.IdentityClient, "identity", cfg)
    assert c.get_tenancy(cfg["tenancy"]).data.id == cfg["tenancy"]
    with pytest.raises(oci.exceptions.InvalidPrivateKey):
        oci.identity.IdentityClient({**cfg, "pass_phrase": "wrong"}, service_endpoint=emu.endpoint("identity"))


def test_session_token_signer(emu: Emulator, config_path: pathlib.Path, make_client: Any) -> None:
    cfg = oci.config.from_file(str(config_path), "SESSION")
    token = pathlib.Path(cfg["security_token_file"]).read_text().strip()
    signer = oci.auth.signers.SecurityTokenSigner(token, oci.signer.load_private_key_from_file(cfg["key_file"]))
    c = make_client(emu, oci.identity.IdentityClient, "identity", cfg, signer=signer)
    assert c.get_tenancy(cfg["tenancy"]).data.id == cfg["tenancy"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = oci.auth.signers.SecurityTokenSigner(token, other)  # token's jwk is not the signing key
    c_bad = make_client(emu, oci.identity.IdentityClient, "identity", cfg, signer=bad)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        c_bad.list_regions()
    assert err.value.status == 401


def test_minted_session_token_for_any_key(emu: Emulator, config: dict[str, Any], make_client: Any) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    token = emu.mint_session_token(pem)
    assert "jwk" in jwt.decode(token, options={"verify_signature": False})
    signer = oci.auth.signers.SecurityTokenSigner(token, key)
    c = make_client(emu, oci.identity.IdentityClient, "identity", config, signer=signer)
    assert c.list_regions().data


def test_token_not_minted_by_emulator_is_401(emu: Emulator, config: dict[str, Any], make_client: Any) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"exp": int(time.time()) + 600, "jwk": jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)},
        key,
        algorithm="RS256",
    )
    c = make_client(
        emu, oci.identity.IdentityClient, "identity", config, signer=oci.auth.signers.SecurityTokenSigner(forged, key)
    )
    with pytest.raises(oci.exceptions.ServiceError) as err:
        c.list_regions()
    assert (err.value.status, err.value.code) == (401, "NotAuthenticated")


def test_resource_principal_v22(emu: Emulator, monkeypatch: pytest.MonkeyPatch, make_client: Any) -> None:
    for name, value in emu.resource_principal_env().items():
        monkeypatch.setenv(name, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    assert signer.tenancy_id == emu.model.tenancy_id
    c = make_client(emu, oci.resource_search.ResourceSearchClient, "query", {}, signer=signer)
    items = c.search_resources(oci.resource_search.models.StructuredSearchDetails(query="query all resources")).data
    assert items.items


def test_instance_principal(emu: Emulator, monkeypatch: pytest.MonkeyPatch, make_client: Any) -> None:
    monkeypatch.setenv("OCI_METADATA_BASE_URL", emu.metadata_base_url)
    emu.journal.clear()
    signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner(
        federation_endpoint=emu.federation_endpoint, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    assert signer.tenancy_id == emu.model.tenancy_id and signer.region == emu.model.home_region
    c = make_client(emu, oci.identity.IdentityClient, "identity", {}, signer=signer)
    assert c.get_tenancy(emu.model.tenancy_id).data.id == emu.model.tenancy_id
    ops = [e.operation for e in emu.journal.entries()]
    assert "X509FederationToken" in ops and "GetInstanceCertificate" in ops and ops[-1] == "GetTenancy"
    claims = jwt.decode(signer.federation_client.get_security_token(), options={"verify_signature": False})
    assert claims["res_tenant"] == emu.model.tenancy_id and claims["exp"] - time.time() > 3000


def test_delegation_token_signer(
    emu: Emulator, config_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, make_client: Any
) -> None:
    monkeypatch.setenv("OCI_METADATA_BASE_URL", emu.metadata_base_url)
    cfg = oci.config.from_file(str(config_path), "DELEGATION")
    token = pathlib.Path(cfg["delegation_token_file"]).read_text().strip()
    signer = oci.auth.signers.InstancePrincipalsDelegationTokenSigner(
        delegation_token=token,
        federation_endpoint=emu.federation_endpoint,
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )
    c = make_client(emu, oci.identity.IdentityClient, "identity", {}, signer=signer)
    assert c.list_regions().data
    forged = oci.auth.signers.InstancePrincipalsDelegationTokenSigner(
        delegation_token="not-a-jwt", federation_endpoint=emu.federation_endpoint,
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )  # fmt: skip
    c_bad = make_client(emu, oci.identity.IdentityClient, "identity", {}, signer=forged)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        c_bad.list_regions()
    assert err.value.status == 401


def test_imds_requires_bearer_oracle(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    conn.request("GET", "/opc/v2/instance/region")
    assert conn.getresponse().status == 401
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    conn.request("GET", "/opc/v2/instance/", headers={"Authorization": "Bearer Oracle"})
    resp = conn.getresponse()
    body = orjson.loads(resp.read())
    assert resp.status == 200 and body["tenantId"] == emu.model.tenancy_id and body["region"] == "us-ashburn-1"
    conn.close()


def test_signed_raw_request_passes(emu: Emulator, config: dict[str, Any]) -> None:
    status, body = _raw(emu, _api_signer(config), "GET", "/identity/us-ashburn-1/20160918/regions")
    assert status == 200 and body


def test_clock_skew_is_401(emu: Emulator, config: dict[str, Any]) -> None:
    old = email.utils.formatdate(time.time() - 600, usegmt=True)
    status, body = _raw(emu, _api_signer(config), "GET", "/identity/us-ashburn-1/20160918/regions", date=old)
    assert status == 401 and body["code"] == "NotAuthenticated" and "skew" in body["message"]


def test_missing_authorization_is_401(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    conn.request("GET", "/identity/us-ashburn-1/20160918/regions")
    resp = conn.getresponse()
    assert resp.status == 401 and orjson.loads(resp.read())["code"] == "NotAuthenticated"
    conn.close()


def test_body_digest_mismatch_is_401(emu: Emulator, config: dict[str, Any]) -> None:
    path = "/query/us-ashburn-1/20180409/resources"
    body = b'{"type": "Structured", "query": "query all resources"}'
    status, _ = _raw(emu, _api_signer(config), "POST", path, body, **{"content-type": "application/json"})
    assert status == 200
    url = emu.base_url + path
    prepared = vendored_requests.Request("POST", url, data=body, headers={"content-type": "application/json"}).prepare()
    _api_signer(config)(prepared)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    tampered = body.replace(b"all", b"instance")
    headers = {**dict(prepared.headers), "content-length": str(len(tampered))}
    conn.request("POST", path, body=tampered, headers=headers)
    assert conn.getresponse().status == 401
    conn.close()
