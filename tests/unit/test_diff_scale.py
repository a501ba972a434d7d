"""A diff at scale: unsorted input goes through the external sorter (memory bounded), results are spooled."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.diff.diff import check_inventory, diff_runs, write_diff
from oci_inventory.diff.reader import WorkerSorted, externally_sorted
from oci_inventory.diff.scope import load_run
from oci_inventory.diff.spool import IN_MEMORY_BYTES, Spool
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.util.errors import InputError

REGIONS = ["eu-frankfurt-1", "us-ashburn-1"]


def _rec(i: int, collected: str, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": f"ocid1.instance.oc1..{i:05d}",
        "resourceType": ["Instance", "Vcn", "Bucket"][i % 3],
        "displayName": f"name-{i}",
        "compartmentId": "ocid1.compartment.oc1..c",
        "compartmentPath": "root/team",
        "region": REGIONS[i % 2],
        "lifecycleState": "RUNNING",
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "definedTags": {},
        "freeformTags": {"env": "prod"},
        "collectedAt": collected,
        "enrichStatus": "NOT_IMPLEMENTED",
        "enrichError": None,
        "details": {"searchSummary": {"displayName": f"name-{i}"}},
        "relationships": [],
    }
    rec.update(overrides)
    return rec


def _runs(n: int = 300) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    prev = [_rec(i, "2024-06-01T00:00:00.000Z") for i in range(n) if i % 50 != 1]
    curr = []
    for i in range(n):
        if i % 50 == 2:
            continue  # removed
        overrides: dict[str, Any] = {}
        if i % 10 == 3:
            overrides["lifecycleState"] = "STOPPED"
        if i % 10 == 5:
            overrides["compartmentPath"] = "root/renamed"  # not a change of this resource
        curr.append(_rec(i, "2024-06-02T00:00:00.000Z", **overrides))
    return prev, curr


def _write(path: Path, records: list[dict[str, Any]], shuffle: bool) -> Path:
    lines = [dumps_record(r) for r in sorted(records, key=lambda r: r["ocid"])]
    if shuffle:
        random.Random(7).shuffle(lines)
    write_jsonl(path, lines)
    return path


def _diff_bytes(tmp_path: Path, name: str, shuffle: tuple[bool, bool], sort_buffer: int) -> tuple[bytes, Any]:
    prev, curr = _runs()
    a = _write(tmp_path / f"{name}-prev.jsonl", prev, shuffle[0])
    b = _write(tmp_path / f"{name}-curr.jsonl", curr, shuffle[1])
    result = diff_runs(load_run(a), load_run(b), sort_buffer=sort_buffer)
    diff_path, _ = write_diff(result, tmp_path / name)
    summary = {k: v for k, v in result.summary().items() if k not in ("notes", "prevRun", "currRun")}
    result.close()
    return diff_path.read_bytes(), summary


@pytest.mark.parametrize("shuffle", [(True, False), (False, True), (True, True)])
def test_shuffled_input_gives_the_sorted_diff_through_a_spilling_sorter(
    tmp_path: Path, shuffle: tuple[bool, bool]
) -> None:
    expected, expected_summary = _diff_bytes(tmp_path, "sorted", (False, False), sort_buffer=1 << 20)
    got, summary = _diff_bytes(tmp_path, "shuffled", shuffle, sort_buffer=2048)  # a few records per spilled run
    assert got == expected and summary == expected_summary
    doc = orjson.loads(got)
    assert (len(doc["added"]), len(doc["removed"]), len(doc["changed"])) == (6, 6, 30)
    assert len(doc["unchanged"]) == summary["unchanged"] == 300 - 6 - 6 - 30
    assert doc["unchanged"] == sorted(doc["unchanged"])
    assert all(entry["changedFields"] == ["lifecycleState"] for entry in doc["changed"])


def test_the_external_sort_spills_to_disk_and_cleans_up(tmp_path: Path) -> None:
    prev, _ = _runs()
    path = _write(tmp_path / "inv.jsonl", prev, shuffle=True)
    spill = tmp_path / "spill"
    spill.mkdir()
    read = [0]
    entries = externally_sorted(path, 0, read, buffer_bytes=4096, tmp_dir=spill)
    first = next(entries)
    runs = list(spill.glob("oci-inv-sort-*/run-*.bin"))
    assert len(runs) > 10, "the records went to disk in sorted runs, not into memory"
    ocids = [first.ocid] + [entry.ocid for entry in entries]
    assert ocids == sorted(r["ocid"] for r in prev) and read == [len(prev)]
    assert list(spill.iterdir()) == [], "the spilled runs are removed"


def test_a_duplicate_in_unsorted_input_names_both_lines(tmp_path: Path) -> None:
    prev, _ = _runs(40)
    records = [prev[5], *prev[10:20], prev[3], dict(prev[5], displayName="again")]
    path = tmp_path / "dup.jsonl"
    write_jsonl(path, [dumps_record(r) for r in records])
    with pytest.raises(InputError, match=rf"dup.jsonl:13: duplicate ocid {prev[5]['ocid']} \(first on line 1\)"):
        check_inventory(path)
    with pytest.raises(InputError, match="duplicate ocid"):
        diff_runs(load_run(path), load_run(path), sort_buffer=1024)


def test_the_fast_unchanged_check_never_hides_a_change(tmp_path: Path) -> None:
    base = _rec(1, "2024-06-01T00:00:00.000Z", details={"n": 1, "flag": True})
    cases = {
        "int to float": dict(base, details={"n": 1.0, "flag": True}),
        "bool to int": dict(base, details={"n": 1, "flag": 1}),
        "collectedAt escaped": dict(base, collectedAt="2024-06-02T00:00:00.000Z\\u0022"),
    }
    for name, curr in cases.items():
        a, b = tmp_path / f"{len(name)}a.jsonl", tmp_path / f"{len(name)}b.jsonl"
        write_jsonl(a, [dumps_record(base)])
        write_jsonl(b, [dumps_record(curr)])
        summary = diff_runs(load_run(a), load_run(b)).summary()
        expected = 0 if name == "collectedAt escaped" else 1
        assert summary["changed"] == expected, name


def test_unsorted_keys_are_compared_by_hash(tmp_path: Path) -> None:
    """Lines not in canonical key order miss the fast check; the hashes still say unchanged."""
    rec = _rec(1, "2024-06-01T00:00:00.000Z")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(orjson.dumps(rec) + b"\n")
    b.write_bytes(dumps_record(dict(rec, collectedAt="2024-06-09T00:00:00.000Z")) + b"\n")
    summary = diff_runs(load_run(a), load_run(b)).summary()
    assert (summary["unchanged"], summary["changed"]) == (1, 0)


def test_a_spool_moves_to_disk_and_keeps_order() -> None:
    spool = Spool()
    values = [orjson.dumps(f"ocid1.instance.oc1..{i:08d}") for i in range(IN_MEMORY_BYTES // 20)]
    for value in values:
        spool.append(value)
    assert spool._file._rolled, "past IN_MEMORY_BYTES the values live in a temporary file"  # type: ignore[attr-defined]
    assert len(spool) == len(values) and list(spool) == values
    spool.append(b'"last"')
    assert spool.values()[-1] == "last" and len(spool) == len(values) + 1
    spool.close()


def test_a_malformed_line_in_unsorted_input_is_reported_by_the_sort_worker(tmp_path: Path) -> None:
    prev, _ = _runs(20)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(dumps_record(prev[3]) + b"\n" + dumps_record(prev[1]) + b"\n{not json\n")
    good = _write(tmp_path / "good.jsonl", prev, shuffle=True)
    with pytest.raises(InputError, match=r"bad.jsonl:3: not a JSON object"):
        diff_runs(load_run(good), load_run(path))


def test_a_sort_worker_stopped_early_leaves_nothing_behind(tmp_path: Path) -> None:
    prev, _ = _runs()
    path = _write(tmp_path / "inv.jsonl", prev, shuffle=True)
    stream = WorkerSorted(path, 0, [0], buffer_bytes=4096)
    assert next(stream).ocid == min(r["ocid"] for r in prev)
    stream.close()
    assert stream._proc.poll() is not None and not stream._spill.exists()
