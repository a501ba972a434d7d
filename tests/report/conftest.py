"""Two runs of one emulated tenancy with a change in between: the second has a diff with every kind of change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Runs:
    first: Path
    second: Path


def _run(args: list[str], out: Path) -> Path:
    import contextlib
    import io

    from oci_inventory.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
        main(["run", *args, "--outdir", str(out), "--quiet", "--prev", "latest"])
    assert exit_info.value.code == 0
    return Path(buffer.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    from oci_emulator import Emulator

    tmp = tmp_path_factory.mktemp("report-runs")
    with Emulator(seed=21, size=500, regions=("us-ashburn-1", "eu-frankfurt-1"), stale_one_in=0) as emu:
        args = ["--config-file", str(emu.write_oci_config(tmp / "emu")), "--endpoint-template", emu.endpoint_template]
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("HOME", str(tmp))
            mp.setenv("OCI_METADATA_BASE_URL", "http://127.0.0.1:9/opc/v2")
            first = _run(args, tmp / "out")
            emu.mutate(seed=4, add=12, remove=6, change=9)
            second = _run(args, tmp / "out")
    yield Runs(first, second)
