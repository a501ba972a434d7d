"""Shared fixtures: one emulator per session (read-only tests) and fresh ones for tests that change state."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import oci
import pytest

from oci_emulator import Emulator

SAFE_METADATA_URL = "http://127.0.0.1:9/opc/v2"  # closed loopback port: the SDK can never reach a real IMDS


@pytest.fixture(autouse=True)
def _no_real_metadata_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_METADATA_BASE_URL", SAFE_METADATA_URL)
    monkeypatch.setenv("OCI_SDK_AUTH_CLIENT_CIRCUIT_BREAKER_ENABLED", "false")


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    """Shared, never mutated; tests that configure faults must use ``fresh_emu``."""
    with Emulator(seed=7, size=500) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu() -> Iterator[Emulator]:
    with Emulator(seed=7, size=300) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def config_path(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return emu.write_oci_config(tmp_path_factory.mktemp("oci"))


def _no_retry() -> dict[str, Any]:
    return {
        "retry_strategy": oci.retry.NoneRetryStrategy(),
        "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
    }


def _client(
    emulator: Emulator,
    cls: Any,
    service: str,
    config: dict[str, Any],
    region: str | None = None,
    **kwargs: Any,
) -> Any:
    return cls(config, service_endpoint=emulator.endpoint(service, region), **{**_no_retry(), **kwargs})


@pytest.fixture(scope="session")
def make_client() -> Any:
    """``make_client(emulator, ClientClass, service, config, region=None, **kw)``: an SDK client without retries."""
    return _client


@pytest.fixture(scope="session")
def config(config_path: pathlib.Path) -> dict[str, Any]:
    cfg: dict[str, Any] = oci.config.from_file(str(config_path), "DEFAULT")
    return cfg


@pytest.fixture(scope="session")
def identity(emu: Emulator, config: dict[str, Any]) -> Any:
    return _client(emu, oci.identity.IdentityClient, "identity", config)


@pytest.fixture(scope="session")
def search(emu: Emulator, config: dict[str, Any]) -> Any:
    return _client(emu, oci.resource_search.ResourceSearchClient, "query", config)
