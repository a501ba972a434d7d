"""Shared fixtures: a clean environment for every test, the emulator, and an in-process CLI runner.

No test can reach the real instance metadata service: OCI_METADATA_BASE_URL always points at loopback (a closed
port unless a test points it at the emulator), and no test reads the developer's ~/.oci/config.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CLOSED_METADATA_URL = "http://127.0.0.1:9/opc/v2"
REGIONS = ("us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in list(os.environ):
        if name.startswith(("OCI_INV_", "OCI_CLI_", "OCI_RESOURCE_PRINCIPAL_")) or name in (
            "OCI_CONFIG_FILE",
            "OCI_REGION",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCI_METADATA_BASE_URL", CLOSED_METADATA_URL)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def record_validator():  # type: ignore[no-untyped-def]
    """The JSON Schema validator of a record, built once per test session (building it is the slow part)."""
    import jsonschema

    from oci_inventory.normalize.schema import load_json_schema

    schema = load_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(autouse=True)
def drop_log_handler() -> Iterator[None]:
    """The CLI installs a root handler bound to the captured stderr; remove it after each test."""
    import logging

    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "oci-inv":
            root.removeHandler(handler)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``oci-inv ARGS`` in-process; returns exit code, stdout and stderr."""
    from oci_inventory.cli import main

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@dataclass
class Tenancy:
    emu: object
    config_file: Path

    @property
    def args(self) -> list[str]:
        return ["--config-file", str(self.config_file), "--endpoint-template", self.emu.endpoint_template]  # type: ignore[attr-defined]


def _start(tmp: Path, **kwargs: object) -> Iterator[Tenancy]:
    from oci_emulator import Emulator

    emu = Emulator(**kwargs).start()  # type: ignore[arg-type]
    try:
        yield Tenancy(emu, emu.write_oci_config(tmp))
    finally:
        emu.stop()


@pytest.fixture(scope="session")
def shared_tenancy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenancy]:
    """A read-only emulated tenancy shared by tests that neither mutate it nor inject faults. It has no stale
    resources (every ``get`` of a resource Search returns answers), so a run of it is clean."""
    yield from _start(tmp_path_factory.mktemp("shared"), seed=11, size=1500, regions=REGIONS, stale_one_in=0)


@pytest.fixture
def tenancy(tmp_path: Path) -> Iterator[Tenancy]:
    """A private emulated tenancy (faults and mutations allowed)."""
    yield from _start(tmp_path / "emu", seed=5, size=600, regions=REGIONS)


@pytest.fixture
def use_metadata(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def point(emu: object) -> None:
        monkeypatch.setenv("OCI_METADATA_BASE_URL", emu.metadata_base_url)  # type: ignore[attr-defined]

    return point
