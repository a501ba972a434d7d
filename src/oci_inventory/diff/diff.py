"""Compare two inventories: what was added, removed, changed or left unchanged, by OCID.

Inventories written by oci-inv are sorted by OCID, so the two files are merge-joined as they stream. An input
that turns out not to be sorted goes through the external sorter instead (see :mod:`oci_inventory.diff.reader`):
same result, memory still bounded. The four lists are spooled to temporary files (:class:`Spool`), so memory
holds no object per resource. A duplicate OCID in one input is an :class:`InputError`.

Only regions that completed in both runs are compared (see :mod:`oci_inventory.diff.scope`): a record of any other
region is neither added, removed nor changed, only counted under ``notCompared``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.diff.fields import changed_fields
from oci_inventory.diff.hash import record_hash
from oci_inventory.diff.merge import CATEGORIES, Anomaly, Tally
from oci_inventory.diff.merge import COLLECTED_PREFIX as _COLLECTED_PREFIX
from oci_inventory.diff.merge import changed_entry as _changed_entry
from oci_inventory.diff.reader import (
    SORT_BUFFER_BYTES,
    Entry,
    EntryStream,
    Unsorted,
    WorkerSorted,
    externally_sorted,
    streamed,
)
from oci_inventory.diff.scope import (
    INVENTORY_FILE,
    RUN_SUMMARY_FILE,
    Coverage,
    RunInfo,
    check_scope,
    check_total,
    coverage,
    load_run,
    resolve_inventory_path,
)
from oci_inventory.diff.shard import fast_diff
from oci_inventory.diff.spool import Spool
from oci_inventory.export.rundir import atomic_write_chunks, json_bytes
from oci_inventory.util.errors import ConfigError, InputError

DIFF_FILE = "diff.json"
DIFF_SUMMARY_FILE = "diff_summary.json"

__all__ = [
    "DiffResult",
    "changed_fields",
    "check_diff_outdir",
    "check_inventory",
    "diff_inventories",
    "diff_runs",
    "json_array",
    "resolve_inventory_path",
    "write_diff",
]


def check_inventory(path: Path) -> RunInfo:
    """Read a whole inventory the way a diff will and check it against its own ``run_summary.json``.

    ``run --prev`` calls this before any API call, so a malformed, duplicated, truncated or unreadable previous
    inventory is reported at once instead of after a long run. Returns the run's description for the diff.
    """
    info = load_run(path)
    read = [0]
    try:
        for _ in streamed(info.inventory, 0, read):
            pass
    except Unsorted:
        read = [0]
        for _ in externally_sorted(info.inventory, 0, read):
            pass
    check_total(info, read[0])
    return info


def _dump(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


@dataclass
class DiffResult:
    """The outcome of :func:`diff_runs`. Every list is ordered by OCID; only compared records are in them.

    Each list is a :class:`Spool` of canonical JSON (compact, sorted keys): added and removed records, changed
    entries, unchanged OCIDs; :meth:`close` frees them. ``not_compared`` maps each region that is not compared
    to its record counts ``[previous, current]``.
    """

    coverage: Coverage
    scope_change: dict[str, dict[str, Any]] | None = None
    added: Spool = field(default_factory=Spool)
    removed: Spool = field(default_factory=Spool)
    changed: Spool = field(default_factory=Spool)
    unchanged: Spool = field(default_factory=Spool)
    by_resource_type: dict[str, dict[str, int]] = field(default_factory=dict)
    not_compared: dict[str, list[int]] = field(default_factory=dict)
    read: list[int] = field(default_factory=lambda: [0, 0])

    @classmethod
    def from_tally(
        cls, coverage: Coverage, tally: Tally, scope_change: dict[str, dict[str, Any]] | None = None
    ) -> DiffResult:
        """The result of a compare made by :func:`fast_diff`."""
        return cls(
            coverage=coverage,
            scope_change=scope_change,
            added=tally.added,
            removed=tally.removed,
            changed=tally.changed,
            unchanged=tally.unchanged,
            by_resource_type=tally.by_resource_type,
            not_compared=tally.not_compared,
            read=tally.read,
        )

    @property
    def prev(self) -> RunInfo:
        return self.coverage.prev

    @property
    def curr(self) -> RunInfo:
        return self.coverage.curr

    def _count(self, rtype: Any, category: str) -> None:
        key = rtype if isinstance(rtype, str) else ""
        counts = self.by_resource_type.get(key)
        if counts is None:
            counts = self.by_resource_type[key] = dict.fromkeys(CATEGORIES, 0)
        counts[category] += 1

    def _skip(self, region: str, side: int) -> None:
        counts = self.not_compared.get(region)
        if counts is None:
            counts = self.not_compared[region] = [0, 0]
        counts[side] += 1

    def added_records(self) -> list[dict[str, Any]]:
        return self.added.values()

    def removed_records(self) -> list[dict[str, Any]]:
        return self.removed.values()

    def changed_entries(self) -> list[dict[str, Any]]:
        return self.changed.values()

    def unchanged_ocids(self) -> list[str]:
        return self.unchanged.values()

    def close(self) -> None:
        """Free the spooled lists."""
        for spool in (self.added, self.removed, self.changed, self.unchanged):
            spool.close()

    def not_compared_entries(self) -> list[dict[str, Any]]:
        """``notCompared``: every region either run selected or a record names that is not compared."""
        regions = self.coverage.candidates() | self.not_compared.keys()
        entries = []
        for region in sorted(regions):
            reasons = self.coverage.reasons(region)
            counts = self.not_compared.get(region, [0, 0])
            entries.append(
                {
                    "region": region,
                    "reason": "; ".join(f"{short}: {detail}" if detail else short for short, detail in reasons),
                    "short": ", ".join(short for short, _ in reasons),
                    "prevRecords": counts[0],
                    "currRecords": counts[1],
                }
            )
        return entries

    def notes(self) -> list[str]:
        out = []
        for side, info in (("previous", self.prev), ("current", self.curr)):
            if not info.has_summary:
                found = ", ".join(sorted(info.regions)) or "none"
                out.append(
                    f"the {side} inventory {info.inventory} has no {RUN_SUMMARY_FILE}: compared as complete over "
                    f"the regions found in it ({found}); its query and compartment scope were not checked"
                )
        return out

    def summary(self) -> dict[str, Any]:
        """The content of ``diff_summary.json``."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "by_resource_type": {k: dict(self.by_resource_type[k]) for k in sorted(self.by_resource_type)},
            "notCompared": [{k: v for k, v in entry.items() if k != "short"} for entry in self.not_compared_entries()],
            "notes": self.notes(),
            "prevRun": self.prev.meta(),
            "currRun": self.curr.meta(),
            "scopeChange": self.scope_change or None,
        }


