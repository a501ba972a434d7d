"""CPU and memory of a whole run at scale: ``oci-inv run --no-enrich --parquet`` at 100k, 300k and 1M resources.

For each size the emulator (its own process) holds a tenancy of that many resources over ``--regions``; the
benchmark first pages every region's Search to the end with bare SDK clients, one thread per region, records
dropped (the floor the emulator and the API set: ``ideal_s``), then pages the type-shard queries the run will send
once (``RegionSearch``, records dropped; so that the emulator's views of them are built before any measured run),
then runs ``oci-inv run --no-enrich --parquet``
(JSONL, CSV, Parquet, relationships, summary, reports; with ``--no-graph``, the outputs issue 8's target names,
and without it, GraphML too: ``--graph off,on`` runs both) in a child process and reads its wall time, CPU time
(user + system, its CSV and Parquet processes included) and peak RSS from ``os.wait4``. Prints one JSON line per
size with records/s, the ratios to the targets (30,000 records/s, 300 MB) and to the ideal, the run's own timing
breakdown, and the load average.

Peak RSS is per process: the run writes ``inventory.csv`` and ``inventory.parquet`` in processes of their own
(``export/follower.py``), and the ``ru_maxrss`` that ``os.wait4`` returns for the run is the largest of the
run's own peak and those of the children it waited for, not their sum. Besides, on Linux the ``ru_maxrss`` of an
exec'd process starts at the peak of the process it was forked from (the kernel records the old address space's
peak at ``exec``), so the run's figure is at least this benchmark's own peak, and its child's at least the run's
peak when the child started.
The run is therefore started through a few lines that record, at its exit, its own ``VmHWM`` (the main process
alone) and the largest peak its export processes measured of themselves (``VmHWM``, returned by
``Follower.wait``); the output has ``peak_rss_main_mb``, ``peak_rss_export_child_mb``, ``peak_rss_mb`` (wait4's)
and ``peak_rss_mb_is``
(which of the two it matches, or ``this benchmark`` when neither does).
``vs_target_rss`` is ``peak_rss_mb`` over the target, as before this split.

CPU: ``cpu_s`` is the run with its export processes (``os.wait4``), split into ``cpu_s_main`` and
``cpu_s_export_children`` (what those processes measured of themselves); ``cpu_s_emulator`` is what the emulator
spent meanwhile (Linux ``/proc``), and ``cpu_bound_s`` the run's and the emulator's CPU over the machine's cores:
the least wall time any schedule of this code could have on this machine, to read ``wall_s`` against.

Variants: ``--intake-processes off,auto`` runs each size once per value (``oci-inv run --intake-processes V``),
and ``--graph off,on`` once with ``--no-graph`` and once without (every pair of the two lists), one after the
other against the same emulator, one JSON line each (``intake_processes``, ``graph``), so they compare within
one run; ``cpu_s_intake_children`` and ``peak_rss_intake_child_mb`` are what the run's intake processes reported of
themselves in ``run.log`` (their CPU is also in ``cpu_s`` and ``cpu_s_main``: the run waits for them).

    .venv/bin/python benchmarks/records_scale.py [--sizes 100000,300000,1000000] [--regions r1,r2,...]
        [--intake-processes auto[,off,...]] [--graph off,on]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import discovery_regions, ideal_search, start_emulator

TARGET_RECORDS_PER_S = 30_000
TARGET_RSS_MB = 300
DEFAULT_REGIONS = "us-ashburn-1,us-phoenix-1,eu-frankfurt-1,ap-tokyo-1"


#: ``oci-inv`` as ``python -m oci_inventory`` runs it, plus, written at exit to the file ``$RECORDS_SCALE_PEAKS``
#: names, the peak RSS in KiB of the process itself and the largest of its export processes', each as measured by
#: itself, and the CPU seconds of its export processes together.
_RUN_WITH_PEAKS = """
import atexit, os, sys
from oci_inventory.export import follower

child_peaks = []
child_cpu = []
wait = follower.Follower.wait

def recording_wait(self, records):
    result = wait(self, records)
    child_peaks.append(result.peak_rss_kb)
    child_cpu.append(result.cpu_s)
    return result

follower.Follower.wait = recording_wait

def peaks():
    with open("/proc/self/status") as fh:
        own = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["RECORDS_SCALE_PEAKS"], "w") as fh:
        fh.write(f"{own} {max(child_peaks, default=0)} {sum(child_cpu)}")

