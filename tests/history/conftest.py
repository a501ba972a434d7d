"""Runs made once per test session (per worker) on an emulated tenancy: two complete runs (the second diffed,
with Parquet) and a partial one (a region down, diffed), so every view has something to sit over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Tenancy, _start

REGIONS = ("us-ashburn-1", "eu-frankfurt-1")


@dataclass
class History:
    tenancy: Tenancy
    outdir: Path
    runs: list[Path]  # oldest first: complete (JSONL only), complete (--prev, --parquet), partial (--prev)
    env: dict[str, str]

    def oci(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return oci(self.env, *args, cwd=cwd)


def oci(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``oci-inv ARGS`` in a process of its own (the module's runs outlive any one test's capture)."""
    return subprocess.run(
        [sys.executable, "-m", "oci_inventory", *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )


def tenancy_env(tenancy: Tenancy, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_INV_", "OCI_CLI_"))}
    env.update(
        OCI_CLI_CONFIG_FILE=str(tenancy.config_file),
        OCI_INV_ENDPOINT_TEMPLATE=tenancy.emu.endpoint_template,  # type: ignore[attr-defined]
        OCI_METADATA_BASE_URL=tenancy.emu.metadata_base_url,  # type: ignore[attr-defined]
        OCI_INV_MAX_ATTEMPTS="2",
        HOME=str(home),
    )
    return env


def read_json(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    tmp = tmp_path_factory.mktemp("history")
    for tenancy in _start(tmp / "emu", seed=11, size=400, regions=REGIONS, stale_one_in=0):
        env = tenancy_env(tenancy, tmp)
        out = tmp / "out"
        first = oci(env, "run", "--outdir", str(out), "--quiet")
        assert first.returncode == 0, first.stderr
        tenancy.emu.mutate(seed=24, add=8, remove=4, change=5)  # type: ignore[attr-defined]
        second = oci(env, "run", "--outdir", str(out), "--quiet", "--prev", "latest", "--parquet")
        assert second.returncode == 0, second.stderr
        tenancy.emu.mutate(seed=25, add=3, remove=2, change=2)  # type: ignore[attr-defined]
        tenancy.emu.faults.configure(down_regions={"eu-frankfurt-1"})  # type: ignore[attr-defined]
        third = oci(env, "run", "--outdir", str(out), "--quiet", "--prev", "latest")
        assert third.returncode == 4, third.stderr
        tenancy.emu.faults.configure(down_regions=set())  # type: ignore[attr-defined]
        runs = [Path(p.stdout.strip().splitlines()[-1]) for p in (first, second, third)]
        yield History(tenancy, out, runs, env)
