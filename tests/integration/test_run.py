"""``oci-inv run`` end to end: the real SDK against the emulated tenancy."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from oci_inventory.export.csv import csv_cell
from tests.integration.helpers import TERMINAL, expected_ocids, records, run_dir, summary

ALL = ["ap-tokyo-1", "eu-frankfurt-1", "us-ashburn-1"]


@pytest.fixture(scope="module")
def first_run(shared_tenancy, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One full run of the shared tenancy, reused by the read-only assertions below."""
    from oci_inventory.cli import main

    out = tmp_path_factory.mktemp("run1")
    shared_tenancy.emu.journal.clear()
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
        main(["run", *shared_tenancy.args, "--outdir", str(out), "--quiet"])
    assert exit_info.value.code == 0
    return run_dir(buffer.getvalue()), list(shared_tenancy.emu.journal.entries())


def test_every_resource_once_with_terminated_dropped(first_run, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    directory, _ = first_run
    recs = records(directory)
    ocids = [r["ocid"] for r in recs]
    assert len(ocids) == len(set(ocids)), "one record per OCID"
    assert set(ocids) == expected_ocids(shared_tenancy.emu.model, ALL)
    assert not any(r["lifecycleState"] in TERMINAL for r in recs)
    terminated = expected_ocids(shared_tenancy.emu.model, ALL, include_terminated=True) - set(ocids)
    assert terminated and summary(directory)["terminated_dropped"] == len(terminated)


def test_region_is_the_region_searched_and_global_resources_get_home(first_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.tenancy import region_of

    recs = records(first_run[0])
    global_recs = [r for r in recs if region_of(r["ocid"]) is None]
    assert global_recs and {r["region"] for r in global_recs} == {"us-ashburn-1"}
    regional = [r for r in recs if region_of(r["ocid"]) is not None]
    assert all(r["region"] == region_of(r["ocid"]) for r in regional)
    assert {r["region"] for r in regional} == set(ALL)


def test_duplicates_across_regions_are_counted(first_run, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.tenancy import region_of

    global_in_model = [r for r in shared_tenancy.emu.model.resources if region_of(r["identifier"]) is None]
    assert summary(first_run[0])["duplicates_merged"] == 2 * len(global_in_model)  # seen in 3 regions, kept once


def test_jsonl_sorted_keys_sorted_lines_and_schema(first_run, record_validator) -> None:  # type: ignore[no-untyped-def]
    directory = first_run[0]
    lines = (directory / "inventory.jsonl").read_bytes().decode("utf-8").splitlines()
    ocids = []
    for line in lines:
        record = json.loads(line)
        assert line == json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        record_validator.validate(record)
        ocids.append(record["ocid"])
    assert ocids == sorted(ocids)


def test_csv_round_trips_hazardous_names(first_run) -> None:  # type: ignore[no-untyped-def]
    directory = first_run[0]
    recs = {r["ocid"]: r for r in records(directory)}
    with (directory / "inventory.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(recs)
    hazards = 0
    for row in rows:
        rec = recs[row["ocid"]]
        assert row["displayName"] == csv_cell(rec["displayName"] or ""), "exact, or with the spreadsheet protection"
        assert json.loads(row["freeformTags"]) == rec["freeformTags"]
        assert json.loads(row["definedTags"]) == rec["definedTags"]
        name = rec["displayName"] or ""
        if any(c in name for c in ',"\n') or name[:1] in ("=", "+", "-", "@"):
            hazards += 1
    assert hazards >= 5, "the emulated tenancy has CSV-hazard names and they survived"
    assert any(row["displayName"].startswith("'=") for row in rows), "formulas are prefixed"


def test_run_summary_agrees_with_the_file(first_run) -> None:  # type: ignore[no-untyped-def]
    directory = first_run[0]
    recs = records(directory)
    s = summary(directory)
    assert s["total_discovered"] == len(recs)
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for r in recs:
        by_type[r["resourceType"]] = by_type.get(r["resourceType"], 0) + 1
        by_status[r["enrichStatus"]] = by_status.get(r["enrichStatus"], 0) + 1
    assert s["counts_by_resource_type"] == dict(sorted(by_type.items()))
    assert {k: v for k, v in s["counts_by_enrich_status"].items() if v} == by_status
    assert s["enriched_ok"] == by_status.get("OK", 0) > 0
    assert s["not_implemented"] == by_status.get("NOT_IMPLEMENTED", 0) and s["errors"] == 0
    assert s["enriched_ok"] + s["not_implemented"] + s["errors"] == s["total_discovered"]
    assert [r["region"] for r in s["regions"]] == ALL and {r["status"] for r in s["regions"]} == {"ok"}
    assert s["query"] == "query all resources" and s["schema_version"] and s["tool_version"]
    assert s["tenancy_id"] == json.loads(json.dumps(s))["tenancy_id"]


def test_relationships_file_matches_records(first_run) -> None:  # type: ignore[no-untyped-def]
    directory = first_run[0]
    edges = [json.loads(line) for line in (directory / "relationships.jsonl").read_text().splitlines()]
    from_records = sorted(
        (r["ocid"], rel["relation"], rel["targetOcid"]) for r in records(directory) for rel in r["relationships"]
    )
    assert edges and sorted((e["sourceOcid"], e["relation"], e["targetOcid"]) for e in edges) == from_records
    compartments = [r for r in records(directory) if r["resourceType"] == "Compartment"]
    assert all(r["enrichStatus"] == "OK" and r["details"]["id"] == r["ocid"] for r in compartments)
    # every resource -> its compartment, whatever its enricher
    assert {(r["ocid"], r["compartmentId"]) for r in records(directory)} == {
        (e["sourceOcid"], e["targetOcid"]) for e in edges if e["relation"] == "IN_COMPARTMENT"
    }


def test_the_journal_shows_only_reads(first_run) -> None:  # type: ignore[no-untyped-def]
    journal = first_run[1]
    assert journal
    for entry in journal:
        read = entry.method == "GET" or (entry.method == "POST" and entry.operation == "SearchResources")
        assert read, f"not a read: {entry.method} {entry.path}"
    searches = [e for e in journal if e.operation == "SearchResources"]
    assert {e.region for e in searches} == set(ALL) and all("limit=1000" in e.path for e in searches)


def test_same_tenancy_twice_gives_identical_files_but_collected_at(
    first_run, shared_tenancy, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--workers-enrich", "3")
    assert result.code == 0, result.err
    second = run_dir(result.out)

    def strip(directory: Path) -> list[str]:
        out = []
        for line in (directory / "inventory.jsonl").read_text().splitlines():
            rec = json.loads(line)
            rec.pop("collectedAt")
            out.append(json.dumps(rec, sort_keys=True))
        return out

    assert strip(first_run[0]) == strip(second)
    assert (first_run[0] / "relationships.jsonl").read_bytes() == (second / "relationships.jsonl").read_bytes()
    assert (first_run[0] / "inventory.csv").read_bytes() == (second / "inventory.csv").read_bytes()


def test_discovery_follows_many_pages(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator import Emulator

    with Emulator(seed=3, size=2600, regions=("us-phoenix-1",)).start() as emu:
        cfg = emu.write_oci_config(tmp_path / "emu")
        result = cli(
            "run",
            "--config-file",
            str(cfg),
            "--endpoint-template",
            emu.endpoint_template,
            "--outdir",
            str(tmp_path / "out"),
            "--quiet",
            "--search-shards",
            "off",  # one page chain (sharding: tests/integration/test_discovery_scale.py)
        )
        assert result.code == 0, result.err
        directory = run_dir(result.out)
        assert {r["ocid"] for r in records(directory)} == expected_ocids(emu.model, ["us-phoenix-1"])
        region = summary(directory)["regions"][0]
        searched = len(emu.model.region_resources("us-phoenix-1"))
        assert region["records"] == searched and region["pages"] == -(-searched // 1000) >= 3
        pages = [e for e in emu.journal.entries() if e.operation == "SearchResources"]
        assert len(pages) == region["pages"] and sum("page=" in e.path for e in pages) == len(pages) - 1


def test_custom_query_and_include_terminated(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "run",
        *shared_tenancy.args,
        "--outdir",
        str(tmp_path),
        "--quiet",
        "--query",
        "query instance resources",
        "--include-terminated",
        "--regions",
        "eu-frankfurt-1",
    )
    assert result.code == 0, result.err
    recs = records(run_dir(result.out))
    model = shared_tenancy.emu.model
    expected = {
        r["identifier"]
        for r in model.resources
        if r["resourceType"] == "Instance"
        and r["identifier"] in expected_ocids(model, ["eu-frankfurt-1"], include_terminated=True)
    }
    assert {r["ocid"] for r in recs} == expected
    assert any(r["lifecycleState"] == "TERMINATED" for r in recs)
    assert {r["region"] for r in recs} == {"eu-frankfurt-1"}


def test_custom_query_is_filtered_client_side(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "run",
        *shared_tenancy.args,
        "--outdir",
        str(tmp_path),
        "--quiet",
        "--query",
        "query instance resources where lifecycleState = 'TERMINATED'",
    )
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    assert records(directory) == [] and summary(directory)["terminated_dropped"] > 0


def test_compartment_scoping_with_and_without_subtree(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = shared_tenancy.emu.model
    live = [c for c in model.compartments if c["lifecycleState"] == "ACTIVE"]
    children: dict[str, list[str]] = {}
    for c in model.compartments:
        children.setdefault(c["compartmentId"], []).append(c["id"])
    root = next(c for c in live if c["compartmentId"] == model.tenancy_id and children.get(c["id"]))
    subtree, stack = {root["id"]}, [root["id"]]
    while stack:
        for child in children.get(stack.pop(), []):
            subtree.add(child)
            stack.append(child)
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--compartment", root["id"])
    assert result.code == 0, result.err
    scoped = records(run_dir(result.out))
    assert scoped and {r["compartmentId"] for r in scoped} <= subtree
    assert {r["ocid"] for r in scoped} == {
        o
        for o in expected_ocids(model, ALL)
        if next(x for x in model.resources if x["identifier"] == o)["compartmentId"] in subtree
    }
    only = cli(
        "run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--compartment", root["id"], "--no-subtree"
    )
    assert {r["compartmentId"] for r in records(run_dir(only.out))} == {root["id"]}


def test_parquet_round_trip(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    result = cli(
        "run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet", "--parquet", "--regions", "ap-tokyo-1"
    )
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    table = pq.read_table(directory / "inventory.parquet")
    recs = records(directory)
    assert table.num_rows == len(recs)
    rows = table.to_pylist()
    assert [r["ocid"] for r in rows] == [r["ocid"] for r in recs]
    assert [r["displayName"] for r in rows] == [r["displayName"] for r in recs]
    assert [json.loads(r["details"]) for r in rows] == [r["details"] for r in recs]
    assert str(table.schema.field("timeCreated").type).startswith("timestamp[ms")


def test_missing_pyarrow_is_exit_2_before_any_api_call(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    tenancy.emu.journal.clear()
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "o"), "--parquet")
    assert result.code == 2
    assert "pip install 'oci-inventory[parquet]'" in result.err and "Traceback" not in result.err
    assert tenancy.emu.journal.entries() == []
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_run_flags_come_from_environment_and_settings_file(
    cli, shared_tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings = tmp_path / "oci-inv.yaml"
    settings.write_text(f"include-terminated: true\nquery: query vcn resources\noutdir: {tmp_path / 'from-file'}\n")
    monkeypatch.setenv("OCI_INV_REGIONS", "ap-tokyo-1")
    monkeypatch.setenv("OCI_INV_QUIET", "true")
    result = cli("run", *shared_tenancy.args, "--config", str(settings))
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    assert directory.parent == tmp_path / "from-file"
    recs = records(directory)
    assert recs and {r["resourceType"] for r in recs} == {"Vcn"} and {r["region"] for r in recs} == {"ap-tokyo-1"}
    flags = summary(directory)["flags"]
    assert flags["regions"] == ["ap-tokyo-1"] and flags["include_terminated"] is True


def test_export_processes_write_the_same_csv_and_report(
    first_run, shared_tenancy, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A run of FOLLOW_MIN_RECORDS records or more writes its CSV and counts its report's figures in a process of
    its own (export/follower.py): the same CSV and GraphML bytes and the same report as the run that did all of it
    in process."""
    from oci_inventory import pipeline

    monkeypatch.setattr(pipeline, "FOLLOW_MIN_RECORDS", 0)
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 0, result.err
    second = run_dir(result.out)
    for name in ("inventory.csv", "graph.graphml"):
        assert (first_run[0] / name).read_bytes() == (second / name).read_bytes(), name
    log = (second / "run.log").read_text()
    assert "inventory.csv: " in log and "rows written by process" in log and "graph.graphml: " not in log

    def figures(directory: Path) -> str:
        text = (directory / "report.md").read_text().replace(directory.name, "RUN")
        return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z|\d+(\.\d+)? s\b", "TIME", text)

    assert figures(first_run[0]) == figures(second)
