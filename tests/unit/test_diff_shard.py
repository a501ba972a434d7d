"""The diff split by OCID range over processes gives the exact diff, byte for byte, or leaves the inputs to it."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.diff import diff as diff_module
from oci_inventory.diff import shard
from oci_inventory.diff.diff import DiffResult, diff_runs, write_diff
from oci_inventory.diff.merge import Anomaly, OutOfOrder, Tally, sorted_range
from oci_inventory.diff.reader import SORT_BUFFER_BYTES
from oci_inventory.diff.scope import coverage, load_run
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.export.summary import RegionOutcome, RunScope, RunSummary
from oci_inventory.util.errors import InputError

REGIONS = ["ap-tokyo-1", "eu-frankfurt-1", "us-ashburn-1"]
PREV_AT, CURR_AT = "2024-06-01T00:00:00.000Z", "2024-06-02T00:00:00.000Z"


def _rec(ocid: str, i: int, collected: str, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": ocid,
        "resourceType": ["Instance", "Vcn", "Bucket"][i % 3],
        "displayName": f"name-{i}",
        "compartmentId": "ocid1.compartment.oc1..c",
        "compartmentPath": "root/team",
        "region": REGIONS[i % 3],
        "lifecycleState": "RUNNING",
        "definedTags": {"Ops": {"owner": "alice"}},
        "freeformTags": {"env": "prod"},
        "collectedAt": collected,
        "enrichStatus": "NOT_IMPLEMENTED",
        "enrichError": None,
        "details": {"searchSummary": {"displayName": f"name-{i}"}},
        "relationships": [],
    }
    rec.update(overrides)
    return rec


def _pair(ocids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Previous and current records of these OCIDs: some removed, added, changed, moved to another region."""
    prev, curr = [], []
    for i, ocid in enumerate(ocids):
        if i % 7 != 1:
            prev.append(_rec(ocid, i, PREV_AT))
        if i % 11 == 2:
            continue  # removed (or never there)
        overrides: dict[str, Any] = {}
        if i % 5 == 3:
            overrides["lifecycleState"] = "STOPPED"
        if i % 13 == 4:
            overrides["compartmentPath"] = "root/renamed"  # no change of this resource
        if i % 17 == 5:
            overrides["region"] = REGIONS[(i + 1) % 3]
        curr.append(_rec(ocid, i, CURR_AT, **overrides))
    return prev, curr


def _run(directory: Path, records: list[dict[str, Any]], *, shuffle: bool = False, failed: str = "") -> Path:
    """A run directory: an inventory (sorted by OCID unless ``shuffle``) and a summary (``failed``: a region
    that failed, so its records are not compared)."""
    directory.mkdir(parents=True)
    lines = [dumps_record(r) for r in sorted(records, key=lambda r: r["ocid"])]
    if shuffle:
        random.Random(len(lines)).shuffle(lines)
    write_jsonl(directory / "inventory.jsonl", lines)
    outcomes = [RegionOutcome(r, "failed", error="boom") if r == failed else RegionOutcome(r, "ok") for r in REGIONS]
    summary = RunSummary(
        started_at="2024-06-01T00:00:00Z",
        finished_at="2024-06-01T01:00:00Z",
        duration_s=3600,
        query="query all resources",
        regions=outcomes,
        scope=RunScope(regions=REGIONS, query="query all resources"),
        total_discovered=len(records),
    )
    (directory / "run_summary.json").write_bytes(orjson.dumps(summary.to_dict()))
    return directory


def _document(result: DiffResult, out: Path) -> tuple[bytes, dict[str, Any]]:
    diff_path, _ = write_diff(result, out)
    summary = {k: v for k, v in result.summary().items() if k not in ("prevRun", "currRun")}  # paths differ
    result.close()
    return diff_path.read_bytes(), summary


