"""Start-up: commands that never talk to OCI never import the OCI SDK (nor other heavy modules)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oci_inventory.export.jsonl import dumps_record, write_jsonl

HEAVY = ("oci", "pyarrow", "oci_inventory.pipeline", "oci_emulator.server")
_PROBE = (
    "import sys\n"
    "from oci_inventory.cli import main\n"
    "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "print('LOADED', code, *[m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n"
)


def _loaded(*args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Run the CLI's main in a fresh interpreter; the exit code and which of ``heavy`` it imported."""
    code = _PROBE.format(heavy=heavy)
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("LOADED ")][-1]
    return line.split()[1:]


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("diff", "--help")])
def test_help_and_version_import_neither_the_sdk_nor_rich(args: tuple[str, ...]) -> None:
    assert _loaded(*args, heavy=(*HEAVY, "rich")) == ["0"]


def test_a_diff_never_imports_the_sdk(tmp_path: Path) -> None:
    record = {"ocid": "ocid1.instance.oc1..a", "region": "r1", "resourceType": "Instance", "collectedAt": "x"}
    for name in ("prev.jsonl", "curr.jsonl"):
        write_jsonl(tmp_path / name, [dumps_record(record)])
    args = ("diff", "--prev", str(tmp_path / "prev.jsonl"), "--curr", str(tmp_path / "curr.jsonl"))
    assert _loaded(*args, "--format", "json", "--outdir", str(tmp_path / "d")) == ["0"]
    assert _loaded(*args, "--format", "table") == ["0"]
