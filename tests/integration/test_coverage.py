"""``oci-inv enrich-coverage`` from a run directory and live, and the coverage and API-call figures of
run_summary.json, against the emulator."""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import expected_ocids, records, summary

STATUSES = ("OK", "NOT_IMPLEMENTED", "ERROR", "SKIPPED")
SERVICE_REQUESTS = ("_emulator", "imds", "auth")  # journal services that are not OCI API calls


@dataclass
class Run:
    directory: Path
    requests: int  # OCI API requests the emulator answered during the run


@pytest.fixture(scope="module")
def full_run(shared_tenancy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:  # type: ignore[no-untyped-def]
    from oci_inventory.cli import main

    out = tmp_path_factory.mktemp("coverage-run")
    shared_tenancy.emu.journal.clear()
    try:
        main(["run", *shared_tenancy.args, "--outdir", str(out), "--quiet"])
    except SystemExit as exc:
        assert exc.code == 0
    requests = sum(1 for e in shared_tenancy.emu.journal.entries() if e.service not in SERVICE_REQUESTS)
    yield Run(next(p for p in out.iterdir() if p.name[:1].isdigit()), requests)


def _expected_rows(directory: Path) -> dict[str, dict[str, Any]]:
    from oci_inventory.enrich.registry import REGISTRY

    by_type: dict[str, Counter[str]] = {}
    for record in records(directory):
        by_type.setdefault(record["resourceType"], Counter())[record["enrichStatus"]] += 1
    return {
        rtype: {
            "resourceType": rtype,
            "count": sum(counts.values()),
            "enricher": REGISTRY.get(rtype) is not REGISTRY.default,
            **{status: counts[status] for status in STATUSES},
            "gap": sum(counts.values()) - counts["OK"],
        }
        for rtype, counts in by_type.items()
    }


def test_json_from_a_run_counts_exactly_its_records(cli, full_run: Run) -> None:  # type: ignore[no-untyped-def]
    result = cli("enrich-coverage", "--inventory", str(full_run.directory), "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["statuses_known"] is True and data["source"] == str(full_run.directory)
    expected = _expected_rows(full_run.directory)
    assert {row["resourceType"]: row for row in data["rows"]} == expected
    keys = [(-row["gap"], row["resourceType"]) for row in data["rows"]]
    assert keys == sorted(keys), "biggest gap first, ties by name"
    totals = data["totals"]
    assert totals["count"] == len(records(full_run.directory)) == summary(full_run.directory)["total_discovered"]
    assert totals["types"] == len(expected)
    assert totals["types_with_enricher"] == sum(1 for row in expected.values() if row["enricher"])
    for key in (*STATUSES, "gap"):
        assert totals[key] == sum(row[key] for row in expected.values())


def test_table_and_csv_from_a_run(cli, full_run: Run) -> None:  # type: ignore[no-untyped-def]
    expected = _expected_rows(full_run.directory)
    table = cli("enrich-coverage", "--inventory", str(full_run.directory))
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert lines[0] == f"Enrichment coverage of {full_run.directory}"
    assert lines[1].split() == ["Resource", "type", "Count", "Enricher", *STATUSES, "Gap"]
    assert len(lines) == 2 + len(expected) + 1
    total = lines[-1].split()
    assert total[:3] == ["TOTAL", f"({len(expected)}", "types)"]
    assert total[3] == str(sum(row["count"] for row in expected.values()))
    biggest = max(expected.values(), key=lambda r: (r["gap"], [-ord(c) for c in r["resourceType"]]))
    assert lines[2].split()[:2] == [biggest["resourceType"], str(biggest["count"])]

    result = cli("enrich-coverage", "--inventory", str(full_run.directory), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["resourceType"] for r in rows] == [line.split()[0] for line in lines[2:-1]]
    assert {r["resourceType"]: int(r["OK"]) for r in rows} == {t: r["OK"] for t, r in expected.items()}


def test_the_summary_figures_are_present_and_consistent(full_run: Run) -> None:
    from oci_inventory.enrich.registry import REGISTRY

    s = summary(full_run.directory)
    calls = s["api_calls"]
    assert calls["total"] == sum(calls["by_operation"].values()) == sum(calls["by_service"].values())
    assert calls["total"] == full_run.requests, "one counted call per request the emulator answered"
    assert 0 < sum(calls["by_type"].values()) < calls["total"]  # discovery calls belong to no type
    assert set(calls["by_type"]) <= set(s["counts_by_resource_type"])
    assert calls["per_resource"] == round(calls["total"] / s["total_discovered"], 3)
    assert calls["by_operation"]["search_resources"] >= 3  # one page at least per region

    coverage = s["coverage_by_type"]
    assert sum(entry["count"] for entry in coverage.values()) == s["total_discovered"]
    assert {t: e["count"] for t, e in coverage.items()} == s["counts_by_resource_type"]
    for status in STATUSES:
        assert sum(entry[status] for entry in coverage.values()) == s["counts_by_enrich_status"][status]
    assert all(e["count"] == sum(e[status] for status in STATUSES) for e in coverage.values())
    assert {t: e["enricher"] for t, e in coverage.items()} == {
        t: REGISTRY.get(t) is not REGISTRY.default for t in coverage
    }
    assert list(coverage) == sorted(coverage)
    assert s["enrichment_s"] > 0


def test_a_hostile_type_name_is_shown_literally(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    name = "[bold]Evil[/bold]\x1b[2J"
    record = {"ocid": "ocid1.x.oc1..a", "resourceType": name, "enrichStatus": "NOT_IMPLEMENTED"}
    (tmp_path / "inventory.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    piped = cli("enrich-coverage", "--inventory", str(tmp_path))
    assert "[bold]Evil[/bold]\\x1b[2J" in piped.out and "\x1b" not in piped.out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    shown = cli("enrich-coverage", "--inventory", str(tmp_path))
    assert shown.code == 0 and "[bold]Evil[/bold]\\x1b[2J" in shown.out and "\x1b[2J" not in shown.out
    data = json.loads(cli("enrich-coverage", "--inventory", str(tmp_path), "--format", "json").out)
    assert data["rows"][0]["resourceType"] == name  # JSON carries the exact value


def test_live_coverage_discovers_without_enrichment_and_leaves_nothing(  # type: ignore[no-untyped-def]
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oci_inventory.enrich.registry import REGISTRY

    scratch, cwd = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(cwd)
    tenancy.emu.journal.clear()
    result = cli("enrich-coverage", *tenancy.args, "--format", "json")
    assert result.code == 0, result.err
    entries = tenancy.emu.journal.entries()
    assert list(scratch.iterdir()) == [] and list(cwd.iterdir()) == [], "no run directory is left behind"

    api = [e for e in entries if e.service not in SERVICE_REQUESTS]
    assert {e.service for e in api} <= {"identity", "query"}, "no enrichment call"
    assert "SearchResources" in {e.operation for e in api}
    assert all(e.method == "GET" or e.operation == "SearchResources" for e in api)

    data = json.loads(result.out)
    assert data["statuses_known"] is False and data["source"] == "live" and "unknown" in data["note"]
    model = tenancy.emu.model
    live = expected_ocids(model, list(model.regions))
    expected = Counter(r["resourceType"] for r in model.resources if r["identifier"] in live)
    assert {row["resourceType"]: row["count"] for row in data["rows"]} == dict(expected)
    assert all(row["OK"] is None and row["gap"] is None for row in data["rows"])
    assert all(row["enricher"] == (REGISTRY.get(row["resourceType"]) is not REGISTRY.default) for row in data["rows"])
    keys = [(row["enricher"], -row["count"], row["resourceType"]) for row in data["rows"]]
    assert keys == sorted(keys), "types without an enricher first, then by count"
    assert data["totals"]["count"] == len(live) and data["totals"]["OK"] is None

    table = cli("enrich-coverage", *tenancy.args)
    assert table.code == 0 and "unknown" in table.out.splitlines()[0]
    assert table.out.splitlines()[2].split()[-5:] == ["?"] * 5