def _exact(prev: Path, curr: Path, out: Path) -> tuple[bytes, dict[str, Any]]:
    a, b = load_run(prev), load_run(curr)
    cover = coverage(a, b)
    result = diff_module._exact_diff(cover, None, (a.inventory, b.inventory), SORT_BUFFER_BYTES)
    return _document(result, out)


def _fast(prev: Path, curr: Path, out: Path, **options: Any) -> tuple[bytes, dict[str, Any]]:
    """The fast path alone (an :class:`Anomaly` propagates): ``shards``, ``split_keys``, ``bucket_bytes``."""
    a, b = load_run(prev), load_run(curr)
    cover = coverage(a, b)
    options.setdefault("bucket_bytes", 1 << 20)
    tally = shard.fast_diff((a.inventory, b.inventory), cover.compared, **options)
    result = DiffResult.from_tally(cover, tally)
    return _document(result, out)


def _ocids(n: int) -> list[str]:
    return [f"ocid1.instance.oc1..{i:05d}" for i in range(n)]


def _children() -> set[int]:
    pid = os.getpid()
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            found |= {int(p) for p in fh.read().split()}
    return found


@pytest.mark.parametrize("shards", [2, 3, 5])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_shard_count_gives_the_exact_diff(tmp_path: Path, shards: int, shuffle: bool) -> None:
    prev, curr = _pair(_ocids(240))
    a = _run(tmp_path / "a", prev, shuffle=shuffle)
    b = _run(tmp_path / "b", curr, shuffle=shuffle, failed="ap-tokyo-1")
    before = _children()
    expected = _exact(a, b, tmp_path / "exact")
    got = _fast(a, b, tmp_path / "fast", shards=shards, bucket_bytes=4096)  # many buckets when shuffled
    assert got == expected
    doc = orjson.loads(got[0])
    assert doc["changed"] and doc["added"] and doc["removed"] and expected[1]["notCompared"][0]["prevRecords"]
    assert _children() == before, "every worker process has ended"


def test_a_boundary_between_ocids_that_share_a_prefix(tmp_path: Path) -> None:
    """Split keys that are prefixes of OCIDs next to them: ``..ab`` < ``..ab0`` < ``..ab00`` < ``..abc``."""
    ocids = sorted(f"ocid1.instance.oc1..{s}" for s in ["a", "ab", "ab0", "ab00", "ab01", "abc", "abd", "b", "b0"])
    prev, curr = _pair(ocids)
    a, b = _run(tmp_path / "a", prev), _run(tmp_path / "b", curr)
    expected = _exact(a, b, tmp_path / "exact")
    for n, keys in enumerate([["ab0"], ["ab", "ab00", "abc"], ["ab0", "ab01", "b"], ["a0"]]):
        split = [f"ocid1.instance.oc1..{k}".encode() for k in keys]
        assert _fast(a, b, tmp_path / f"fast{n}", shards=len(split) + 1, split_keys=split) == expected
    shuffled_a, shuffled_b = _run(tmp_path / "sa", prev, shuffle=True), _run(tmp_path / "sb", curr, shuffle=True)
    assert _fast(shuffled_a, shuffled_b, tmp_path / "buckets", shards=2, bucket_bytes=1024) == expected


def test_the_plan_of_a_boundary_at_a_prefix_and_of_an_empty_shard(tmp_path: Path) -> None:
    ocids = [f"ocid1.instance.oc1..{s}" for s in ["ab", "ab0", "abc"]]
    path = tmp_path / "inv.jsonl"
    lines = [dumps_record(_rec(o, i, PREV_AT)) + b"\n" for i, o in enumerate(ocids)]
    path.write_bytes(b"".join(lines))
    starts = [0, len(lines[0]), len(lines[0]) + len(lines[1]), len(b"".join(lines))]
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        keys = [b"ocid1.instance.oc1..ab0", b"ocid1.instance.oc1..ab00", b"ocid1.instance.oc1..zz"]
        plan = shard.plan_sorted([fd, fd], [size, size], 4, keys)
    finally:
        os.close(fd)
    assert [ranges[0] for ranges, _, _ in plan] == [
        (starts[0], starts[1]),  # ..ab
        (starts[1], starts[2]),  # ..ab0: from the key itself, not after the shorter ..ab
        (starts[2], starts[3]),  # ..abc
        (starts[3], starts[3]),  # nothing at or above ..zz: empty
    ]
    assert [(lo, hi) for _, lo, hi in plan] == [
        (None, keys[0]),
        (keys[0], keys[1]),
        (keys[1], keys[2]),
        (keys[2], None),
    ]


