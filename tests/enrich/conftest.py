"""One deep-enriched run of an emulated tenancy, shared by the enricher tests (they only read it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DEEP_REGIONS = ("us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1")


@dataclass
class DeepRun:
    emu: Any
    config_file: Path
    run_dir: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        wanted = resource_type.lower()
        return [r for r in self.records.values() if r["resourceType"].lower() == wanted]

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "run_summary.json").read_text())

    @property
    def args(self) -> list[str]:
        return ["--config-file", str(self.config_file), "--endpoint-template", self.emu.endpoint_template]


@pytest.fixture(scope="session")
def deep_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeepRun]:
    """A 3-region tenancy of about 2,500 resources without stale resources, inventoried once with every enricher."""
    from oci_emulator import Emulator
    from oci_inventory.cli import main

    tmp = tmp_path_factory.mktemp("deep")
    emu = Emulator(seed=21, size=2500, regions=DEEP_REGIONS, stale_one_in=0).start()
    try:
        config = emu.write_oci_config(tmp / "emu")
        args = ["run", "--config-file", str(config), "--endpoint-template", emu.endpoint_template]
        try:
            main([*args, "--outdir", str(tmp / "out"), "--quiet"])
        except SystemExit as exc:
            assert exc.code == 0, f"the deep run exited {exc.code}"
        run_dir = next(p for p in (tmp / "out").iterdir() if p.name[:1].isdigit())
        lines = (run_dir / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
        records = {r["ocid"]: r for r in map(json.loads, lines)}
        yield DeepRun(emu, config, run_dir, records)
    finally:
        emu.stop()


def edges_of(record: dict[str, Any], relation: str) -> list[str]:
    return [e["targetOcid"] for e in record["relationships"] if e["relation"] == relation]
