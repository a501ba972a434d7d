"""Several tenancies under one outdir, queried together; the Hive-partitioned dataset written by --dataset."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import _start
from tests.history.conftest import History, oci, read_json, tenancy_env

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_tenancy_gets_a_directory_of_its_own_and_both_are_queried(history: History, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(history.outdir, out)
    for other in _start(tmp_path / "emu", seed=31, size=120, regions=("us-ashburn-1",), stale_one_in=0):
        env = tenancy_env(other, tmp_path)
        first = oci(env, "run", "--outdir", str(out), "--quiet", "--no-enrich", "--prev", "latest")
        assert first.returncode == 0, first.stderr
        assert "holds runs of tenancy" in first.stderr and "no complete previous run" in first.stderr
        run = Path(first.stdout.strip().splitlines()[-1])
        name = str(read_json(run / "run_summary.json")["tenancy_name"])
        assert run.parent == out / name
        second = oci(env, "run", "--outdir", str(out), "--quiet", "--no-enrich", "--prev", "latest")
        assert second.returncode == 0, second.stderr
        assert Path(second.stdout.strip().splitlines()[-1]).parent == out / name  # the layout is kept
        assert read_json(Path(second.stdout.strip().splitlines()[-1]) / "diff_summary.json")["added"] == 0
    done = history.oci("query", "--outdir", str(out), "--format", "json",
                       "SELECT tenancy, count(*) AS n FROM resources GROUP BY 1 ORDER BY 1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    counts = {r["tenancy"]: r["n"] for r in json.loads(done.stdout)}
    first_name = str(read_json(history.runs[1] / "run_summary.json")["tenancy_name"])
    assert counts[first_name] == read_json(history.runs[1] / "run_summary.json")["total_discovered"]
    assert counts[name] == read_json(run / "run_summary.json")["total_discovered"] and len(counts) == 2
    listed = json.loads(history.oci("runs", "--outdir", str(out), "--format", "json").stdout)
    assert {r["tenancy"] for r in listed} == {first_name, name} and len(listed) == 5


def _doc_sql() -> str:
    text = (ROOT / "docs" / "scale-out.md").read_text(encoding="utf-8")
    match = re.search(r"```sql\n(.*?)```", text, re.S)
    assert match, "docs/scale-out.md shows the DuckDB query in a sql block"
    return match.group(1)


def test_the_dataset_is_hive_partitioned_and_duckdb_reads_it_as_documented(history: History, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    duckdb = pytest.importorskip("duckdb")
    done = history.oci("run", "--outdir", str(tmp_path / "inventories"), "--per-tenancy-dirs", "--no-enrich",
                       "--quiet", "--dataset", str(tmp_path / "dataset"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    run = Path(done.stdout.strip().splitlines()[-1])
    summary = read_json(run / "run_summary.json")
    assert run.parent.name == summary["tenancy_name"] and (run / "inventory.parquet").is_file()  # implied --parquet
    target = tmp_path / "dataset" / f"tenancy={summary['tenancy_name']}" / f"run={run.name}" / "inventory.parquet"
    assert target.read_bytes() == (run / "inventory.parquet").read_bytes()
    con = duckdb.connect()
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = con.execute(_doc_sql()).fetchall()
    finally:
        os.chdir(cwd)
    assert sum(row[-1] for row in result) == summary["total_discovered"]
    assert {(row[0], str(row[1])) for row in result} == {(summary["tenancy_name"], run.name)}


def test_a_partial_run_is_not_added_to_the_dataset(history: History, tmp_path: Path) -> None:
    history.tenancy.emu.faults.configure(down_regions={"eu-frankfurt-1"})  # type: ignore[attr-defined]
    try:
        done = history.oci("run", "--outdir", str(tmp_path / "out"), "--no-enrich", "--quiet",
                           "--dataset", str(tmp_path / "dataset"), "--keep-runs", "1")  # fmt: skip
    finally:
        history.tenancy.emu.faults.configure(down_regions=set())  # type: ignore[attr-defined]
    assert done.returncode == 4
    assert "not added to --dataset" in done.stderr and not (tmp_path / "dataset").exists()