def _same_content(prev: bytes, curr: bytes) -> bool:
    """True when two canonical lines differ at most in their leading ``collectedAt`` string: then the records'
    hashes are equal. False says nothing (the hashes decide)."""
    if not (prev.startswith(_COLLECTED_PREFIX) and curr.startswith(_COLLECTED_PREFIX)):
        return False
    start = len(_COLLECTED_PREFIX)
    p_end, c_end = prev.find(b'"', start), curr.find(b'"', start)
    if p_end < 0 or c_end < 0 or prev.find(b"\\", start, p_end) >= 0 or curr.find(b"\\", start, c_end) >= 0:
        return False
    return len(prev) - p_end == len(curr) - c_end and prev.startswith(curr[c_end:], p_end)


def _pair(result: DiffResult, p: Entry, c: Entry) -> None:
    compared = result.coverage.compared
    p_region, c_region = p.region, c.region
    if p_region not in compared or c_region not in compared:  # one resource, seen where we cannot compare
        if p_region not in compared:
            result._skip(p_region, 0)
        if c_region not in compared:
            result._skip(c_region, 1)
        return
    rtype = c.rtype
    if _same_content(p.raw, c.raw):
        result.unchanged.append(orjson.dumps(c.ocid))
        result._count(rtype, "unchanged")
        return
    prev_hash = record_hash(p.record)
    curr_hash = record_hash(c.record)
    if prev_hash == curr_hash:
        result.unchanged.append(_dump(c.ocid))
        result._count(rtype, "unchanged")
    else:
        result.changed.append(_dump(_changed_entry(p.record, c.record, prev_hash, curr_hash)))
        result._count(rtype, "changed")


def _only(result: DiffResult, entry: Entry, side: int) -> None:
    region = entry.region
    if region not in result.coverage.compared:
        result._skip(region, side)
        return
    category = "removed" if side == 0 else "added"
    (result.removed if side == 0 else result.added).append(_dump(entry.record))
    result._count(entry.rtype, category)


def _merge(result: DiffResult, prev: Iterator[Entry], curr: Iterator[Entry]) -> None:
    """Merge-join by OCID; records of regions that are not compared are only counted."""
    p = next(prev, None)
    c = next(curr, None)
    while p is not None or c is not None:
        if c is None or (p is not None and p.ocid < c.ocid):
            assert p is not None
            _only(result, p, 0)
            p = next(prev, None)
        elif p is None or c.ocid < p.ocid:
            _only(result, c, 1)
            c = next(curr, None)
        else:
            _pair(result, p, c)
            p = next(prev, None)
            c = next(curr, None)


def _starts_sorted(path: Path, lines: int = 1000) -> bool:
    """Whether the first ``lines`` records of an inventory are in OCID order."""
    try:
        for _ in islice(streamed(path, 0, [0]), lines):
            pass
    except Unsorted:
        return False
    return True


def _streams(paths: tuple[Path, Path], unsorted: set[int], read: list[int], sort_buffer: int) -> list[EntryStream]:
    """Both sides in OCID order: each streamed, or sorted by a worker process when it is not sorted."""
    return [
        WorkerSorted(path, side, read, sort_buffer) if side in unsorted else streamed(path, side, read)
        for side, path in enumerate(paths)
    ]


