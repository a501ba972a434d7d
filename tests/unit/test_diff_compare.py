"""What a diff compares: regions both runs completed, the same scope, untouched inventories; changes listed once."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.diff.diff import check_inventory, diff_inventories, diff_runs
from oci_inventory.diff.fields import VALUE_LIMIT, bounded, changed_fields, field_changes
from oci_inventory.diff.scope import find_latest_complete, load_run, summary_status
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.export.rundir import RunDirectory, json_bytes
from oci_inventory.export.summary import RegionOutcome, RunScope, RunSummary
from oci_inventory.util.errors import InputError

REGIONS = ["ap-tokyo-1", "eu-frankfurt-1", "us-ashburn-1"]


def _rec(ocid: str, region: str, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": ocid,
        "resourceType": "Instance",
        "displayName": f"name-{ocid}",
        "compartmentId": "ocid1.compartment..c",
        "region": region,
        "lifecycleState": "RUNNING",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "definedTags": {"Ops": {"owner": "alice"}},
        "freeformTags": {"env": "prod"},
        "collectedAt": "2024-06-01T00:00:00.000Z",
        "enrichStatus": "NOT_IMPLEMENTED",
        "enrichError": None,
        "details": {
            "searchSummary": {
                "identifier": ocid,
                "displayName": f"name-{ocid}",
                "lifecycleState": "RUNNING",
                "freeformTags": {"env": "prod"},
                "definedTags": {"Ops": {"owner": "alice"}},
            }
        },
        "relationships": [],
    }
    rec.update(overrides)
    return rec


def _run(
    outdir: Path,
    second: int,
    records: list[dict[str, Any]],
    *,
    failed: dict[str, str] | None = None,
    regions: list[str] = REGIONS,
    query: str = "query all resources",
    compartments: list[str] | None = None,
    total: int | None = None,
) -> Path:
    """A committed run directory with these records and a run_summary.json saying how it went."""
    rd = RunDirectory.create(outdir, datetime(2024, 1, 1, 0, 0, second, tzinfo=UTC))
    write_jsonl(rd.file("inventory.jsonl"), (dumps_record(r) for r in sorted(records, key=lambda r: r["ocid"])))
    failed = failed or {}
    summary = RunSummary(
        started_at=datetime(2024, 1, 1, 0, 0, second, tzinfo=UTC),
        finished_at=datetime(2024, 1, 1, 0, 1, second, tzinfo=UTC),
        duration_s=60,
        query=query,
        regions=[
            RegionOutcome(r, "failed", error=failed[r]) if r in failed else RegionOutcome(r, "ok") for r in regions
        ],
        scope=RunScope(regions=regions, query=query, compartments=compartments),
    )
    data = summary.to_dict()
    data["total_discovered"] = len(records) if total is None else total
    rd.write_json("run_summary.json", data)
    return rd.commit()


def _tenancy() -> list[dict[str, Any]]:
    return [_rec(f"{region[:2]}{i}", region) for region in REGIONS for i in range(3)]


def test_run_summary_records_status_and_scope() -> None:
    scope = RunScope(regions=["b", "a"], query="q", compartments=["c2", "c1"], subtree=False)
    summary = RunSummary(
        started_at="2024-01-01T00:00:00Z",
        finished_at="2024-01-01T00:00:01Z",
        duration_s=1,
        regions=[RegionOutcome("a", "ok"), RegionOutcome("b", "ok")],
        scope=scope,
    )
    d = summary.to_dict()
    assert d["status"] == "complete"
    assert d["scope"] == {
        "regions": ["a", "b"],
        "query": "q",
        "compartments": ["c1", "c2"],
        "subtree": False,
        "include_terminated": False,
    }
    summary.regions[1] = RegionOutcome("b", "failed", error="503")
    assert summary.to_dict()["status"] == "partial"


def test_a_region_that_failed_now_is_not_compared(tmp_path: Path) -> None:
    records = _tenancy()
    prev = _run(tmp_path, 0, records)
    kept = [r for r in records if r["region"] != "eu-frankfurt-1"] + [records[3]]  # one record before the failure
    curr = _run(tmp_path, 1, kept, failed={"eu-frankfurt-1": "ServiceError: 503 ServiceUnavailable: down"})
    summary = diff_inventories(prev, curr).summary()
    assert (summary["added"], summary["removed"], summary["changed"], summary["unchanged"]) == (0, 0, 0, 6)
    assert summary["by_resource_type"] == {"Instance": {"added": 0, "removed": 0, "changed": 0, "unchanged": 6}}
    assert summary["notCompared"] == [
        {
            "region": "eu-frankfurt-1",
            "reason": "failed in the current run: ServiceError: 503 ServiceUnavailable: down",
            "prevRecords": 3,
            "currRecords": 1,
        }
    ]
    assert summary["prevRun"] == {"path": str(prev), "status": "complete", "started_at": "2024-01-01T00:00:00.000Z"}
    assert summary["currRun"]["status"] == "partial"


def test_a_partial_previous_run_gives_no_false_additions(tmp_path: Path) -> None:
    records = _tenancy()
    prev = _run(tmp_path, 0, [r for r in records if r["region"] != "ap-tokyo-1"], failed={"ap-tokyo-1": "timeout"})
    result = diff_inventories(prev, _run(tmp_path, 1, records))
    assert result.added_records() == [] and result.removed_records() == []
    assert result.summary()["notCompared"] == [
        {"region": "ap-tokyo-1", "reason": "failed in the previous run: timeout", "prevRecords": 0, "currRecords": 3}
    ]


def test_other_regions_are_not_compared_and_a_moved_global_resource_is_not_a_change(tmp_path: Path) -> None:
    records = _tenancy()
    iam = _rec("ocid1.user.oc1..u", "us-ashburn-1", resourceType="User")
    prev = _run(tmp_path, 0, [*records, iam])
    tokyo = [r for r in records if r["region"] == "ap-tokyo-1"]
    curr = _run(tmp_path, 1, [*tokyo, dict(iam, region="ap-tokyo-1")], regions=["ap-tokyo-1"])
    result = diff_inventories(prev, curr)
    summary = result.summary()
    assert (summary["added"], summary["removed"], summary["changed"], summary["unchanged"]) == (0, 0, 0, 3)
    assert summary["notCompared"] == [
        {"region": "eu-frankfurt-1", "reason": "not in the current run's regions", "prevRecords": 3, "currRecords": 0},
        {"region": "us-ashburn-1", "reason": "not in the current run's regions", "prevRecords": 4, "currRecords": 0},
    ]
    from oci_inventory.diff.render import warning_lines

    assert warning_lines(result) == [
        "oci-inv: warning: not compared: eu-frankfurt-1 (not in the current run's regions), us-ashburn-1 (not in "
        "the current run's regions); their 7/0 resources (previous/current run) are neither added nor removed"
    ]


def test_a_different_query_or_compartment_scope_is_an_input_error(tmp_path: Path) -> None:
    records = _tenancy()
    prev = _run(tmp_path, 0, records, compartments=["ocid1.compartment..a"])
    curr = _run(tmp_path, 1, records, query="query instance resources")
    with pytest.raises(InputError) as err:
        diff_inventories(prev, curr)
    message = str(err.value)
    assert "compartments differs: previous ocid1.compartment..a, current whole tenancy" in message
    assert "query differs: previous 'query all resources', current 'query instance resources'" in message
    assert "--allow-scope-change" in message
    summary = diff_inventories(prev, curr, allow_scope_change=True).summary()
    assert summary["scopeChange"] == {
        "compartments": {"previous": ["ocid1.compartment..a"], "current": None},
        "query": {"previous": "query all resources", "current": "query instance resources"},
    }
    assert summary["unchanged"] == 9
    spaced = _run(tmp_path, 2, records, query="  query   all resources ", compartments=["ocid1.compartment..a"])
    assert diff_inventories(prev, spaced).summary()["scopeChange"] is None, "whitespace is not a scope change"


@pytest.mark.parametrize("total", [8, 10])
def test_an_inventory_that_disagrees_with_its_summary_is_rejected(tmp_path: Path, total: int) -> None:
    good = _run(tmp_path, 0, _tenancy())
    edited = _run(tmp_path, 1, _tenancy(), total=total)
    expected = (
        f"{edited / 'inventory.jsonl'} has 9 records but its run_summary.json says {total}: truncated or edited; "
        "use an untouched run"
    )
    for prev, curr in ((edited, good), (good, edited)):
        with pytest.raises(InputError) as err:
            diff_inventories(prev, curr)
        assert str(err.value) == expected
    with pytest.raises(InputError, match="truncated or edited"):
        check_inventory(edited)
    assert check_inventory(good).total == 9


def test_a_summary_that_is_not_json_is_rejected(tmp_path: Path) -> None:
    run = _run(tmp_path, 0, _tenancy())
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    (copy_dir / "inventory.jsonl").write_bytes((run / "inventory.jsonl").read_bytes())
    (copy_dir / "run_summary.json").write_bytes((run / "run_summary.json").read_bytes()[:50])
    with pytest.raises(InputError, match=r"run_summary.json is not valid JSON: truncated or edited"):
        load_run(copy_dir)


def test_a_bare_inventory_is_complete_over_its_regions(tmp_path: Path) -> None:
    records = _tenancy()
    bare = tmp_path / "bare.jsonl"
    write_jsonl(bare, (dumps_record(r) for r in records if r["region"] != "us-ashburn-1"))
    curr = _run(tmp_path, 0, records)
    summary = diff_inventories(bare, curr).summary()
    assert summary["added"] == 0 and summary["unchanged"] == 6
    assert summary["notCompared"][0]["reason"] == "not in the previous run's regions"
    assert summary["notes"] == [
        f"the previous inventory {bare} has no run_summary.json: compared as complete over the regions found in it "
        "(ap-tokyo-1, eu-frankfurt-1); its query and compartment scope were not checked"
    ]


def test_old_summaries_without_status_are_complete_when_every_region_is_ok(tmp_path: Path) -> None:
    assert summary_status({"regions": [{"region": "a", "status": "ok"}]}) == "complete"
    assert summary_status({"regions": [{"region": "a", "status": "failed"}]}) == "partial"
    assert summary_status({"status": "partial", "regions": []}) == "partial"
    runs = [_run(tmp_path, i, _tenancy()) for i in range(3)]
    for run, status in zip(runs, ("ok", "ok", "failed"), strict=True):  # the newest one is partial
        data = orjson.loads((run / "run_summary.json").read_bytes())
        del data["status"], data["scope"]
        data["regions"][0]["status"] = status
        (run / "run_summary.json").write_bytes(json_bytes(data))
    assert find_latest_complete(tmp_path) == runs[1]
    assert find_latest_complete(tmp_path / "empty") is None
    assert load_run(runs[1]).scope == RunScope(regions=REGIONS, query="query all resources")


def test_changed_fields_lists_a_summary_copy_once() -> None:
    prev = _rec("a", "r")
    curr = copy.deepcopy(prev)
    curr["displayName"] = curr["details"]["searchSummary"]["displayName"] = "renamed"
    curr["freeformTags"]["env"] = curr["details"]["searchSummary"]["freeformTags"]["env"] = "dev"
    curr["definedTags"]["New"] = curr["details"]["searchSummary"]["definedTags"]["New"] = {"k": "v"}
    curr["details"]["searchSummary"]["lifecycleState"] = "STOPPED"  # only the copy: a change of its own
    curr["compartmentPath"] = "/moved"
    assert changed_fields(prev, curr) == [
        "definedTags.New",
        "details.searchSummary.lifecycleState",
        "displayName",
        "freeformTags.env",
    ]
    moved = dict(prev, ocid="b", details={"searchSummary": dict(prev["details"]["searchSummary"], identifier="b")})
    assert changed_fields(prev, moved) == ["ocid"], "identifier is the summary's name for ocid"


def test_before_and_after_hold_each_changed_value_bounded(tmp_path: Path) -> None:
    prev = _rec("a", "r")
    curr = copy.deepcopy(prev)
    curr["details"]["big"] = {"rules": ["x" * 100] * 100}
    curr["details"]["quote"] = '"' * 3000
    curr["lifecycleState"] = "STOPPED"
    paths = {c.path for c in field_changes(prev, curr)}
    assert paths == {"details.big", "details.quote", "lifecycleState"}
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    write_jsonl(a, [dumps_record(prev)])
    write_jsonl(b, [dumps_record(curr)])
    entry = diff_inventories(a, b).changed_entries()[0]
    assert entry["before"] == {"lifecycleState": "RUNNING"}, "a path absent in a run is absent from its object"
    assert entry["after"]["lifecycleState"] == "STOPPED"
    for path, original in (("details.big", curr["details"]["big"]), ("details.quote", curr["details"]["quote"])):
        value = entry["after"][path]
        full = orjson.dumps(original, option=orjson.OPT_SORT_KEYS).decode()
        assert len(orjson.dumps(value)) <= VALUE_LIMIT
        kept, _, tail = value.rpartition("…[truncated ")
        assert full.startswith(kept) and tail == f"{len(full.encode()) - len(kept.encode())} bytes]"
    assert bounded("short") == "short" and bounded({"a": [1]}) == {"a": [1]}


def test_streaming_and_in_memory_merge_filter_regions_alike(tmp_path: Path) -> None:
    records = _tenancy()
    prev = _run(tmp_path, 0, records)
    curr_records = [r for r in records if r["region"] != "eu-frankfurt-1"]
    curr = _run(tmp_path, 1, curr_records, failed={"eu-frankfurt-1": "x"})
    expected = diff_inventories(prev, curr).summary()
    shuffled = tmp_path / "copy"
    shuffled.mkdir()
    write_jsonl(shuffled / "inventory.jsonl", (dumps_record(r) for r in reversed(curr_records)))
    (shuffled / "run_summary.json").write_bytes((curr / "run_summary.json").read_bytes())
    got = diff_runs(load_run(prev), load_run(shuffled)).summary()
    assert {k: v for k, v in got.items() if k != "currRun"} == {k: v for k, v in expected.items() if k != "currRun"}