def test_empty_shards_and_an_empty_side(tmp_path: Path) -> None:
    prev, curr = _pair(_ocids(30))
    a, b = _run(tmp_path / "a", prev), _run(tmp_path / "b", curr)
    empty = _run(tmp_path / "empty", [])
    below, above = b"ocid1.a", b"ocid1.z"
    for n, (x, y) in enumerate([(a, b), (a, empty), (empty, b), (empty, empty)]):
        expected = _exact(x, y, tmp_path / f"exact{n}")
        assert _fast(x, y, tmp_path / f"lo{n}", shards=3, split_keys=[below, below + b"0"]) == expected
        assert _fast(x, y, tmp_path / f"hi{n}", shards=2, split_keys=[above]) == expected
        assert _fast(x, y, tmp_path / f"auto{n}", shards=4) == expected


@pytest.mark.parametrize("at", ["boundary", "inside"])
def test_a_duplicate_at_a_boundary_is_the_same_error(tmp_path: Path, at: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ocids = _ocids(20)
    prev, curr = _pair(ocids)
    dup = ocids[10] if at == "boundary" else ocids[5]
    records = [*curr, dict(next(r for r in curr if r["ocid"] == dup), displayName="again")]
    a, b = _run(tmp_path / "a", prev), _run(tmp_path / "b", records)
    with pytest.raises(Anomaly):
        _fast(a, b, tmp_path / "fast", shards=2, split_keys=[ocids[10].encode()])
    with pytest.raises(InputError) as exact:
        _exact(a, b, tmp_path / "exact")
    assert "duplicate ocid" in str(exact.value)
    monkeypatch.setattr(shard, "auto_shards", lambda total: 3)
    with pytest.raises(InputError) as sharded:
        diff_runs(load_run(a), load_run(b))
    assert str(sharded.value) == str(exact.value)


def test_shards_sorted_each_but_not_together_are_sorted_again(tmp_path: Path) -> None:
    """Each shard's range alone is sorted, the whole file is not: the shards' bounds catch it."""
    prev, curr = _pair(_ocids(300))
    a = _run(tmp_path / "a", prev)
    b = _run(tmp_path / "b", curr)
    lines = (b / "inventory.jsonl").read_bytes().splitlines(keepends=True)
    (b / "inventory.jsonl").write_bytes(b"".join(lines[150:] + lines[:150]))  # two sorted halves, swapped
    expected = _exact(a, b, tmp_path / "exact")
    for n, split in enumerate([None, [b"ocid1.instance.oc1..00150"], [b"ocid1.instance.oc1..00100"]]):
        assert _fast(a, b, tmp_path / f"fast{n}", shards=2, split_keys=split) == expected


def test_a_malformed_collected_at_on_an_unchanged_line_is_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous line of an unchanged pair is not parsed: its collectedAt string is checked on its own."""
    prev, curr = _pair(_ocids(12))
    a, b = _run(tmp_path / "a", prev), _run(tmp_path / "b", curr)
    inventory = a / "inventory.jsonl"
    lines = inventory.read_bytes().splitlines(keepends=True)
    assert prev[0] == dict(curr[0], collectedAt=PREV_AT), "an unchanged pair"
    lines[0] = lines[0].replace(PREV_AT.encode(), b"2024-06-01\x01", 1)  # a control character: not JSON
    inventory.write_bytes(b"".join(lines))
    with pytest.raises(Anomaly):
        _fast(a, b, tmp_path / "fast", shards=1)
    monkeypatch.setattr(shard, "auto_shards", lambda total: 2)
    with pytest.raises(InputError, match=r"inventory.jsonl:1: not a JSON object: unexpected control character"):
        diff_runs(load_run(a), load_run(b))


def test_an_ocid_misread_from_the_bytes_is_left_to_the_exact_diff(tmp_path: Path) -> None:
    """A key named "ocid" inside a field after the top-level one: the bytes give the wrong OCID, the parsed
    record tells; the exact diff decides."""
    prev, curr = _pair(_ocids(12))
    curr[4]["systemTags"] = {"orcl": {"ocid": curr[4]["ocid"] + "0"}}  # sorts in place: only the parse tells
    a, b = _run(tmp_path / "a", prev), _run(tmp_path / "b", curr)
    with pytest.raises(Anomaly):
        _fast(a, b, tmp_path / "fast", shards=2)
    expected = _exact(a, b, tmp_path / "exact")
    result = diff_runs(load_run(a), load_run(b))
    assert _document(result, tmp_path / "runs") == expected


def test_a_bucket_past_its_cap_is_left_to_the_exact_diff(tmp_path: Path) -> None:
    prev, _ = _pair(_ocids(40))
    a = _run(tmp_path / "a", prev, shuffle=True)
    tally = Tally()
    fd = os.open(a / "inventory.jsonl", os.O_RDONLY)
    try:
        chunk = (fd, 0, 0, os.fstat(fd).st_size)
        with pytest.raises(Anomaly):
            shard.compare_buckets([[chunk]], tally, frozenset(REGIONS), cap=1024)
    finally:
        os.close(fd)
        tally.close()


def test_blank_lines_crlf_and_a_last_line_without_newline(tmp_path: Path) -> None:
    prev, curr = _pair(_ocids(30))
    for shuffle in (False, True):
        a = _run(tmp_path / f"a{shuffle}", prev, shuffle=shuffle)
        b = _run(tmp_path / f"b{shuffle}", curr, shuffle=shuffle)
        for run in (a, b):
            inventory = run / "inventory.jsonl"
            lines = inventory.read_bytes().splitlines(keepends=True)
            lines[3:6] = [line[:-1] + b"\r\n" for line in lines[3:6]]
            inventory.write_bytes(b"".join([b"\n", *lines[:10], b"  \n", *lines[10:]]).rstrip(b"\n"))
        expected = _exact(a, b, tmp_path / f"exact{shuffle}")
        assert _fast(a, b, tmp_path / f"fast{shuffle}", shards=3, bucket_bytes=2048) == expected


@pytest.mark.parametrize(
    ("bounds", "error"),
    [
        ((None, None), None),
        ((b"ocid1.instance.oc1..00000", b"ocid1.instance.oc1..00004"), None),
        ((b"ocid1.instance.oc1..00001", None), OutOfOrder),  # the first OCID is below the range
        ((None, b"ocid1.instance.oc1..00003"), OutOfOrder),  # the last OCID is at or above the next range
    ],
)
def test_a_shard_checks_its_ocids_against_its_bounds(
    tmp_path: Path, bounds: tuple[bytes | None, bytes | None], error: type[Exception] | None
) -> None:
    path = tmp_path / "inv.jsonl"
    write_jsonl(path, [dumps_record(_rec(o, i, PREV_AT)) for i, o in enumerate(_ocids(4))])
    fd = os.open(path, os.O_RDONLY)
    read = [0, 0]
    try:
        items = sorted_range(fd, (0, os.fstat(fd).st_size), bounds, read, 1)
        if error is None:
            assert [item[0] for item in items] == [o.encode() for o in _ocids(4)] and read == [0, 4]
        else:
            with pytest.raises(error):
                list(items)
    finally:
        os.close(fd)
