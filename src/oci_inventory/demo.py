"""``oci-inv demo``: the whole product on the built-in emulated tenancy, no cloud account needed.

It starts the emulator on 127.0.0.1 in a process of its own, runs validate-auth, list-regions and
list-compartments, an inventory run, changes the tenancy (adds, removes and changes resources), runs again with
``--prev``, and prints the diff.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from oci_inventory.util.text import visible

DEMO_REGIONS = ("us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class ServedTenancy:
    """Where the demo's emulator answers (in a process of its own)."""

    base_url: str
    endpoint_template: str
    config_file: Path
    metadata_base_url: str

    def mutate(self, seed: int, add: int, remove: int, change: int) -> dict[str, list[str]]:
        """Change the tenancy through the emulator's control endpoint (loopback only)."""
        body = orjson.dumps({"seed": seed, "add": add, "remove": remove, "change": change})
        request = urllib.request.Request(f"{self.base_url}/_emulator/mutate", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            changes: dict[str, list[str]] = orjson.loads(response.read())
        return changes


@contextmanager
def served_tenancy(config_dir: Path, *, size: int, seed: int) -> Iterator[ServedTenancy]:
    """``python -m oci_emulator serve`` on a free loopback port: the emulator gets a core of its own instead of
    sharing this process (and its GIL) with the run."""
    command = [sys.executable, "-m", "oci_emulator", "serve", "--port", "0", "--size", str(size), "--seed",
               str(seed), "--regions", ",".join(DEMO_REGIONS), "--config-dir", str(config_dir)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        yield _read_banner(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _read_banner(process: subprocess.Popen[str]) -> ServedTenancy:
    """Parse what ``oci_emulator serve`` prints before it serves (up to its ``# control`` line)."""
    assert process.stdout is not None
    found: dict[str, str] = {}
    for line in process.stdout:
        for key, pattern in _BANNER.items():
            match = pattern.search(line)
            if match:
                found[key] = match.group(1)
        if line.startswith("# control"):
            break
    if set(found) != set(_BANNER):
        raise RuntimeError("the demo's emulator did not start (see its output above)")
    template = found["template"]
    return ServedTenancy(template.split("/{service}")[0], template, Path(found["config"]), found["metadata"])


_BANNER = {
    "template": re.compile(r"^endpoint template: (\S+)"),
    "config": re.compile(r"^config file:\s+(\S+)"),
    "metadata": re.compile(r"^export OCI_METADATA_BASE_URL='([^']+)'"),
}


def run_demo(outdir: Path, *, size: int = 5000, seed: int = 7) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    with served_tenancy(outdir / "emulator", size=size, seed=seed) as emu:
        config_file = emu.config_file
        common = ["--config-file", str(config_file), "--endpoint-template", emu.endpoint_template]
        os.environ.setdefault("OCI_METADATA_BASE_URL", emu.metadata_base_url)
        _say(f"== Emulated tenancy: {size} resources in {', '.join(DEMO_REGIONS)} at {emu.base_url}")
        _say(f"== oci-inv validate-auth --config-file {config_file} --endpoint-template '{emu.endpoint_template}'")
        _invoke(["validate-auth", *common])
        _say("== oci-inv list-regions")
        _invoke(["list-regions", *common])
        _say("== oci-inv list-compartments --format json | (first 5 of them)")
        _list_compartments_head(common)
        _say(f"== oci-inv run --outdir {outdir}")
        first = _invoke_run(["run", *common, "--outdir", str(outdir)])
        changes = emu.mutate(seed + 1, add=25, remove=10, change=15)
        _say(
            f"== The tenancy changes: {_count(changes, 'added')} added, {_count(changes, 'removed')} removed, "
            f"{_count(changes, 'changed')} changed"
        )
        _say(f"== oci-inv run --prev {first}")
        second = _invoke_run(["run", *common, "--outdir", str(outdir), "--prev", str(first)])
        summary = orjson.loads((second / "diff_summary.json").read_bytes())
        _say(
            f"== Diff (diff_summary.json): {summary['added']} added, {summary['removed']} removed, "
            f"{summary['changed']} changed, {summary['unchanged']} unchanged"
        )
        _say("   (a resource that turns TERMINATED counts as removed; the inventory drops terminated resources)")
        for rtype, counts in summary["by_resource_type"].items():
            if counts["added"] or counts["removed"] or counts["changed"]:
                _say(f"   {visible(rtype):<24} +{counts['added']:<3} -{counts['removed']:<3} ~{counts['changed']}")
        for entry in summary["notCompared"]:
            _say(
                f"   not compared: {visible(entry['region'])} ({visible(entry['reason'])}): "
                f"{entry['prevRecords']} previous, {entry['currRecords']} current resources"
            )
        _history(outdir)
        _say(f"== Files of the second run in {second}:")
        for path in sorted(second.iterdir()):
            _say(f"   {path.name:<22} {path.stat().st_size:>12,} bytes")
    return 0


def _history(outdir: Path) -> None:
    """The runs as a history: ``oci-inv runs`` and one named question of ``oci-inv query`` (first rows)."""
    import importlib.util
    import io
    from contextlib import redirect_stdout

    _say(f"== oci-inv runs --outdir {outdir}")
    _invoke(["runs", "--outdir", str(outdir)])
    _say(f"== oci-inv query --outdir {outdir} --example public-buckets")
    if importlib.util.find_spec("duckdb") is None:
        _say("   (skipped: oci-inv query needs duckdb: pip install 'oci-inventory[query]')")
        return
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        _invoke(["query", "--outdir", str(outdir), "--example", "public-buckets"])
    lines = buffer.getvalue().splitlines()
    for line in lines[:6]:
        _say(f"   {line}")
    _say(f"   ... {max(len(lines) - 1, 0)} public buckets in all (docs/query.md: more questions, and the SQL)")


def _count(changes: object, name: str) -> int:
    value = getattr(changes, name, None)
    if value is None and isinstance(changes, dict):
        value = changes.get(name)
    return len(value) if value is not None else 0


def _invoke(args: list[str]) -> None:
    from oci_inventory.cli import cli

    result = cli.main(args=args, prog_name="oci-inv", standalone_mode=False)
    if isinstance(result, int) and result != 0:
        raise SystemExit(result)


def _list_compartments_head(common: list[str]) -> None:
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        _invoke(["list-compartments", *common, "--format", "json"])
    rows = orjson.loads(buffer.getvalue())
    width = max((len(row["path"]) for row in rows[:5]), default=0)
    for row in rows[:5]:
        _say(f"   {visible(row['path']):<{width}}  {row['id']}  {row['lifecycle_state']}")
    _say(f"   ... {len(rows)} compartments in all")


def _invoke_run(args: list[str]) -> Path:
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        _invoke(args)
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    for line in lines:
        _say(line)
    return Path(lines[-1])
