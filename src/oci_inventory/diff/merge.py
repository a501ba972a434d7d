"""The fast compare: two streams of records in OCID order, merge-joined on the raw line bytes.

Most pairs of a diff are unchanged, and their lines differ only in the leading ``collectedAt``. Such a pair is
decided from the bytes: one line is parsed (to check it and to read its region and type), the other is checked
by its identity with the first (its ``collectedAt`` string checked alone), so an unchanged resource costs one
parse, not two. Every other line is parsed, as in :mod:`oci_inventory.diff.diff`.

The OCID of a line is read from its bytes (the last ``"ocid":"`` of the line) and checked against the parsed
record. Anything this path does not decide raises :class:`Anomaly`: a malformed line, a record without an OCID,
a duplicate OCID, an OCID read wrongly from the bytes. The caller then diffs the inputs again the exact way
(``_exact_diff`` in :mod:`oci_inventory.diff.diff`, every line parsed in stream order), which reports the same
error as it always did; so a result from this path is the result of valid inputs, and every error message
stays what it was.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from typing import IO, Any, Protocol

import orjson

from oci_inventory.diff.fields import before_after, field_changes
from oci_inventory.diff.hash import record_hash
from oci_inventory.diff.spool import Spool

CATEGORIES = ("added", "removed", "changed", "unchanged")
#: Canonical lines (sorted keys) start with ``collectedAt`` unless a record has a key that sorts before it.
COLLECTED_PREFIX = b'{"collectedAt":"'
_START = len(COLLECTED_PREFIX)
_OCID = b'"ocid":"'
_SEP = b"\x00"  # between the OCID and the line in a bucket entry (see :func:`bucket_items`)
_CONTROL = re.compile(rb"[\x00-\x1f]")
_FLUSH = 4096  # unchanged OCIDs buffered before one spool write
_STAMPS = 4096  # collectedAt strings remembered as valid
_READ = 1 << 20


class Anomaly(Exception):
    """The fast path does not decide these inputs (an input error, or a line it does not read the fast way)."""


class OutOfOrder(Exception):
    """An input read as sorted by OCID is not sorted."""


class Sink(Protocol):
    """Where a compare puts its outcome (:class:`Tally`, or the diff result itself)."""

    added: Spool
    removed: Spool
    changed: Spool
    unchanged: Spool
    by_resource_type: dict[str, dict[str, int]]
    not_compared: dict[str, list[int]]
    read: list[int]


class Tally:
    """The outcome of comparing one range of OCIDs: the four spools, counts by type, records not compared, and
    the records read per side."""

    def __init__(self, files: tuple[IO[bytes], IO[bytes], IO[bytes], IO[bytes]] | None = None) -> None:
        spools = [Spool(f) for f in files] if files is not None else [Spool() for _ in CATEGORIES]
        self.added, self.removed, self.changed, self.unchanged = spools
        self.by_resource_type: dict[str, dict[str, int]] = {}
        self.not_compared: dict[str, list[int]] = {}
        self.read = [0, 0]

    def spools(self) -> tuple[Spool, Spool, Spool, Spool]:
        return self.added, self.removed, self.changed, self.unchanged

    def counts(self) -> dict[str, Any]:
        """Everything but the spools' values, as JSON-ready lists (which keep the order keys were first seen)."""
        return {
            "spooled": [len(s) for s in self.spools()],
            "by_resource_type": list(self.by_resource_type.items()),
            "not_compared": list(self.not_compared.items()),
            "read": self.read,
        }

    def close(self) -> None:
        for spool in self.spools():
            spool.close()


