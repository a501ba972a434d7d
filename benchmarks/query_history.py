"""``oci-inv query`` over many runs against plain DuckDB over the same Parquet files (the ideal).

One real run of the emulated tenancy (enriched, ``--size`` resources) gives the records; they are repeated with new
OCIDs into ``--runs`` run directories of ``--records`` records each, written with oci-inv's own writers
(``inventory.jsonl``, ``inventory.parquet``, ``run_summary.json``). Then, in this one process:

* ideal: ``SELECT resourceType, count(*) FROM read_parquet([every run's file]) GROUP BY 1`` on a fresh DuckDB;
* oci-inv: open the history (list the runs, define the views, confine DuckDB) and run the same question on
  ``resources_history``; its ratio to the ideal;
* time to first row: the same question, and a full ``SELECT *`` scan, until the first row arrives (from opening
  the history), and ``oci-inv query --format json`` as a command, from process start to its first row on stdout;
* the same question when the runs have no Parquet (JSONL read by ``read_json``).

Each figure is the median of ``--repeat`` tries. Prints one JSON object.

    python benchmarks/query_history.py [--runs 10] [--records 100000] [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import run_inventory, start_emulator
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.export.parquet import write_parquet
from oci_inventory.export.rundir import json_bytes
from oci_inventory.history.query import open_history
from oci_inventory.util.time import iso_z, parse_iso_z

QUESTION = "SELECT resourceType, count(*) AS n FROM {source} GROUP BY 1"


def template_run(workdir: Path, size: int) -> Path:
    proc, template = start_emulator(size, workdir / "emulator")
    try:
        config = workdir / "emulator" / "config"
        env_dir = workdir / "template"
        cmd_summary, _ = run_inventory(template, config, env_dir, 8)
        del cmd_summary
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return sorted(p for p in (workdir / "template").iterdir() if p.name[:1].isdigit())[-1]


def synthetic_records(template: list[dict[str, Any]], count: int, run: int, started: str) -> Iterator[dict[str, Any]]:
    for i in range(count):
        record = dict(template[i % len(template)])
        record["ocid"] = f"{record['ocid']}.r{i // len(template)}"
        record["collectedAt"] = started
        yield record


def make_runs(workdir: Path, template_dir: Path, runs: int, records: int) -> tuple[Path, list[Path]]:
    template = [json.loads(line) for line in (template_dir / "inventory.jsonl").read_text().splitlines() if line]
    summary = json.loads((template_dir / "run_summary.json").read_text())
    outdir = workdir / "out"
    outdir.mkdir()
    base = parse_iso_z(summary["started_at"])
    assert base is not None
    parquet_files = []
    for n in range(runs):
        started_dt = base + timedelta(days=n)
        started = iso_z(started_dt)
        run_dir = outdir / f"{started_dt:%Y%m%dT%H%M%SZ}"
        run_dir.mkdir()
        rows = sorted(synthetic_records(template, records, n, started), key=lambda r: r["ocid"])
        write_jsonl(run_dir / "inventory.jsonl", (dumps_record(r) for r in rows))
        write_parquet(run_dir / "inventory.parquet", rows)
        parquet_files.append(run_dir / "inventory.parquet")
        summary.update(started_at=started, total_discovered=records, status="complete")
        (run_dir / "run_summary.json").write_bytes(json_bytes(summary))
        print(f"run {n + 1}/{runs}: {run_dir}", file=sys.stderr)
    return outdir, parquet_files


def jsonl_only(workdir: Path, outdir: Path) -> Path:
    """The same runs without their Parquet files (links to the JSONL and summaries)."""
    other = workdir / "out-jsonl"
    for run in sorted(outdir.iterdir()):
        (other / run.name).mkdir(parents=True)
        for name in ("inventory.jsonl", "run_summary.json"):
            os.link(run / name, other / run.name / name)
    return other


def median(repeat: int, measure: Callable[[], float]) -> float:
    return round(statistics.median(measure() for _ in range(repeat)), 4)


def ideal(files: list[Path]) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    source = "read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])"
    con.execute(QUESTION.format(source=source)).fetchall()
    con.close()
    return time.perf_counter() - started


def via_history(outdir: Path, sql: str, *, first_row: bool = False) -> float:
    started = time.perf_counter()
    history = open_history(outdir, sql)
    result = history.execute(sql)
    if first_row:
        result.fetchmany(1)
    else:
        result.fetchall()
    elapsed = time.perf_counter() - started
    history.close()
    return elapsed


def cli_first_row(outdir: Path) -> float:
    """``oci-inv query --format json``: process start to the first row on stdout."""
    cmd = [sys.executable, "-m", "oci_inventory", "query", "--outdir", str(outdir), "--format", "json",
           QUESTION.format(source="resources_history")]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # "[" then the first row on the next line
    proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit("oci-inv query failed")
    return elapsed


def _count(files: list[Path]) -> int:
    import duckdb

    row = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [[str(f) for f in files]]).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=3000, help="emulated tenancy of the template run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="kept when given (and its runs reused); a temporary one otherwise"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="oci-inv-query-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        build = time.perf_counter()
        if (workdir / "out").is_dir():  # a --workdir kept from an earlier invocation: measure its runs again
            outdir, files = workdir / "out", sorted((workdir / "out").glob("*/inventory.parquet"))
        else:
            outdir, files = make_runs(workdir, template_run(workdir, args.size), args.runs, args.records)
        build_s = time.perf_counter() - build
        jsonl_dir = workdir / "out-jsonl" if (workdir / "out-jsonl").is_dir() else jsonl_only(workdir, outdir)
        question = QUESTION.format(source="resources_history")
        ideal_s = median(args.repeat, lambda: ideal(files))
        query_s = median(args.repeat, lambda: via_history(outdir, question))
        figures = {
            "runs": len(files),
            "records": _count(files),
            "parquet_bytes": sum(f.stat().st_size for f in files),
            "ideal_duckdb_parquet_s": ideal_s,
            "oci_inv_query_s": query_s,
            "ratio_to_ideal": round(query_s / ideal_s, 2),
            "time_to_first_row_group_by_s": median(args.repeat, lambda: via_history(outdir, question, first_row=True)),
            "time_to_first_row_select_star_s": median(
                args.repeat, lambda: via_history(outdir, "SELECT * FROM resources_history", first_row=True)
            ),
            "cli_time_to_first_row_s": median(args.repeat, lambda: cli_first_row(outdir)),
            "oci_inv_query_jsonl_only_s": median(1, lambda: via_history(jsonl_dir, question)),
            "setup_s": round(build_s, 1),
            "cpus": os.cpu_count(),
        }
        print(json.dumps(figures, indent=2))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