atexit.register(peaks)
from oci_inventory.cli import main
main(sys.argv[1:])
"""


def measured_run(template: str, config_file: Path, outdir: Path, variant: tuple[str, bool]) -> dict[str, Any]:
    intake, graph = variant
    peaks_file = outdir.parent / "peaks.txt"
    env = {**os.environ, "OCI_METADATA_BASE_URL": "http://127.0.0.1:9/opc/v2", "RECORDS_SCALE_PEAKS": str(peaks_file)}
    cmd = [sys.executable, "-c", _RUN_WITH_PEAKS, "run", "--config-file", str(config_file), "--endpoint-template",
           template, "--outdir", str(outdir), "--quiet", "--no-enrich", "--parquet",
           "--intake-processes", intake, *([] if graph else ["--no-graph"])]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"oci-inv run failed: {err.strip()}")
    run_dir = Path(out.strip().splitlines()[-1])
    summary = json.loads((run_dir / "run_summary.json").read_text())
    main, child, children_cpu = peaks_file.read_text().split()
    main_kb, child_kb = int(main), int(child)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_s_main": round(cpu - float(children_cpu), 2),
        "cpu_s_export_children": round(float(children_cpu), 2),
        **intake_figures(run_dir),
        "peak_rss_main_mb": round(main_kb / 1024, 1),
        "peak_rss_export_child_mb": round(child_kb / 1024, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_rss_mb_is": _which(usage.ru_maxrss, main_kb, child_kb),
        "records": summary["total_discovered"],
        "search_results": summary["search_results"],
        "timing": summary["timing"],
    }


def intake_figures(run_dir: Path) -> dict[str, float]:
    """The CPU seconds of the run's intake processes together and the largest peak RSS of one, as they reported
    them (run.log); 0 without any."""
    cpu, peak = 0.0, 0.0
    for line in (run_dir / "run.log").read_text().splitlines():
        message = json.loads(line)["message"]
        if message.startswith("intake process ") and " built " in message:
            cpu += float(message.split(" with ")[1].split()[0])
            peak = max(peak, float(message.split("peak RSS ")[1].split()[0]))
    return {"cpu_s_intake_children": round(cpu, 2), "peak_rss_intake_child_mb": peak}


def _which(wait4_kb: int, main_kb: int, child_kb: int) -> str:
    """Whose peak ``os.wait4`` reported (within 2 %: the processes measure their peaks a little before they end)."""
    for name, kb in (("main process", main_kb), ("export child", child_kb)):
        if abs(wait4_kb - kb) <= 0.02 * wait4_kb:
            return name
    return "this benchmark" if wait4_kb > max(main_kb, child_kb) else "unknown"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_size(size: int, regions: str, work: Path, variants: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """One line per variant (``--intake-processes`` value, graph or not), each run after the other against the same
    emulator."""
    proc, template = start_emulator(size, work / "emu", regions)
    config_file = work / "emu" / "config"
    try:
        ideal = ideal_search(template, config_file, regions.split(","))
        # The run's type-shard queries once, records dropped: the emulator builds its type index and their result
        # views now, not in the first measured run (8-10 s of its CPU at 1M, which that run used to pay alone).
        discovery_regions(template, config_file, regions.split(","), None)
        return [
            figures(size, regions, ideal, variant, measure(proc.pid, template, config_file, work / f"out-{n}", variant))
            for n, variant in enumerate(variants)
        ]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(emulator: int, template: str, config_file: Path, outdir: Path, variant: tuple[str, bool]) -> dict[str, Any]:
    """One measured run, with the load average before and after it and the emulator's CPU meanwhile."""
    load_before = os.getloadavg()[0]
    emulator_before = cpu_seconds(emulator)
    run = measured_run(template, config_file, outdir, variant)
    emulator_after = cpu_seconds(emulator)
    run["cpu_s_emulator"] = None
    if emulator_before is not None and emulator_after is not None:
        run["cpu_s_emulator"] = round(emulator_after - emulator_before, 2)
    run["loadavg_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return run


def figures(
    size: int, regions: str, ideal: tuple[float, int], variant: tuple[str, bool], run: dict[str, Any]
) -> dict[str, Any]:
    ideal_s, results = ideal
    rate = run["records"] / run["wall_s"]
    emulator_cpu = run["cpu_s_emulator"]
    cores = os.cpu_count() or 1
    return {
        "size": size,
        "regions": len(regions.split(",")),
        "intake_processes": variant[0],
        "graph": variant[1],
        **run,
        "records_per_s": round(rate),
        "records_per_cpu_s": round(run["records"] / run["cpu_s"]),
        # The emulator shares the machine: with its CPU, no schedule on these cores beats (run + emulator) / cores.
        "cpu_bound_s": round((run["cpu_s"] + (emulator_cpu or 0)) / cores, 2),
        "cores": cores,
        "ideal_search_s": round(ideal_s, 2),
        "ideal_search_results": results,
        "ratio_to_ideal_search": round(run["wall_s"] / ideal_s, 2),
        "vs_target_records_per_s": round(rate / TARGET_RECORDS_PER_S, 2),
        "vs_target_rss": round(run["peak_rss_mb"] / TARGET_RSS_MB, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--regions", default=DEFAULT_REGIONS)
    parser.add_argument("--intake-processes", default="auto", help="variants run one after the other: off,auto")
    parser.add_argument(
        "--graph", default="off,on", help="off: --no-graph (JSONL, CSV, Parquet: the target's outputs); on: GraphML too"
    )
    args = parser.parse_args()
    graphs = [{"off": False, "on": True}[g] for g in args.graph.split(",")]
    variants = [(intake, graph) for intake in args.intake_processes.split(",") for graph in graphs]
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="oci-inv-bench-") as tmp:
            for line in one_size(size, args.regions, Path(tmp), variants):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