def add_counts(sink: Sink, counts: dict[str, Any]) -> None:
    """Add a :meth:`Tally.counts` of the next OCID range to ``sink`` (keys first seen there go last, as when one
    process compares both ranges)."""
    for rtype, by_category in counts["by_resource_type"]:
        mine = sink.by_resource_type.get(rtype)
        if mine is None:
            sink.by_resource_type[rtype] = dict(by_category)
        else:
            for category, n in by_category.items():
                mine[category] += n
    for region, pair in counts["not_compared"]:
        mine_pair = sink.not_compared.get(region)
        if mine_pair is None:
            sink.not_compared[region] = list(pair)
        else:
            mine_pair[0] += pair[0]
            mine_pair[1] += pair[1]
    sink.read[0] += counts["read"][0]
    sink.read[1] += counts["read"][1]


def slow_key(raw: bytes) -> bytes | None:
    """The OCID of a line whose bytes do not show it plainly, by parsing it; None for a blank line."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if not raw.strip():
            return None
        raise Anomaly from None
    ocid = record.get("ocid") if type(record) is dict else None
    if type(ocid) is not str or not ocid:
        raise Anomaly
    return ocid.encode()


def line_key(raw: bytes) -> bytes | None:
    """The OCID of a line as UTF-8 bytes (checked later against the parsed record); None for a blank line."""
    i = raw.rfind(_OCID)
    if i >= 0:
        i += 8
        j = raw.find(b'"', i)
        key = raw[i:j]
        if j > 0 and key and b"\\" not in key:
            return key
    return slow_key(raw)


class _Span(io.RawIOBase):
    """Bytes ``[start, end)`` of an open file, read with ``pread`` (wrap it in a buffered reader)."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        super().__init__()
        self._fd, self._pos, self._end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: self._end - self._pos]
        if hasattr(os, "preadv"):
            size = os.preadv(self._fd, [view], self._pos)  # straight into the buffer
        else:  # pragma: no cover - platforms without preadv
            data = os.pread(self._fd, len(view), self._pos)
            size = len(data)
            view[:size] = data
        self._pos += size
        return size


def span_lines(fd: int, start: int, end: int) -> IO[bytes]:
    """The lines of bytes ``[start, end)`` of an open file (``end`` at a line start or the end of the file)."""
    return io.BufferedReader(_Span(fd, start, max(start, end)), _READ)


#: ``(OCID, line, start)``: one record of a compare, its JSON text ``line[start:]``.
Item = tuple[bytes, bytes, int]


def sorted_range(
    fd: int, span: tuple[int, int], bounds: tuple[bytes | None, bytes | None], read: list[int], side: int
) -> Iterator[Item]:
    """The :data:`Item` of each of the lines that start in ``span`` of a file read as sorted, counted in ``read[side]``.
    Every OCID must be in ``[lo, hi)`` (``bounds``, None for no bound) and above its predecessor: an equal one (a
    duplicate) raises :class:`Anomaly`, any other one out of place :class:`OutOfOrder`."""
    lo, hi = bounds
    last = lo or b""
    count = 0
    rfind, find = bytes.rfind, bytes.find
    with span_lines(fd, *span) as lines:
        for raw in lines:
            i = rfind(raw, _OCID)
            key = b""
            if i >= 0:
                i += 8
                j = find(raw, b'"', i)
                key = raw[i:j]
                if j < 0 or b"\\" in key:
                    key = b""
            if not key:
                found = slow_key(raw)
                if found is None:
                    continue
                key = found
            if key <= last and (key != last or count):  # only the first line may equal ``lo``
                if key == last:
                    raise Anomaly
                raise OutOfOrder
            last = key
            count += 1
            yield key, raw, 0
    if count and hi is not None and last >= hi:
        raise OutOfOrder
    read[side] += count


def bucket_items(entries: list[bytes]) -> Iterator[Item]:
    """The :data:`Item` of each sorted bucket entry (``OCID NUL line``, the line not copied out); an OCID not above
    its predecessor (a duplicate) raises :class:`Anomaly`."""
    last = b""
    for entry in entries:
        k = entry.find(_SEP)
        key = entry[:k]
        if key <= last:
            raise Anomaly
        last = key
        yield key, entry, k + 1


