"""``oci-inv runs`` and ``runs prune``: statuses, counts and diff figures from the run files; what prune keeps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.history.conftest import History, read_json


def test_runs_lists_every_run_newest_first_with_status_records_and_diff(history: History) -> None:
    done = history.oci("runs", "--outdir", str(history.outdir), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["run_id"] for r in rows] == [p.name for p in reversed(history.runs)]
    assert [r["status"] for r in rows] == ["partial", "complete", "complete"]
    assert rows[0]["failed_regions"] == ["eu-frankfurt-1"] and rows[1]["failed_regions"] == []
    for row, path in zip(rows, reversed(history.runs), strict=True):
        summary = read_json(path / "run_summary.json")
        assert row["records"] == summary["total_discovered"]
        assert row["enriched_ok"] == summary["enriched_ok"]
        assert row["started_at"] == summary["started_at"]
        assert row["regions"] == ["eu-frankfurt-1", "us-ashburn-1"]
    diff = read_json(history.runs[1] / "diff_summary.json")
    assert (rows[1]["diff_added"], rows[1]["diff_removed"], rows[1]["diff_changed"]) == (
        diff["added"],
        diff["removed"],
        diff["changed"],
    )
    assert rows[1]["diff_prev_run_id"] == history.runs[0].name and rows[1]["parquet"] is True
    assert rows[0]["diff_not_compared"] == ["eu-frankfurt-1"]
    assert rows[2]["diff_added"] is None and rows[2]["parquet"] is False


def test_runs_table_names_failed_regions_and_csv_has_a_header(history: History) -> None:
    table = history.oci("runs", "--outdir", str(history.outdir))
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["Run", "Tenancy", "Started"]
    assert "partial (failed: eu-frankfurt-1)" in lines[1]
    assert f"vs {history.runs[0].name}" in lines[2]
    csv_out = history.oci("runs", "--outdir", str(history.outdir), "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("tenancy,tenancy_id,run_id,started_at")
    assert len(csv_out.stdout.splitlines()) == 4


def test_a_run_in_progress_is_neither_listed_nor_pruned(history: History, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(history.outdir, out)
    in_progress = out / ".20200101T000000Z.partial-1-abcd"
    in_progress.mkdir()
    rows = json.loads(history.oci("runs", "--outdir", str(out), "--format", "json").stdout)
    assert len(rows) == 3
    history.oci("runs", "prune", "--outdir", str(out), "--keep", "1")
    assert in_progress.is_dir()


def test_prune_keeps_the_newest_and_the_newest_complete_run(history: History, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(history.outdir, out)
    dry = history.oci("runs", "prune", "--outdir", str(out), "--keep", "1", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    assert [r["action"] for r in json.loads(dry.stdout)] == ["kept", "kept", "would remove"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in history.runs)
    done = history.oci("runs", "prune", "--outdir", str(out), "--keep", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["run_id"], r["action"]) for r in rows] == [
        (history.runs[2].name, "kept"),
        (history.runs[1].name, "kept"),  # the newest complete run: the newest run is partial
        (history.runs[0].name, "removed"),
    ]
    assert "newest complete" in rows[1]["reason"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in history.runs[1:])
    assert "removed 1 of 3 run(s)" in done.stderr


def test_prune_by_age_keeps_recent_runs_and_needs_a_rule(history: History, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(history.outdir, out)
    done = history.oci("runs", "prune", "--outdir", str(out), "--keep-days", "3650")
    assert done.returncode == 0 and len([p for p in out.iterdir()]) == 3
    missing = history.oci("runs", "prune", "--outdir", str(out))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "--keep" in missing.stderr
    assert history.oci("runs", "--outdir", str(tmp_path / "nope")).returncode == 2


def test_run_keep_runs_prunes_after_a_complete_run(history: History, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(history.outdir, out)
    done = history.oci("run", "--outdir", str(out), "--quiet", "--no-enrich", "--keep-runs", "2")
    assert done.returncode == 0, done.stderr
    newest = Path(done.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in out.iterdir()) == sorted([history.runs[2].name, newest.name])
    assert "removed 2 old run(s)" in done.stderr