def diff_runs(
    prev: RunInfo, curr: RunInfo, *, allow_scope_change: bool = False, sort_buffer: int = SORT_BUFFER_BYTES
) -> DiffResult:
    """Diff two runs over the regions both completed.

    A scope difference (query, compartments, subtree, include_terminated) is an :class:`InputError` unless
    ``allow_scope_change``; an inventory whose record count differs from its own summary is an :class:`InputError`.
    An unsorted side is sorted with about ``sort_buffer`` bytes of memory per process.

    The fast path (:mod:`oci_inventory.diff.shard`) compares by OCID range over processes; whatever it does not
    decide (an input error above all) is diffed again the exact way, which reports the error.
    """
    scope_change = check_scope(prev, curr, allow_change=allow_scope_change)
    cover = coverage(prev, curr)
    paths = (prev.inventory, curr.inventory)
    try:
        tally = fast_diff(paths, cover.compared, bucket_bytes=max(sort_buffer // 2, 4096))
    except Anomaly:
        result = _exact_diff(cover, scope_change, paths, sort_buffer)
    else:
        result = DiffResult.from_tally(cover, tally, scope_change)
    try:
        check_total(prev, result.read[0])
        check_total(curr, result.read[1])
    except BaseException:
        result.close()
        raise
    return result


def _exact_diff(
    cover: Coverage, scope_change: dict[str, dict[str, Any]] | None, paths: tuple[Path, Path], sort_buffer: int
) -> DiffResult:
    """The reference diff: one process, every line parsed, errors reported in stream order."""
    unsorted_sides: set[int] = set()
    while True:
        result = DiffResult(coverage=cover, scope_change=scope_change)
        streams = _streams(paths, unsorted_sides, result.read, sort_buffer)
        try:
            _merge(result, streams[0], streams[1])
        except Unsorted as unsorted:
            result.close()
            unsorted_sides.add(unsorted.side)
            other = 1 - unsorted.side
            if other not in unsorted_sides and not _starts_sorted(paths[other]):
                unsorted_sides.add(other)  # found now, so the side just found unsorted is not sorted twice
            continue
        except BaseException:
            result.close()
            raise
        finally:
            for stream in streams:
                stream.close()
        return result


def diff_inventories(prev: Path, curr: Path, *, allow_scope_change: bool = False) -> DiffResult:
    """Diff two inventories (run directories or ``inventory.jsonl`` files)."""
    return diff_runs(load_run(prev), load_run(curr), allow_scope_change=allow_scope_change)


def check_diff_outdir(out_dir: Path) -> None:
    """``oci-inv diff --outdir`` must not point into a run: committed runs are never modified."""
    if (out_dir / RUN_SUMMARY_FILE).exists() or (out_dir / INVENTORY_FILE).exists():
        raise InputError(
            f"--outdir {out_dir} is a run directory, and runs are never modified; "
            "pass a directory of its own for diff.json and diff_summary.json"
        )


def json_array(items: Iterable[bytes]) -> Iterator[bytes]:
    """A JSON array with one element per line."""
    if isinstance(items, Spool):  # in blocks, not value by value
        if not len(items):
            yield b"]"
            return
        yield b"\n"
        yield from items.joined(b",\n")
        yield b"\n]"
        return
    sep = b"\n"
    for item in items:
        yield sep
        yield item
        sep = b",\n"
    yield b"\n]" if sep != b"\n" else b"]"


def entry_chunks(result: DiffResult) -> Iterator[bytes]:
    """``{"added":[...],"changed":[...],"removed":[...]`` (unclosed): the entries every diff document starts with."""
    yield b'{"added":['
    yield from json_array(result.added)
    yield b',"changed":['
    yield from json_array(result.changed)
    yield b',"removed":['
    yield from json_array(result.removed)


def _diff_chunks(result: DiffResult) -> Iterator[bytes]:
    yield from entry_chunks(result)
    yield b',"unchanged":['
    yield from json_array(result.unchanged)
    yield b"}\n"


def write_diff(result: DiffResult, out_dir: Path) -> tuple[Path, Path]:
    """Write ``diff.json`` and ``diff_summary.json`` into ``out_dir`` (created if missing), each atomically.

    For a run, pass ``RunDirectory.tmp_path`` so the diff is committed with the run.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create output directory {out_dir}: {exc.strerror or exc}; pass a writable --outdir"
        ) from None
    try:
        diff_path = atomic_write_chunks(out_dir / DIFF_FILE, _diff_chunks(result))
        summary_path = atomic_write_chunks(out_dir / DIFF_SUMMARY_FILE, (json_bytes(result.summary()),))
    except OSError as exc:
        raise ConfigError(
            f"cannot write the diff into {out_dir}: {exc.strerror or exc}; pass a writable --outdir with free space"
        ) from None
    return diff_path, summary_path
