"""Compare two inventories: what was added, removed, changed or left unchanged, by OCID.

Inventories written by oci-inv are sorted by OCID, so the two files are merge-joined as they stream: memory
holds only the differences and the unchanged OCIDs. An input that turns out not to be sorted is loaded into
memory instead (same result, more memory). A duplicate OCID in one input is an :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from oci_inventory.diff.hash import HASH_EXCLUDED_FIELDS, record_hash
from oci_inventory.export.jsonl import iter_jsonl
from oci_inventory.export.rundir import atomic_write_chunks, find_runs, json_bytes
from oci_inventory.util.errors import ConfigError, InputError

INVENTORY_FILE = "inventory.jsonl"
DIFF_FILE = "diff.json"
DIFF_SUMMARY_FILE = "diff_summary.json"
CATEGORIES = ("added", "removed", "changed", "unchanged")

#: Fields compared leaf by leaf; changedFields names dotted paths inside them.
_NESTED_FIELDS = frozenset({"details", "definedTags", "freeformTags"})
_MISSING = object()


def resolve_inventory_path(path: Path) -> Path:
    """A run directory → its ``inventory.jsonl``; a file → itself; anything else → :class:`InputError`."""
    if path.is_dir():
        inventory = path / INVENTORY_FILE
        if inventory.is_file():
            return inventory
        runs = find_runs(path)
        hint = f" (the latest run in it is {runs[-1]})" if runs else ""
        raise InputError(
            f"{path} is a directory without an {INVENTORY_FILE}{hint}; "
            f"pass a run directory or an {INVENTORY_FILE} written by oci-inv"
        )
    if path.is_file():
        return path
    raise InputError(f"{path} does not exist; pass a run directory or an {INVENTORY_FILE} written by oci-inv")


class _Entry(NamedTuple):
    ocid: str
    lineno: int
    record: dict[str, Any]


class _Unsorted(Exception):
    def __init__(self, side: int) -> None:
        self.side = side


def _entries(path: Path) -> Iterator[_Entry]:
    for lineno, record in iter_jsonl(path):
        ocid = record.get("ocid")
        if not isinstance(ocid, str) or not ocid:
            raise InputError(
                f'{path}:{lineno}: record has no "ocid" string; pass an {INVENTORY_FILE} written by oci-inv'
            )
        yield _Entry(ocid, lineno, record)


def _duplicate(path: Path, entry: _Entry, first_line: int) -> InputError:
    return InputError(
        f"{path}:{entry.lineno}: duplicate ocid {entry.ocid} (first on line {first_line}); "
        f"each resource must appear once: pass an {INVENTORY_FILE} written by oci-inv"
    )


def _streamed(path: Path, side: int) -> Iterator[_Entry]:
    """Entries in file order; raises _Unsorted at the first OCID lower than its predecessor."""
    last: _Entry | None = None
    for entry in _entries(path):
        if last is not None and entry.ocid <= last.ocid:
            if entry.ocid == last.ocid:
                raise _duplicate(path, entry, last.lineno)
            raise _Unsorted(side)
        last = entry
        yield entry


def _loaded(path: Path) -> Iterator[_Entry]:
    """Entries sorted by OCID after loading the whole file."""
    by_ocid: dict[str, _Entry] = {}
    for entry in _entries(path):
        first = by_ocid.get(entry.ocid)
        if first is not None:
            raise _duplicate(path, entry, first.lineno)
        by_ocid[entry.ocid] = entry
    for ocid in sorted(by_ocid):
        yield by_ocid[ocid]


def check_inventory(path: Path) -> int:
    """Read a whole inventory the way a diff will, and return its record count.

    ``run --prev`` calls this before any API call, so a malformed, duplicated or unreadable previous inventory is
    reported at once instead of after a long run.
    """
    inventory = resolve_inventory_path(path)
    try:
        return sum(1 for _ in _streamed(inventory, 0))
    except _Unsorted:
        return sum(1 for _ in _loaded(inventory))


def _leaf_paths(prefix: str, prev: Any, curr: Any, out: list[str]) -> None:
    if isinstance(prev, dict) and isinstance(curr, dict):
        for key in prev.keys() | curr.keys():
            a = prev.get(key, _MISSING)
            b = curr.get(key, _MISSING)
            if a != b:
                _leaf_paths(f"{prefix}.{key}", a, b, out)
    else:
        out.append(prefix)


def changed_fields(prev: Mapping[str, Any], curr: Mapping[str, Any]) -> list[str]:
    """Sorted names of differing top-level fields, with dotted leaf paths inside details and the tags.

    Lists are compared whole; ``collectedAt`` is never reported.
    """
    out: list[str] = []
    for key in prev.keys() | curr.keys():
        if key in HASH_EXCLUDED_FIELDS:
            continue
        a = prev.get(key, _MISSING)
        b = curr.get(key, _MISSING)
        if a == b:
            continue
        if key in _NESTED_FIELDS:
            _leaf_paths(key, a, b, out)
        else:
            out.append(key)
    return sorted(out)


def _dump(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


@dataclass
class DiffResult:
    """The outcome of :func:`diff_inventories`. Every list is ordered by OCID.

    Added and removed records are kept as canonical JSON bytes (compact, sorted keys) to save memory.
    """

    prev_path: Path
    curr_path: Path
    added: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    by_resource_type: dict[str, dict[str, int]] = field(default_factory=dict)

    def _count(self, rtype: Any, category: str) -> None:
        key = rtype if isinstance(rtype, str) else ""
        counts = self.by_resource_type.get(key)
        if counts is None:
            counts = self.by_resource_type[key] = dict.fromkeys(CATEGORIES, 0)
        counts[category] += 1

    def added_records(self) -> list[dict[str, Any]]:
        return [orjson.loads(b) for b in self.added]

    def removed_records(self) -> list[dict[str, Any]]:
        return [orjson.loads(b) for b in self.removed]

    def summary(self) -> dict[str, Any]:
        """The content of ``diff_summary.json``."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "by_resource_type": {k: dict(self.by_resource_type[k]) for k in sorted(self.by_resource_type)},
        }