def _parse(raw: bytes, key: bytes) -> dict[str, Any]:
    """The record of a line, which must be a JSON object whose OCID is ``key``."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Anomaly from None
    if type(record) is not dict:
        raise Anomaly
    ocid = record.get("ocid")
    if type(ocid) is not str or ocid.encode() != key:
        raise Anomaly
    return record


def _text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return value if type(value) is str else ""


def _valid_stamp(value: bytes) -> bool:
    """Whether ``value`` (no quote, no backslash in it) is valid JSON string content: UTF-8, no control byte."""
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(value) is None


def _dump(obj: Any) -> bytes:
    """Canonical JSON, copied out of orjson's output (which holds a much larger allocation than its length): a
    spool keeps many values until it writes them."""
    return bytes(memoryview(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)))


def changed_entry(prev: dict[str, Any], curr: dict[str, Any], prev_hash: str, curr_hash: str) -> dict[str, Any]:
    changes = field_changes(prev, curr)
    before, after = before_after(changes)
    return {
        "ocid": curr["ocid"],
        "resourceType": curr.get("resourceType"),
        "displayName": curr.get("displayName"),
        "region": curr.get("region"),
        "changedFields": [c.path for c in changes],
        "before": before,
        "after": after,
        "prevHash": prev_hash,
        "currHash": curr_hash,
    }


class _Compare:
    """The merge-join of :func:`merge`, with what it keeps between records."""

    def __init__(self, sink: Sink, compared: frozenset[str]) -> None:
        self.sink = sink
        self.compared = compared
        self.by_type = sink.by_resource_type
        self.skipped = sink.not_compared
        self.unchanged: list[bytes] = []
        self.stamps: set[bytes] = set()

    def count(self, rtype: str, category: str) -> None:
        counts = self.by_type.get(rtype)
        if counts is None:
            counts = self.by_type[rtype] = dict.fromkeys(CATEGORIES, 0)
        counts[category] += 1

    def skip(self, region: str, side: int) -> None:
        counts = self.skipped.get(region)
        if counts is None:
            counts = self.skipped[region] = [0, 0]
        counts[side] += 1

    def keep_unchanged(self, ocid: str) -> None:
        self.unchanged.append(bytes(memoryview(orjson.dumps(ocid))))  # a compact copy: see _dump
        if len(self.unchanged) >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        self.sink.unchanged.extend(self.unchanged)
        self.unchanged = []

    def identical(self, prev: bytes, curr: bytes) -> bool:
        """True when the lines differ at most in a leading ``collectedAt`` string and the previous one's string
        is valid: then the previous line is valid JSON exactly when the current one is, and their records are
        equal but for ``collectedAt``."""
        if not (prev.startswith(COLLECTED_PREFIX) and curr.startswith(COLLECTED_PREFIX)):
            return False
        p_end, c_end = prev.find(b'"', _START), curr.find(b'"', _START)
        if p_end < 0 or c_end < 0 or len(prev) - p_end != len(curr) - c_end or not prev.startswith(curr[c_end:], p_end):
            return False
        if prev.find(b"\\", _START, p_end) >= 0 or curr.find(b"\\", _START, c_end) >= 0:
            return False
        stamp = prev[_START:p_end]
        if stamp not in self.stamps:
            if not _valid_stamp(stamp):
                raise Anomaly
            if len(self.stamps) >= _STAMPS:
                self.stamps.clear()
            self.stamps.add(stamp)
        return True

    def pair(self, key: bytes, prev: bytes, curr: bytes) -> None:
        compared = self.compared
        if self.identical(prev, curr):
            record = _parse(curr, key)
            region = _text(record, "region")
            if region not in compared:
                self.skip(region, 0)
                self.skip(region, 1)
                return
            self.keep_unchanged(record["ocid"])
            self.count(_text(record, "resourceType"), "unchanged")
            return
        p, c = _parse(prev, key), _parse(curr, key)
        p_region, c_region = _text(p, "region"), _text(c, "region")
        if p_region not in compared or c_region not in compared:  # one resource, seen where we cannot compare
            if p_region not in compared:
                self.skip(p_region, 0)
            if c_region not in compared:
                self.skip(c_region, 1)
            return
        prev_hash, curr_hash = record_hash(p), record_hash(c)
        if prev_hash == curr_hash:
            self.keep_unchanged(c["ocid"])
            self.count(_text(c, "resourceType"), "unchanged")
        else:
            self.sink.changed.append(_dump(changed_entry(p, c, prev_hash, curr_hash)))
            self.count(_text(c, "resourceType"), "changed")

    def only(self, key: bytes, raw: bytes, side: int) -> None:
        record = _parse(raw, key)
        region = _text(record, "region")
        if region not in self.compared:
            self.skip(region, side)
            return
        (self.sink.removed if side == 0 else self.sink.added).append(_dump(record))
        self.count(_text(record, "resourceType"), "removed" if side == 0 else "added")


def merge(prev: Iterator[Item], curr: Iterator[Item], sink: Sink, compared: frozenset[str]) -> None:
    """Merge-join two :data:`Item` streams in OCID order into ``sink``; records of regions not in ``compared``
    are only counted. The outcome is the one :mod:`oci_inventory.diff.diff` gives for valid inputs.

    The loop decides the common pair inline (:meth:`_Compare.identical` and :meth:`_Compare.pair` spelled out,
    on the lines where they are: a million calls and copies saved per million records); any other pair or record
    goes through :class:`_Compare`.
    """
    state = _Compare(sink, compared)
    pair, only = state.pair, state.only
    loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    by_type, stamps = state.by_type, state.stamps
    unchanged = state.unchanged
    prefix = COLLECTED_PREFIX
    p = next(prev, None)
    c = next(curr, None)
    while p is not None and c is not None:
        pk, pr, ps = p
        ck, cr, cs = c
        if pk == ck:
            if pr.startswith(prefix, ps) and cr.startswith(prefix, cs):
                p_start, c_start = ps + _START, cs + _START
                p_end, c_end = pr.find(b'"', p_start), cr.find(b'"', c_start)
                if (
                    p_end > 0
                    and c_end > 0
                    and len(pr) - p_end == len(cr) - c_end
                    and pr.startswith(cr[c_end:], p_end)
                    and pr.find(b"\\", p_start, p_end) < 0
                    and cr.find(b"\\", c_start, c_end) < 0
                    and pr[p_start:p_end] in stamps
                ):
                    try:
                        record = loads(memoryview(cr)[cs:] if cs else cr)
                    except decode_error:
                        raise Anomaly from None
                    if type(record) is not dict:
                        raise Anomaly
                    ocid = record.get("ocid")
                    if type(ocid) is not str or ocid.encode() != ck:
                        raise Anomaly
                    region = record.get("region")
                    if type(region) is str and region in compared:
                        unchanged.append(bytes(memoryview(dumps(ocid))))  # a compact copy: see _dump
                        if len(unchanged) >= _FLUSH:
                            state.flush()
                            unchanged = state.unchanged
                        rtype = record.get("resourceType")
                        counts = by_type.get(rtype) if type(rtype) is str else None
                        if counts is None:
                            state.count(rtype if type(rtype) is str else "", "unchanged")
                        else:
                            counts["unchanged"] += 1
                    else:
                        region = region if type(region) is str else ""
                        state.skip(region, 0)
                        state.skip(region, 1)
                    p = next(prev, None)
                    c = next(curr, None)
                    continue
            pair(pk, pr[ps:], cr[cs:])  # also learns a new valid collectedAt string for the test above
            unchanged = state.unchanged
            p = next(prev, None)
            c = next(curr, None)
        elif pk < ck:
            only(pk, pr[ps:], 0)
            p = next(prev, None)
        else:
            only(ck, cr[cs:], 1)
            c = next(curr, None)
    while p is not None:
        only(p[0], p[1][p[2] :], 0)
        p = next(prev, None)
    while c is not None:
        only(c[0], c[1][c[2] :], 1)
        c = next(curr, None)
    state.flush()
