"""How fast and how lean ``oci-inv diff`` is on two big inventories, sorted (as oci-inv writes them) or shuffled.

Generates two run directories of ``--size`` synthetic records each (the shape of ``inventory.jsonl``: built with
``normalize_record``, written with ``dumps_record``, with a ``run_summary.json``), the second with 1% of the
resources changed, 0.1% removed and 0.1% added. Then, in a subprocess each, ``oci-inv diff --prev A --curr B
--outdir D --format json`` on the sorted pair and on a shuffled copy of both, measuring wall time, CPU time (user +
system of the child and its worker processes, from ``os.wait4``) and peak RSS. The diff runs in several processes
at once, so the peak RSS reported is the sum of every process's own peak (``VmHWM``, sampled every 20 ms from
``/proc``): an upper bound of what they held together; the largest sampled sum of their current RSS and the largest
single process (``os.wait4``) are reported too. Prints JSON with the figures, their ratios to the targets (10 s,
300 MB) and the load average before and after each case (other work on the machine skews the figures). Both
inventories are read once before each case, so the page cache is as warm as right after a run.

    .venv/bin/python benchmarks/diff_scale.py [--size 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oci_inventory.export.jsonl import dumps_record
from oci_inventory.export.summary import RegionOutcome, RunScope, RunSummary
from oci_inventory.normalize.transform import normalize_record

TARGET_S = 10.0
TARGET_MB = 300.0
REGIONS = ["ap-tokyo-1", "eu-frankfurt-1", "us-ashburn-1"]
TYPES = ["Instance", "Vcn", "Subnet", "Bucket", "Volume", "BootVolume", "VnicAttachment", "LoadBalancer"]
COLLECTED = ("2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z")


def _record(i: int, run: int, changed: bool) -> dict[str, Any]:
    ocid = f"ocid1.{TYPES[i % len(TYPES)].lower()}.oc1..{i:012d}"
    env = "dev" if changed else "prod"
    summary = {
        "identifier": ocid,
        "resourceType": TYPES[i % len(TYPES)],
        "displayName": f"resource-{i}",
        "compartmentId": f"ocid1.compartment.oc1..{i % 97:06d}",
        "lifecycleState": "AVAILABLE",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "availabilityDomain": "Uocm:PHX-AD-1",
        "definedTags": {"Operations": {"CostCenter": str(i % 13), "Owner": "platform-team"}},
        "freeformTags": {"env": env, "app": f"app-{i % 31}"},
        "systemTags": {"orcl-cloud": {"free-tier-retained": "true"}},
    }
    return dict(
        normalize_record(
            summary,
            region=REGIONS[i % len(REGIONS)],
            collected_at=COLLECTED[run],
            enrich_status="NOT_IMPLEMENTED",
            enrich_error=None,
            details={"searchSummary": {k: v for k, v in summary.items() if k != "identifier"}},
            relationships=[{"relation": "in_compartment", "targetOcid": summary["compartmentId"]}],
            compartment_path=f"root/team-{i % 97}",
        )
    )


def _lines(size: int, run: int) -> Iterator[bytes]:
    """Run 0: resources 0..size-1. Run 1: every 100th changed, every 1000th removed, size/1000 added at the end."""
    for i in range(size + (size // 1000 if run else 0)):
        if run and i < size and i % 1000 == 7:
            continue
        yield dumps_record(_record(i, run, changed=bool(run) and i % 100 == 3))


def _write_run(directory: Path, lines: list[bytes]) -> None:
    directory.mkdir(parents=True)
    with open(directory / "inventory.jsonl", "wb", buffering=1 << 20) as fh:
        for line in lines:
            fh.write(line + b"\n")
    summary = RunSummary(
        started_at="2024-06-01T00:00:00Z",
        finished_at="2024-06-01T01:00:00Z",
        duration_s=3600,
        query="query all resources",
        regions=[RegionOutcome(r, "ok") for r in REGIONS],
        scope=RunScope(regions=REGIONS, query="query all resources"),
        total_discovered=len(lines),
    )
    (directory / "run_summary.json").write_text(json.dumps(summary.to_dict()))


def generate(work: Path, size: int) -> None:
    for run, name in ((0, "prev"), (1, "curr")):
        lines = sorted(_lines(size, run), key=lambda line: json.loads(line)["ocid"])
        _write_run(work / "sorted" / name, lines)
        random.Random(run).shuffle(lines)
        _write_run(work / "shuffled" / name, lines)


def _kb(status: str, field: str) -> int:
    for line in status.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


class _Sampler(threading.Thread):
    """Every 20 ms: each process's peak RSS (VmHWM) and the sum of current RSS over the process tree of ``pid``."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.hwm_kb: dict[int, int] = {}
        self.max_sum_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            total = 0
            for p in _tree(self.pid):
                try:
                    with open(f"/proc/{p}/status") as fh:
                        status = fh.read()
                except OSError:
                    continue
                total += _kb(status, "VmRSS:")
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), _kb(status, "VmHWM:"))
            self.max_sum_kb = max(self.max_sum_kb, total)


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _warm(base: Path) -> None:
    """Read both inventories once, so the figures are of a page cache as warm as right after a run."""
    for name in ("prev", "curr"):
        with open(base / name / "inventory.jsonl", "rb", buffering=0) as fh:
            while fh.read(8 << 20):
                pass


