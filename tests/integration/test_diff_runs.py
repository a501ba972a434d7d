"""Two runs with a change in between: ``run --prev`` and ``oci-inv diff`` agree with what the emulator changed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.helpers import run_dir


def test_run_with_prev_and_the_diff_command(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = cli("run", *tenancy.args, "--outdir", str(tmp_path / "runs"), "--quiet")
    assert first.code == 0, first.err
    a = run_dir(first.out)
    change = tenancy.emu.mutate(seed=99, add=7, remove=4, change=6)
    second = cli("run", *tenancy.args, "--outdir", str(tmp_path / "runs"), "--quiet", "--prev", str(a))
    assert second.code == 0, second.err
    b = run_dir(second.out)
    assert a != b and a.exists(), "the earlier run is untouched and a new directory was made"

    diff = json.loads((b / "diff.json").read_text())
    summary = json.loads((b / "diff_summary.json").read_text())
    removed_live = {o for o in change.removed if o in {r["ocid"] for r in diff["removed"]}}
    # a changed resource may turn TERMINATED (removed) or come back from it (added)
    assert {r["ocid"] for r in diff["added"]} <= set(change.added) | set(change.changed) and diff["added"]
    assert removed_live and {r["ocid"] for r in diff["removed"]} <= set(change.removed) | set(change.changed)
    assert {c["ocid"] for c in diff["changed"]} <= set(change.changed) and diff["changed"]
    for entry in diff["changed"]:
        assert entry["changedFields"] and entry["prevHash"] != entry["currHash"]
        assert all(f != "collectedAt" for f in entry["changedFields"])
    assert summary["added"] == len(diff["added"]) and summary["unchanged"] == len(diff["unchanged"])
    assert sum(v["changed"] for v in summary["by_resource_type"].values()) == summary["changed"]

    out = tmp_path / "standalone"
    result = cli("diff", "--prev", str(a / "inventory.jsonl"), "--curr", str(b), "--outdir", str(out))
    assert result.code == 0, result.err
    assert (out / "diff.json").read_bytes() == (b / "diff.json").read_bytes()
    standalone = json.loads(result.out)["summary"]
    assert standalone["currRun"]["path"] == str(b) and summary["currRun"]["path"] is None
    assert {k: v for k, v in standalone.items() if k not in ("prevRun", "currRun")} == {
        k: v for k, v in summary.items() if k not in ("prevRun", "currRun")
    }


def test_a_run_diffed_against_itself_is_all_unchanged(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--regions", "ap-tokyo-1")
    a = run_dir(first.out)
    second = cli(
        "run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--regions", "ap-tokyo-1", "--prev", str(a)
    )
    summary = json.loads((run_dir(second.out) / "diff_summary.json").read_text())
    lines = (a / "inventory.jsonl").read_text().splitlines()
    assert (summary["added"], summary["removed"], summary["changed"], summary["unchanged"]) == (0, 0, 0, len(lines))


def test_diff_input_errors_are_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.jsonl"
    good.write_text('{"ocid": "a", "resourceType": "X", "collectedAt": "2026-01-01T00:00:00.000Z"}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + '{"ocid": "b"}\n{broken\n')
    result = cli("diff", "--prev", str(good), "--curr", str(bad), "--outdir", str(tmp_path / "d"))
    assert result.code == 2 and f"{bad}:3" in result.err and "Traceback" not in result.err
    missing = cli("diff", "--prev", str(tmp_path / "nope"), "--curr", str(good))
    assert missing.code == 2 and str(tmp_path / "nope") in missing.err
    usage = cli("diff", "--prev", str(good))
    assert usage.code == 2 and "--curr" in usage.err and len(usage.err.strip().splitlines()) == 1


def test_demo_runs_end_to_end(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo", "--outdir", str(tmp_path), "--size", "400")
    assert result.code == 0, result.err
    for needle in ("validate-auth", "list-regions", "compartments in all", "Diff (diff_summary.json)", " added, "):
        assert needle in result.out
    runs = sorted(p for p in tmp_path.iterdir() if p.name[:1].isdigit())
    assert len(runs) == 2 and (runs[1] / "diff.json").exists()
