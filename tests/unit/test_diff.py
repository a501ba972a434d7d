from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.diff.diff import (
    changed_fields,
    diff_inventories,
    resolve_inventory_path,
    write_diff,
)
from oci_inventory.diff.hash import record_hash
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.export.rundir import RunDirectory
from oci_inventory.util.errors import InputError


def _rec(ocid: str, rtype: str = "Instance", **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": ocid,
        "resourceType": rtype,
        "displayName": f"name-{ocid}",
        "compartmentId": "ocid1.compartment..c",
        "region": "eu-frankfurt-1",
        "lifecycleState": "RUNNING",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "definedTags": {"Ops": {"owner": "alice", "cost": "1"}},
        "freeformTags": {"env": "prod"},
        "collectedAt": "2024-06-01T00:00:00.000Z",
        "enrichStatus": "OK",
        "enrichError": None,
        "details": {"searchSummary": {"displayName": "x"}, "list": [1, 2], "shape": "E4"},
        "relationships": [],
    }
    rec.update(overrides)
    return rec


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    write_jsonl(path, (dumps_record(r) for r in records))
    return path


def _scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    prev = [_rec("a"), _rec("b", "Bucket"), _rec("c"), _rec("d", "Vcn")]
    curr = [copy.deepcopy(r) for r in prev if r["ocid"] != "b"]
    for r in curr:
        r["collectedAt"] = "2024-07-01T00:00:00.000Z"  # never counts as a change
    curr[1]["lifecycleState"] = "STOPPED"  # c changed
    curr[1]["details"]["searchSummary"]["displayName"] = "y"
    curr[1]["freeformTags"]["env"] = "dev"
    curr[1]["definedTags"]["Ops"]["owner"] = "bob"
    curr.append(_rec("e", "Vcn"))  # added
    return prev, curr


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, list[dict[str, Any]], list[dict[str, Any]]]:
    prev, curr = _scenario()
    return _write(tmp_path / "prev.jsonl", prev), _write(tmp_path / "curr.jsonl", curr), prev, curr