def measure(work: Path, case: str) -> dict[str, Any]:
    """One ``oci-inv diff`` in a child process: wall and CPU seconds, peak RSS of its processes."""
    base = work / case
    _warm(base)
    cmd = [sys.executable, "-m", "oci_inventory", "diff", "--prev", str(base / "prev"), "--curr", str(base / "curr"),
           "--outdir", str(base / "diff"), "--format", "json"]  # fmt: skip
    load_before = _load()
    started = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"oci-inv diff failed ({proc.returncode}): {err.strip()}")
    summary = json.loads((base / "diff" / "diff_summary.json").read_text())
    largest_mb = usage.ru_maxrss / 1024
    peak_mb = max(largest_mb, sum(sampler.hwm_kb.values()) / 1024)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_rss_sampled_sum_mb": round(sampler.max_sum_kb / 1024, 1),
        "largest_process_rss_mb": round(largest_mb, 1),
        "processes": len(sampler.hwm_kb),
        "wall_vs_target": round(wall / TARGET_S, 3),
        "rss_vs_target": round(peak_mb / TARGET_MB, 3),
        "load_avg_1m": [load_before, _load()],
        "counts": {k: summary[k] for k in ("added", "removed", "changed", "unchanged")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="records in the previous run [1000000]")
    parser.add_argument("--keep", type=Path, default=None, help="generate into (or reuse) this directory")
    parser.add_argument("--generate-into", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into is not None:
        generate(args.generate_into, args.size)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        started = time.perf_counter()
        if not (work / "shuffled" / "curr" / "run_summary.json").exists():
            # In a child: the generator's memory must not count in the forked diff processes' peak RSS.
            gen = [sys.executable, __file__, "--size", str(args.size), "--generate-into", str(work)]
            subprocess.run(gen, check=True)
        generated_s = time.perf_counter() - started
        size_mb = (work / "sorted" / "prev" / "inventory.jsonl").stat().st_size / 2**20
        figures = {case: measure(work, case) for case in ("sorted", "shuffled")}
    report = {
        "benchmark": "diff_scale",
        "records": args.size,
        "inventory_mb": round(size_mb, 1),
        "generate_s": round(generated_s, 1),
        "load_avg_1m_after": _load(),  # other work on the machine skews the figures
        "cores": len(os.sched_getaffinity(0)),
        "targets": {"wall_s": TARGET_S, "peak_rss_mb": TARGET_MB},
        **figures,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
