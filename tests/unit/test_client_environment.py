"""Clients read the proxy and CA-bundle environment once, when made (``pin_environment``), not on every call."""

from __future__ import annotations

import pytest
from oci._vendor import requests

from oci_inventory.oci.clients import pin_environment

ENDPOINT = "https://iaas.us-ashburn-1.oraclecloud.com"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
                 "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_proxy_and_ca_bundle_are_read_once_and_kept(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    clean_env.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    session = requests.Session()
    pin_environment(session, ENDPOINT)
    assert session.trust_env is False
    assert session.proxies["https"] == "http://proxy.invalid:3128"
    assert session.verify == "/etc/corp-ca.pem"
    clean_env.setenv("HTTPS_PROXY", "http://changed.invalid:1")  # requests no longer looks: the pinned values hold
    clean_env.delenv("REQUESTS_CA_BUNDLE")
    settings = session.merge_environment_settings(ENDPOINT + "/20160918/instances/x", {}, None, None, None)
    assert settings["proxies"]["https"] == "http://proxy.invalid:3128"
    assert settings["verify"] == "/etc/corp-ca.pem"


def test_no_proxy_for_the_endpoint_is_honoured(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    clean_env.setenv("NO_PROXY", ".oraclecloud.com")
    session = requests.Session()
    pin_environment(session, ENDPOINT)
    assert "https" not in session.proxies and session.verify is True


def test_factory_clients_are_pinned_and_still_reach_the_emulator(clean_env: pytest.MonkeyPatch, tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    from tests.integration.test_enrich_errors import factory_for

    clean_env.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")  # NO_PROXY covers the loopback emulator
    clean_env.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    client = factory_for(tenancy).client(oci.identity.IdentityClient, "us-ashburn-1")
    session = client.base_client.session
    assert session.trust_env is False and "http" not in session.proxies
    assert client.list_region_subscriptions(tenancy.emu.model.tenancy_id).status == 200
