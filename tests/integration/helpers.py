"""Helpers for run tests: read a run directory, compute what the emulated tenancy should produce."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TERMINAL = {"TERMINATED", "DELETED"}


def run_dir(result_out: str) -> Path:
    return Path(result_out.strip().splitlines()[-1])


def records(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (directory / "inventory.jsonl").read_text(encoding="utf-8").splitlines()]


def summary(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "run_summary.json").read_text(encoding="utf-8"))


def expected_ocids(model: Any, regions: list[str], *, include_terminated: bool = False) -> set[str]:
    from oci_emulator.model.tenancy import region_of

    return {
        r["identifier"]
        for r in model.resources
        if region_of(r["identifier"]) in (*regions, None)
        and (include_terminated or str(r.get("lifecycleState") or "").upper() not in TERMINAL)
    }
