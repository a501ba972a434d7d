"""Diffs people can trust: only what both runs covered is compared, scopes must match, runs are never written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from oci_inventory.export.rundir import find_runs
from tests.integration.helpers import records, run_dir, summary

FRANKFURT = "eu-frankfurt-1"


def _region_count(directory: Path, region: str) -> int:
    return sum(1 for r in records(directory) if r["region"] == region)


def _diff_summary(directory: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((directory / "diff_summary.json").read_text())


def _fingerprint(*directories: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for d in directories
        for p in sorted(d.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fast_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "2")


def test_a_region_down_now_is_not_a_mass_removal(cli, tenancy, tmp_path: Path, fast_failures: None) -> None:  # type: ignore[no-untyped-def]
    out = str(tmp_path / "runs")
    first = run_dir(cli("run", *tenancy.args, "--outdir", out, "--quiet").out)
    tenancy.emu.faults.configure(down_regions={FRANKFURT})
    second = cli("run", *tenancy.args, "--outdir", out, "--quiet", "--prev", str(first))
    assert second.code == 4, second.err
    diff = _diff_summary(run_dir(second.out))
    assert (diff["added"], diff["removed"], diff["changed"]) == (0, 0, 0)
    in_frankfurt = _region_count(first, FRANKFURT)
    assert in_frankfurt > 0
    assert diff["unchanged"] == len(records(first)) - in_frankfurt
    [entry] = diff["notCompared"]
    assert entry["region"] == FRANKFURT and entry["reason"].startswith("failed in the current run: ")
    assert (entry["prevRecords"], entry["currRecords"]) == (in_frankfurt, 0)
    warnings = [line for line in second.err.splitlines() if "not compared" in line]
    assert warnings == [
        f"oci-inv: warning: not compared: {FRANKFURT} (failed in the current run); its {in_frankfurt}/0 resources "
        "(previous/current run) are neither added nor removed"
    ]
    assert summary(run_dir(second.out))["status"] == "partial" and summary(first)["status"] == "complete"


def test_a_partial_previous_run_gives_no_false_additions(cli, tenancy, tmp_path: Path, fast_failures: None) -> None:  # type: ignore[no-untyped-def]
    out = str(tmp_path / "runs")
    tenancy.emu.faults.configure(down_regions={FRANKFURT})
    first = cli("run", *tenancy.args, "--outdir", out, "--quiet")
    assert first.code == 4
    tenancy.emu.faults.reset()
    second = cli("run", *tenancy.args, "--outdir", out, "--quiet", "--prev", str(run_dir(first.out)))
    assert second.code == 0, second.err
    diff = _diff_summary(run_dir(second.out))
    assert (diff["added"], diff["removed"], diff["changed"]) == (0, 0, 0)
    assert diff["notCompared"] == [
        {
            "region": FRANKFURT,
            "reason": diff["notCompared"][0]["reason"],
            "prevRecords": 0,
            "currRecords": _region_count(run_dir(second.out), FRANKFURT),
        }
    ]
    assert diff["notCompared"][0]["reason"].startswith("failed in the previous run: ")
    assert diff["prevRun"] == {
        "path": run_dir(first.out).as_posix(),
        "status": "partial",
        "started_at": summary(run_dir(first.out))["started_at"],
    }
    assert diff["currRun"]["path"] is None and diff["currRun"]["status"] == "complete"


def test_other_regions_are_not_compared_rather_than_removed(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run_dir(cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet").out)
    second = cli(
        "run",
        *shared_tenancy.args,
        "--outdir",
        str(tmp_path),
        "--quiet",
        "--regions",
        "ap-tokyo-1",
        "--prev",
        str(first),
    )
    assert second.code == 0, second.err
    diff = _diff_summary(run_dir(second.out))
    assert (diff["added"], diff["removed"], diff["changed"]) == (0, 0, 0), "IAM resources moved region: no change"
    assert [(e["region"], e["reason"]) for e in diff["notCompared"]] == [
        (FRANKFURT, "not in the current run's regions"),
        ("us-ashburn-1", "not in the current run's regions"),
    ]
    prev_records = sum(e["prevRecords"] for e in diff["notCompared"])
    assert prev_records == len(records(first)) - _region_count(first, "ap-tokyo-1")
    assert "not compared: eu-frankfurt-1 (not in the current run's regions), us-ashburn-1" in second.err


def test_a_different_query_is_exit_2_unless_allowed(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = str(tmp_path / "runs")
    first = run_dir(cli("run", *tenancy.args, "--outdir", out, "--quiet").out)
    tenancy.emu.journal.clear()
    narrow = ["--query", "query Instance resources", "--prev", str(first)]
    refused = cli("run", *tenancy.args, "--outdir", out, "--quiet", *narrow)
    assert refused.code == 2, refused.err
    [line] = refused.err.strip().splitlines()
    assert "query differs: previous 'query all resources', current 'query Instance resources'" in line
    assert "--allow-scope-change" in line
    assert not [e for e in tenancy.emu.journal.entries() if e.operation == "SearchResources"], "refused before search"
    assert find_runs(Path(out)) == [first]

    allowed = cli("run", *tenancy.args, "--outdir", out, "--quiet", *narrow, "--allow-scope-change")
    assert allowed.code == 0, allowed.err
    diff = _diff_summary(run_dir(allowed.out))
    assert diff["scopeChange"] == {"query": {"previous": "query all resources", "current": "query Instance resources"}}
    assert "scope changed (--allow-scope-change): query" in allowed.err
    standalone = cli("diff", "--prev", str(first), "--curr", str(run_dir(allowed.out)))
    assert standalone.code == 2 and "query differs" in standalone.err


def test_a_truncated_previous_inventory_is_exit_2_before_any_api_call(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run_dir(cli("run", *tenancy.args, "--outdir", str(tmp_path / "runs"), "--quiet").out)
    copy = tmp_path / "copy"
    shutil.copytree(first, copy)
    lines = (copy / "inventory.jsonl").read_text().splitlines(keepends=True)
    (copy / "inventory.jsonl").write_text("".join(lines[:-5]))
    tenancy.emu.journal.clear()
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "runs"), "--quiet", "--prev", str(copy))
    assert result.code == 2, result.err
    assert result.err.strip() == (
        f"oci-inv: error: {copy / 'inventory.jsonl'} has {len(lines) - 5} records but its run_summary.json says "
        f"{len(lines)}: truncated or edited; use an untouched run"
    )
    assert tenancy.emu.journal.entries() == [], "rejected before any API call"
    diffed = cli("diff", "--prev", str(copy), "--curr", str(first))
    assert diffed.code == 2 and "truncated or edited" in diffed.err


def test_a_bare_inventory_is_compared_with_a_note(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_dir(cli("run", *shared_tenancy.args, "--outdir", str(tmp_path / "runs"), "--quiet").out)
    bare = tmp_path / "bare" / "inventory.jsonl"
    bare.parent.mkdir()
    shutil.copy(run / "inventory.jsonl", bare)
    result = cli("diff", "--prev", str(bare), "--curr", str(run), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["summary"]["unchanged"] == len(records(run)) and doc["summary"]["notCompared"] == []
    [note] = doc["summary"]["notes"]
    assert note.startswith(f"the previous inventory {bare} has no run_summary.json: compared as complete")
    assert result.err.splitlines() == [f"oci-inv: note: {note}"]


def test_prev_latest_without_a_complete_run_proceeds_without_a_diff(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "fresh"
    result = cli("run", *shared_tenancy.args, "--outdir", str(out), "--quiet", "--prev", "latest")
    assert result.code == 0, result.err
    assert f"oci-inv: no complete previous run in {out}; this run has no diff" in result.err.splitlines()
    directory = run_dir(result.out)
    assert not (directory / "diff.json").exists()
    again = cli("run", *shared_tenancy.args, "--outdir", str(out), "--quiet", "--prev", "latest")
    assert again.code == 0 and _diff_summary(run_dir(again.out))["prevRun"]["path"] == str(directory)


def test_prev_latest_skips_a_partial_newest_run(cli, tenancy, tmp_path: Path, fast_failures: None) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "runs"
    complete = run_dir(cli("run", *tenancy.args, "--outdir", str(out), "--quiet").out)
    tenancy.emu.faults.configure(down_regions={FRANKFURT})
    partial = cli("run", *tenancy.args, "--outdir", str(out), "--quiet")
    assert partial.code == 4 and find_runs(out)[-1] == run_dir(partial.out)
    tenancy.emu.faults.reset()
    result = cli("run", *tenancy.args, "--outdir", str(out), "--quiet", "--prev", "latest")
    assert result.code == 0, result.err
    diff = _diff_summary(run_dir(result.out))
    assert diff["prevRun"]["path"] == str(complete) and diff["notCompared"] == []
    assert diff["unchanged"] == len(records(complete))


def test_the_diff_command_never_writes_into_a_run(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = str(tmp_path / "runs")
    a = run_dir(cli("run", *tenancy.args, "--outdir", out, "--quiet").out)
    change = tenancy.emu.mutate(seed=3, add=5, remove=3, change=4)
    b = run_dir(cli("run", *tenancy.args, "--outdir", out, "--quiet").out)
    before = _fingerprint(a, b)

    result = cli("diff", "--prev", str(a), "--curr", str(b))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert sorted(doc) == ["added", "changed", "removed", "summary"]
    # a changed resource may come back from TERMINATED: then it is added
    assert {r["ocid"] for r in doc["added"]} <= set(change.added) | set(change.changed) and doc["added"]
    assert {c["ocid"] for c in doc["changed"]} <= set(change.changed) and doc["changed"]
    assert doc["summary"]["added"] == len(doc["added"]) and "unchanged" not in doc
    for entry in doc["changed"]:
        assert set(entry["before"]) | set(entry["after"]) == set(entry["changedFields"])

    target = tmp_path / "diffs"
    written = cli("diff", "--prev", str(a), "--curr", str(b), "--outdir", str(target), "--format", "json")
    assert written.code == 0 and json.loads(written.out) == doc
    assert json.loads((target / "diff_summary.json").read_text()) == doc["summary"]
    assert json.loads((target / "diff.json").read_text())["added"] == doc["added"]

    into_run = cli("diff", "--prev", str(a), "--curr", str(b), "--outdir", str(b))
    assert into_run.code == 2 and len(into_run.err.strip().splitlines()) == 1
    assert "is a run directory" in into_run.err and into_run.out == ""
    assert _fingerprint(a, b) == before, "both runs byte-identical"
    assert sorted(p.name for p in b.iterdir()) == sorted(Path(p).name for p in before if p.startswith(str(b)))


def _bare(path: Path, rows: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    return path


def test_the_table_prints_names_from_oci_literally(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = {"collectedAt": "2026-01-01T00:00:00.000Z", "displayName": "[link=http://x]y[/link]"}
    prev = _bare(tmp_path / "prev.jsonl", [{**base, "ocid": "a", "resourceType": "Vcn", "region": FRANKFURT}])
    curr_rows = [
        {**base, "ocid": "a", "resourceType": "Vcn", "region": FRANKFURT},
        {**base, "ocid": "b", "resourceType": "acme[/bold]", "region": FRANKFURT},
        {**base, "ocid": "c", "resourceType": "[/]", "region": FRANKFURT},
        {**base, "ocid": "d", "resourceType": "Vcn", "region": "[red]x\x1b[2J"},
    ]
    curr = _bare(tmp_path / "curr.jsonl", curr_rows)
    result = cli("diff", "--prev", str(prev), "--curr", str(curr), "--format", "table")
    assert result.code == 0, result.err
    assert "acme[/bold]" in result.out and "│ [/]" in result.out
    assert "2 added, 0 removed, 0 changed, 1 unchanged" in result.out
    assert "not compared: [red]x\\x1b[2J: not in the previous run's regions (0 previous, 1 current" in result.out
    assert "\x1b" not in result.out + result.err


def test_the_table_of_two_identical_runs_is_one_line_not_an_empty_table(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    row = {"collectedAt": "2026-01-01T00:00:00.000Z", "ocid": "a", "resourceType": "Vcn", "region": FRANKFURT}
    prev = _bare(tmp_path / "prev.jsonl", [row])
    curr = _bare(tmp_path / "curr.jsonl", [row])
    result = cli("diff", "--prev", str(prev), "--curr", str(curr), "--format", "table")
    assert result.code == 0, result.err
    assert "Diff by resource type" not in result.out
    assert result.out.splitlines()[0] == "0 added, 0 removed, 0 changed, 1 unchanged"