def _merge(result: DiffResult, prev: Iterator[_Entry], curr: Iterator[_Entry]) -> None:
    p = next(prev, None)
    c = next(curr, None)
    while p is not None or c is not None:
        if c is None or (p is not None and p.ocid < c.ocid):
            assert p is not None
            result.removed.append(_dump(p.record))
            result._count(p.record.get("resourceType"), "removed")
            p = next(prev, None)
        elif p is None or c.ocid < p.ocid:
            result.added.append(_dump(c.record))
            result._count(c.record.get("resourceType"), "added")
            c = next(curr, None)
        else:
            prev_hash = record_hash(p.record)
            curr_hash = record_hash(c.record)
            rec = c.record
            if prev_hash == curr_hash:
                result.unchanged.append(c.ocid)
                result._count(rec.get("resourceType"), "unchanged")
            else:
                result.changed.append(
                    {
                        "ocid": c.ocid,
                        "resourceType": rec.get("resourceType"),
                        "displayName": rec.get("displayName"),
                        "region": rec.get("region"),
                        "changedFields": changed_fields(p.record, rec),
                        "prevHash": prev_hash,
                        "currHash": curr_hash,
                    }
                )
                result._count(rec.get("resourceType"), "changed")
            p = next(prev, None)
            c = next(curr, None)


def diff_inventories(prev: Path, curr: Path) -> DiffResult:
    """Diff two inventories (run directories or ``inventory.jsonl`` files)."""
    paths = (resolve_inventory_path(prev), resolve_inventory_path(curr))
    in_memory: set[int] = set()
    while True:
        result = DiffResult(prev_path=paths[0], curr_path=paths[1])
        streams = [_loaded(p) if side in in_memory else _streamed(p, side) for side, p in enumerate(paths)]
        try:
            _merge(result, streams[0], streams[1])
        except _Unsorted as unsorted:
            in_memory.add(unsorted.side)
            continue
        return result


def _json_array(items: Iterable[bytes]) -> Iterator[bytes]:
    """A JSON array with one element per line."""
    sep = b"\n"
    for item in items:
        yield sep
        yield item
        sep = b",\n"
    yield b"\n]" if sep != b"\n" else b"]"


def _diff_chunks(result: DiffResult) -> Iterator[bytes]:
    yield b'{"added":['
    yield from _json_array(result.added)
    yield b',"changed":['
    yield from _json_array(_dump(entry) for entry in result.changed)
    yield b',"removed":['
    yield from _json_array(result.removed)
    yield b',"unchanged":['
    yield from _json_array(_dump(ocid) for ocid in result.unchanged)
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
    diff_path = atomic_write_chunks(out_dir / DIFF_FILE, _diff_chunks(result))
    summary_path = atomic_write_chunks(out_dir / DIFF_SUMMARY_FILE, (json_bytes(result.summary()),))
    return diff_path, summary_path