def test_all_four_categories(files: tuple[Path, Path, list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    prev_path, curr_path, prev, curr = files
    result = diff_inventories(prev_path, curr_path)
    assert result.added_records() == [curr[-1]]
    assert result.removed_records() == [prev[1]]
    assert result.unchanged_ocids() == ["a", "d"]
    assert len(result.changed) == 1
    entry = result.changed_entries()[0]
    assert entry == {
        "ocid": "c",
        "resourceType": "Instance",
        "displayName": "name-c",
        "region": "eu-frankfurt-1",
        "changedFields": [
            "definedTags.Ops.owner",
            "details.searchSummary.displayName",
            "freeformTags.env",
            "lifecycleState",
        ],
        "before": {
            "definedTags.Ops.owner": "alice",
            "details.searchSummary.displayName": "x",
            "freeformTags.env": "prod",
            "lifecycleState": "RUNNING",
        },
        "after": {
            "definedTags.Ops.owner": "bob",
            "details.searchSummary.displayName": "y",
            "freeformTags.env": "dev",
            "lifecycleState": "STOPPED",
        },
        "prevHash": record_hash(prev[2]),
        "currHash": record_hash(curr[1]),
    }
    assert result.summary() == {
        "added": 1,
        "removed": 1,
        "changed": 1,
        "unchanged": 2,
        "by_resource_type": {
            "Bucket": {"added": 0, "removed": 1, "changed": 0, "unchanged": 0},
            "Instance": {"added": 0, "removed": 0, "changed": 1, "unchanged": 1},
            "Vcn": {"added": 1, "removed": 0, "changed": 0, "unchanged": 1},
        },
        "notCompared": [],
        "notes": [
            f"the previous inventory {prev_path} has no run_summary.json: compared as complete over the regions "
            "found in it (eu-frankfurt-1); its query and compartment scope were not checked",
            f"the current inventory {curr_path} has no run_summary.json: compared as complete over the regions "
            "found in it (eu-frankfurt-1); its query and compartment scope were not checked",
        ],
        "prevRun": {"path": str(prev_path), "status": "complete", "started_at": None},
        "currRun": {"path": str(curr_path), "status": "complete", "started_at": None},
        "scopeChange": None,
    }


def test_changed_fields_paths() -> None:
    prev = _rec("x")
    curr = copy.deepcopy(prev)
    curr["details"]["list"] = [2, 1]  # lists compared whole
    curr["details"]["new"] = {"deep": 1}  # key only on one side
    del curr["details"]["shape"]
    curr["freeformTags"]["added"] = "1"
    curr["definedTags"]["NewNs"] = {"k": "v"}
    curr["relationships"] = [{"relation": "r", "targetOcid": "o", "targetType": None}]
    curr["collectedAt"] = "2099-01-01T00:00:00.000Z"
    assert changed_fields(prev, curr) == [
        "definedTags.NewNs",
        "details.list",
        "details.new",
        "details.shape",
        "freeformTags.added",
        "relationships",
    ]
    assert changed_fields(prev, dict(prev, details=None)) == ["details"]
    assert changed_fields(prev, prev) == []


def test_write_diff_files_are_deterministic_and_ordered(
    tmp_path: Path, files: tuple[Path, Path, list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    prev_path, curr_path, prev, curr = files
    out = tmp_path / "diffout" / "nested"
    diff_path, summary_path = write_diff(diff_inventories(prev_path, curr_path), out)
    assert (diff_path, summary_path) == (out / "diff.json", out / "diff_summary.json")
    doc = orjson.loads(diff_path.read_bytes())
    assert list(doc) == ["added", "changed", "removed", "unchanged"]
    assert doc["added"] == [curr[-1]]
    assert doc["removed"] == [prev[1]]
    assert [c["ocid"] for c in doc["changed"]] == ["c"]
    assert doc["unchanged"] == ["a", "d"]
    summary = orjson.loads(summary_path.read_bytes())
    assert summary["changed"] == 1 and summary["by_resource_type"]["Vcn"]["added"] == 1
    first = diff_path.read_bytes(), summary_path.read_bytes()
    write_diff(diff_inventories(prev_path, curr_path), out)
    assert (diff_path.read_bytes(), summary_path.read_bytes()) == first
    assert sorted(p.name for p in out.iterdir()) == ["diff.json", "diff_summary.json"]


def test_empty_inventories_give_valid_empty_diff(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", [])
    result = diff_inventories(a, a)
    diff_path, _ = write_diff(result, tmp_path)
    assert orjson.loads(diff_path.read_bytes()) == {"added": [], "changed": [], "removed": [], "unchanged": []}
    assert result.summary()["by_resource_type"] == {}


def test_unsorted_input_still_correct(
    tmp_path: Path, files: tuple[Path, Path, list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    prev_path, curr_path, prev, curr = files
    expected = diff_inventories(prev_path, curr_path)
    shuffled_prev = _write(tmp_path / "p2.jsonl", [prev[3], prev[0], prev[2], prev[1]])
    shuffled_curr = _write(tmp_path / "c2.jsonl", [curr[3], curr[2], curr[1], curr[0]])
    for p, c in ((shuffled_prev, curr_path), (prev_path, shuffled_curr), (shuffled_prev, shuffled_curr)):
        got = diff_inventories(p, c)
        assert (got.added, got.removed, got.changed, got.unchanged) == (
            expected.added,
            expected.removed,
            expected.changed,
            expected.unchanged,
        )
        paths = {"notes", "prevRun", "currRun"}  # name the input files, which differ here
        assert {k: v for k, v in got.summary().items() if k not in paths} == {
            k: v for k, v in expected.summary().items() if k not in paths
        }


def test_run_directory_input(tmp_path: Path) -> None:
    prev, curr = _scenario()
    dirs = []
    for i, records in enumerate((prev, curr)):
        rd = RunDirectory.create(tmp_path / "out", datetime(2024, 1, 1, 0, 0, i, tzinfo=UTC))
        write_jsonl(rd.file("inventory.jsonl"), (dumps_record(r) for r in records))
        dirs.append(rd.commit())
    assert resolve_inventory_path(dirs[0]) == dirs[0] / "inventory.jsonl"
    result = diff_inventories(dirs[0], dirs[1])
    assert result.summary()["added"] == 1 and result.summary()["removed"] == 1


def test_write_diff_inside_run_directory(
    tmp_path: Path, files: tuple[Path, Path, list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    prev_path, curr_path, _, _ = files
    rd = RunDirectory.create(tmp_path / "out", datetime(2024, 1, 1, tzinfo=UTC))
    write_diff(diff_inventories(prev_path, curr_path), rd.tmp_path)
    final = rd.commit()
    assert sorted(p.name for p in final.iterdir()) == ["diff.json", "diff_summary.json"]


def test_missing_path_and_directory_without_inventory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        resolve_inventory_path(tmp_path / "nope")
    assert str(err.value) == (
        f"{tmp_path / 'nope'} does not exist; pass a run directory or an inventory.jsonl written by oci-inv"
    )
    (tmp_path / "20240101T000000Z").mkdir()
    with pytest.raises(InputError, match=r"directory without an inventory.jsonl \(the latest run in it is"):
        resolve_inventory_path(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        diff_inventories(tmp_path / "nope", tmp_path / "nope")


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.jsonl", [_rec("a")])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(dumps_record(_rec("a")) + b"\n{broken\n")
    with pytest.raises(InputError, match=rf"^{bad}:2: not a JSON object: "):
        diff_inventories(good, bad)


def test_record_without_ocid(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.jsonl", [_rec("a")])
    bad = _write(tmp_path / "bad.jsonl", [_rec("a"), {"resourceType": "X"}])
    with pytest.raises(InputError, match=rf'^{bad}:2: record has no "ocid" string'):
        diff_inventories(bad, good)


@pytest.mark.parametrize("order", [["a", "b", "a"], ["a", "a"], ["b", "a", "b"]])
def test_duplicate_ocid_names_file_and_line(tmp_path: Path, order: list[str]) -> None:
    good = _write(tmp_path / "good.jsonl", [_rec("a")])
    dup = _write(tmp_path / "dup.jsonl", [_rec(o) for o in order])
    with pytest.raises(InputError) as err:
        diff_inventories(good, dup)
    msg = str(err.value)
    assert msg.startswith(f"{dup}:{len(order)}: duplicate ocid {order[-1]} (first on line 1)")
