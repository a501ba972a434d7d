"""``oci-inv query``: each view holds what the files it sits over hold; read-only; errors are exit 2."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.history import examples
from tests.history.conftest import History, read_json


def rows(history: History, sql: str, outdir: Path | None = None) -> list[dict[str, Any]]:
    done = history.oci("query", "--outdir", str(outdir or history.outdir), "--format", "json", "--", sql)
    assert done.returncode == 0, done.stderr
    data: list[dict[str, Any]] = json.loads(done.stdout)
    return data


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_each_view_holds_exactly_the_rows_of_its_files(history: History) -> None:
    first, second, _ = history.runs
    counts = rows(
        history,
        "SELECT (SELECT count(*) FROM resources) AS resources, (SELECT count(*) FROM resources_history) AS history, "
        "(SELECT count(*) FROM relationships) AS edges, (SELECT count(*) FROM runs) AS runs",
    )[0]
    # resources: the newest complete run (the newest run is partial); history: every complete run.
    assert counts["resources"] == len(lines(second / "inventory.jsonl"))
    assert counts["history"] == len(lines(first / "inventory.jsonl")) + len(lines(second / "inventory.jsonl"))
    assert counts["edges"] == len(lines(second / "relationships.jsonl"))
    assert counts["runs"] == 3
    per_run = rows(history, "SELECT run_id, count(*) AS n FROM resources_history GROUP BY 1 ORDER BY 1")
    assert [(r["run_id"], r["n"]) for r in per_run] == [
        (first.name, read_json(first / "run_summary.json")["total_discovered"]),
        (second.name, read_json(second / "run_summary.json")["total_discovered"]),
    ]
    ocids = {r["ocid"] for r in rows(history, "SELECT ocid FROM resources")}
    assert ocids == {r["ocid"] for r in lines(second / "inventory.jsonl")}


def test_changes_equal_the_diffs_and_name_the_regions_not_compared(history: History) -> None:
    got = rows(history, "SELECT * FROM changes ORDER BY run_id, change, ocid")
    expected = []
    for run in history.runs[1:]:
        diff = read_json(run / "diff.json")
        prev = run.parent / str(read_json(run / "diff_summary.json")["prevRun"]["path"]).rsplit("/", 1)[-1]  # type: ignore[index]
        for kind in ("added", "changed", "removed"):
            for entry in diff[kind]:  # type: ignore[attr-defined]
                fields = entry["changedFields"] if kind == "changed" else []
                expected.append((run.name, prev.name, kind, entry["ocid"], entry["resourceType"], fields))
    assert sorted((r["run_id"], r["prev_run_id"], r["change"], r["ocid"], r["resourceType"], r["changedFields"])
                  for r in got) == sorted(expected)  # fmt: skip
    summary = read_json(history.runs[1] / "diff_summary.json")
    assert len([r for r in got if r["run_id"] == history.runs[1].name]) == sum(
        summary[k]  # type: ignore[misc]
        for k in ("added", "removed", "changed")
    )
    assert {tuple(r["notComparedRegions"]) for r in got if r["run_id"] == history.runs[2].name} == {("eu-frankfurt-1",)}
    assert {tuple(r["notComparedRegions"]) for r in got if r["run_id"] == history.runs[1].name} == {()}
    changed = [r for r in got if r["change"] == "changed"]
    assert changed and all(isinstance(r["before"], dict) and r["changedFields"] for r in changed)


def test_columns_are_typed(history: History) -> None:
    types = {r["column_name"]: r["column_type"] for r in rows(history, "DESCRIBE resources")}
    assert types["timeCreated"] == types["collectedAt"] == "TIMESTAMP WITH TIME ZONE"
    assert types["freeformTags"] == "MAP(VARCHAR, VARCHAR)" and types["definedTags"] == "JSON"
    assert {"tenancy", "run_id", "run_started_at", "compartmentPath"} <= types.keys()
    one = rows(history, "SELECT * FROM resources ORDER BY ocid LIMIT 1")[0]
    record = lines(history.runs[1] / "inventory.jsonl")[0]
    for key in ("ocid", "compartmentPath", "collectedAt", "freeformTags", "definedTags", "details"):
        assert one[key] == record[key], key


def test_a_run_without_parquet_gives_the_same_rows_from_its_jsonl(history: History, tmp_path: Path) -> None:
    jsonl_only = tmp_path / "out"
    shutil.copytree(history.outdir, jsonl_only)
    (jsonl_only / history.runs[1].name / "inventory.parquet").unlink()
    sql = "SELECT * EXCLUDE (run_started_at) FROM resources ORDER BY ocid"
    assert rows(history, sql, jsonl_only) == rows(history, sql)


def test_table_output_keeps_ocids_whole_and_csv_has_a_header(history: History) -> None:
    sql = "SELECT ocid, displayName FROM resources ORDER BY ocid LIMIT 3"
    table = history.oci("query", "--outdir", str(history.outdir), sql)
    assert table.returncode == 0
    ocids = [r["ocid"] for r in rows(history, sql)]
    assert table.stdout.splitlines()[0].split() == ["ocid", "displayName"]
    assert [line.split()[0] for line in table.stdout.splitlines()[1:]] == ocids
    csv_out = history.oci("query", "--outdir", str(history.outdir), "--format", "csv", sql)
    assert csv_out.stdout.splitlines()[0] == "ocid,displayName" and len(csv_out.stdout.splitlines()) == 4


def _digest(outdir: Path) -> dict[str, str]:
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in outdir.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO '{run}/inventory.jsonl'",
        "COPY resources TO '{run}/inventory.parquet' (FORMAT parquet)",
        "ATTACH '{run}/x.duckdb' AS x",
        "SELECT 1; COPY (SELECT 1) TO '{run}/inventory.jsonl'",
        "INSERT INTO runs SELECT * FROM runs",
        "CREATE TABLE t AS SELECT 1",
        "SET enable_external_access = true",
        "PRAGMA enable_profiling",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{run}/inventory.jsonl'",
        "SELECT * FROM query('COPY (SELECT 1) TO ''{run}/inventory.jsonl''')",
        "SELECT * FROM read_text('/etc/hostname')",
        "INSTALL httpfs",
    ],
)
def test_no_statement_can_modify_a_run_or_reach_outside(history: History, sql: str) -> None:
    before = _digest(history.outdir)
    done = history.oci("query", "--outdir", str(history.outdir), sql.format(run=history.runs[1]))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("oci-inv: error: ") and done.stderr.count("\n") == 1
    assert _digest(history.outdir) == before


def test_bad_sql_is_exit_2_with_the_engine_message_on_one_line(history: History) -> None:
    done = history.oci("query", "--outdir", str(history.outdir), "SELECT nosuchcolumn FROM resources")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "nosuchcolumn" in done.stderr and "Binder Error" in done.stderr
    neither = history.oci("query", "--outdir", str(history.outdir))
    assert neither.returncode == 2 and "--example" in neither.stderr


def test_missing_duckdb_is_the_actionable_exit_2(cli, history: History, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "duckdb", None)
    result = cli("query", "--outdir", str(history.outdir), "SELECT 1")
    assert result.code == 2
    assert result.err.strip() == (
        "oci-inv: error: query needs duckdb, which is not installed (pip install 'oci-inventory[query]')"
    )


@pytest.mark.parametrize("name", examples.names())
def test_every_example_runs(history: History, name: str) -> None:
    assert examples.title(name)
    done = history.oci("query", "--outdir", str(history.outdir), "--example", name, "--format", "json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)


def test_public_buckets_are_the_public_buckets_of_the_newest_complete_run(history: History) -> None:
    got = rows(history, examples.sql("public-buckets"))
    expected = {
        r["ocid"]
        for r in lines(history.runs[1] / "inventory.jsonl")
        if r["resourceType"] == "Bucket" and r["details"].get("publicAccessType", "NoPublicAccess") != "NoPublicAccess"
    }
    assert expected and {r["ocid"] for r in got} == expected
    assert all(r["public_since"] in (history_started(history, 0), history_started(history, 1)) for r in got)


def test_untagged_instances_have_no_cost_center_tag(history: History) -> None:
    got = rows(history, examples.sql("untagged-instances"))
    instances = [r for r in lines(history.runs[1] / "inventory.jsonl") if r["resourceType"] == "Instance"]
    tagged = {r["ocid"] for r in instances if "costcenter" in json.dumps(r["definedTags"]).lower().replace("-", "")}
    assert got and {r["ocid"] for r in got} == {r["ocid"] for r in instances} - tagged


def history_started(history: History, index: int) -> str:
    return str(read_json(history.runs[index] / "run_summary.json")["started_at"])
