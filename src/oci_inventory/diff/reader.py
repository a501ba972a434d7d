"""One side of a diff, read in OCID order: streamed when the file is sorted, else through the external sorter.

Inventories written by oci-inv are sorted by OCID and are read once, line by line. An input that turns out not
to be sorted raises :class:`Unsorted`; the caller then reads that side with :func:`externally_sorted`, which sorts
a small index entry per line (OCID, line number, byte offset and length, region, type) with
:class:`~oci_inventory.export.sorter.ExternalSorter` (spilling to temporary files beyond ``buffer_bytes``) and
reads each line again at its offset in sorted order, so memory stays bounded whatever the input size. Either way
a duplicate OCID is an :class:`InputError` naming both lines.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from oci_inventory.export.sorter import ExternalSorter, merge_runs
from oci_inventory.util.errors import InputError

INVENTORY_FILE = "inventory.jsonl"
#: The external sorter's in-memory buffer per unsorted side (two sides may be sorted at once).
SORT_BUFFER_BYTES = 32 * 2**20
_REASON_MAX = 80
#: Line number (big-endian: equal OCIDs sort by line number), byte offset and length of the line, byte lengths
#: of region and type.
_HEADER = struct.Struct(">QQIII")


class Entry:
    """One record: its OCID, line number, region and type (``""`` when not a string), raw line, and the parsed
    record (parsed on first use for an entry that came out of the external sorter)."""

    __slots__ = ("_record", "lineno", "ocid", "offset", "raw", "region", "rtype")

    def __init__(
        self, ocid: str, lineno: int, region: str, rtype: str, raw: bytes, record: Any = None, offset: int = 0
    ) -> None:
        self.ocid = ocid
        self.lineno = lineno
        self.region = region
        self.rtype = rtype
        self.raw = raw
        self.offset = offset
        self._record: dict[str, Any] | None = record

    @property
    def record(self) -> dict[str, Any]:
        if self._record is None:
            self._record = orjson.loads(self.raw)
        return self._record

    def index(self) -> bytes:
        """What the external sorter keeps: line number, where the line is, region and type."""
        region, rtype = self.region.encode(), self.rtype.encode()
        header = _HEADER.pack(self.lineno, self.offset, len(self.raw), len(region), len(rtype))
        return header + region + rtype

    @classmethod
    def from_index(cls, ocid: str, index: bytes, fd: int) -> Entry:
        """The entry an :meth:`index` describes, its line read again from ``fd``."""
        lineno, offset, length, region_len, rtype_len = _HEADER.unpack_from(index)
        start = _HEADER.size
        region = index[start : start + region_len].decode()
        rtype = index[start + region_len : start + region_len + rtype_len].decode()
        return cls(ocid, lineno, region, rtype, os.pread(fd, length, offset), offset=offset)


class Unsorted(Exception):
    def __init__(self, side: int) -> None:
        self.side = side


def _malformed(path: Path, lineno: int, reason: str) -> InputError:
    reason = reason.replace("\n", " ")
    if len(reason) > _REASON_MAX:
        reason = reason[: _REASON_MAX - 3] + "..."
    return InputError(f"{path}:{lineno}: not a JSON object: {reason}; pass an {INVENTORY_FILE} written by oci-inv")


def _entry(path: Path, lineno: int, raw: bytes, offset: int = 0) -> Entry | None:
    """The entry of one line; None for a blank line."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not raw.strip():
            return None
        raise _malformed(path, lineno, str(exc)) from None
    if not isinstance(record, dict):
        raise _malformed(path, lineno, f"found a JSON {type(record).__name__}")
    ocid = record.get("ocid")
    if not isinstance(ocid, str) or not ocid:
        raise InputError(f'{path}:{lineno}: record has no "ocid" string; pass an {INVENTORY_FILE} written by oci-inv')
    region, rtype = record.get("region"), record.get("resourceType")
    region = region if isinstance(region, str) else ""
    return Entry(ocid, lineno, region, rtype if isinstance(rtype, str) else "", raw, record, offset)


def _entries(path: Path) -> Iterator[Entry]:
    """Entries in file order; an unreadable file is an :class:`InputError`."""
    try:
        fh = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed in finally; a generator owns the handle
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read: {exc.strerror or exc}; pass an {INVENTORY_FILE} written by oci-inv"
        ) from None
    try:
        offset = 0
        for lineno, raw in enumerate(fh, start=1):
            entry = _entry(path, lineno, raw, offset)
            offset += len(raw)
            if entry is not None:
                yield entry
    except OSError as exc:
        raise InputError(f"{path}: read failed: {exc.strerror or exc}") from None
    finally:
        fh.close()


def _duplicate(path: Path, entry: Entry, first_line: int) -> InputError:
    return InputError(
        f"{path}:{entry.lineno}: duplicate ocid {entry.ocid} (first on line {first_line}); "
        f"each resource must appear once: pass an {INVENTORY_FILE} written by oci-inv"
    )


def streamed(path: Path, side: int, read: list[int]) -> Generator[Entry]:
    """Entries in file order, counted in ``read[side]``; raises :class:`Unsorted` at the first OCID lower than
    its predecessor."""
    last_ocid = ""
    last_line = 0
    for entry in _entries(path):
        if entry.ocid <= last_ocid:
            if entry.ocid == last_ocid:
                raise _duplicate(path, entry, last_line)
            raise Unsorted(side)
        last_ocid, last_line = entry.ocid, entry.lineno
        read[side] += 1
        yield entry


def _indexed(path: Path, lineno: int, raw: bytes, offset: int) -> tuple[str, bytes] | None:
    """``(ocid, index entry)`` of one line; None for a blank line. The fast path of :func:`_index_into`: lines
    it cannot take (errors, a region or type that is not a string) go through :func:`_entry`."""
    try:
        record = orjson.loads(raw)
        ocid, region, rtype = record["ocid"], record.get("region"), record.get("resourceType")
        ok = type(ocid) is str and ocid != "" and type(region) is str and type(rtype) is str
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
        ok = False
    if not ok:
        entry = _entry(path, lineno, raw, offset)
        return None if entry is None else (entry.ocid, entry.index())
    region_b, rtype_b = region.encode(), rtype.encode()
    return ocid, _HEADER.pack(lineno, offset, len(raw), len(region_b), len(rtype_b)) + region_b + rtype_b


def _add(add: Callable[[str, bytes], None], item: tuple[str, bytes], path: Path) -> None:
    try:
        add(*item)
    except OSError as exc:
        raise InputError(
            f"cannot sort {path} in temporary files: {exc.strerror or exc}; free space in the temporary "
            "directory (TMPDIR) or pass an inventory sorted by ocid, as oci-inv writes them"
        ) from None


def _index_into(sorter: ExternalSorter, path: Path) -> None:
    """Add an index entry for every line of ``path`` to ``sorter`` (one parse per line, no objects kept)."""
    try:
        fh = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed in finally
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read: {exc.strerror or exc}; pass an {INVENTORY_FILE} written by oci-inv"
        ) from None
    add = sorter.add
    try:
        offset = 0
        for lineno, raw in enumerate(fh, start=1):
            item = _indexed(path, lineno, raw, offset)
            offset += len(raw)
            if item is not None:
                _add(add, item, path)
    except OSError as exc:
        raise InputError(f"{path}: read failed: {exc.strerror or exc}") from None
    finally:
        fh.close()


def sorted_index(path: Path, buffer_bytes: int, tmp_dir: Path | None = None) -> list[Path]:
    """Index every line of ``path`` and sort the index into runs on disk (see :func:`entries_from_runs`).
    A top-level function: it may run in a worker process."""
    sorter = ExternalSorter(buffer_bytes, tmp_dir=tmp_dir)
    try:
        _index_into(sorter, path)
        return sorter.detach_runs()
    finally:
        sorter.close()


def entries_from_runs(path: Path, side: int, read: list[int], runs: list[Path]) -> Generator[Entry]:
    """Entries ordered by OCID, counted in ``read[side]``, each line read again at its offset; the runs and
    their directory are removed at the end."""
    try:
        last_ocid = ""
        last_line = 0
        with open(path, "rb") as fh:
            for ocid, index in merge_runs(runs):
                entry = Entry.from_index(ocid, index, fh.fileno())
                if ocid == last_ocid:
                    raise _duplicate(path, entry, last_line)
                last_ocid, last_line = ocid, entry.lineno
                read[side] += 1
                yield entry
    finally:
        _remove_runs(runs)


def _remove_runs(runs: list[Path]) -> None:
    if runs:
        shutil.rmtree(runs[0].parent, ignore_errors=True)


def externally_sorted(
    path: Path, side: int, read: list[int], *, buffer_bytes: int = SORT_BUFFER_BYTES, tmp_dir: Path | None = None
) -> Generator[Entry]:
    """Entries ordered by OCID, counted in ``read[side]``: an index entry per line goes through an external sort
    (memory bounded by ``buffer_bytes``), then each line is read again at its offset; a record is parsed again
    only when it is needed (a change, an addition, a removal)."""
    yield from entries_from_runs(path, side, read, sorted_index(path, buffer_bytes, tmp_dir))


#: One entry on a sort worker's stdout: line number, then the byte lengths of OCID, region, type and line.
_STREAM = struct.Struct(">QIIII")


class EntryStream(Protocol):
    def __next__(self) -> Entry: ...

    def __iter__(self) -> Iterator[Entry]: ...

    def close(self) -> None: ...


class WorkerSorted:
    """Entries of one side in OCID order, sorted by a worker process (``python -m oci_inventory.diff.reader``)
    that starts at once: two sides sort on two cores while this process compares what comes out."""

    def __init__(self, path: Path, side: int, read: list[int], buffer_bytes: int = SORT_BUFFER_BYTES) -> None:
        self._path, self._side, self._read = path, side, read
        self._spill = Path(tempfile.mkdtemp(prefix="oci-inv-diff-"))  # ours: removed even if the worker is killed
        cmd = [sys.executable, "-m", "oci_inventory.diff.reader", str(path), str(buffer_bytes), str(self._spill)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1 << 20)

    def __iter__(self) -> Iterator[Entry]:
        return self

    def __next__(self) -> Entry:
        out = self._proc.stdout
        assert out is not None
        header = out.read(_STREAM.size)
        if not header:
            self._finish()
            raise StopIteration
        lineno, ocid_len, region_len, rtype_len, raw_len = _STREAM.unpack(header)
        body = out.read(ocid_len + region_len + rtype_len + raw_len)
        a, b, c = ocid_len, ocid_len + region_len, ocid_len + region_len + rtype_len
        self._read[self._side] += 1
        return Entry(body[:a].decode(), lineno, body[a:b].decode(), body[b:c].decode(), body[c:])

    def _finish(self) -> None:
        assert self._proc.stderr is not None
        err = self._proc.stderr.read().decode(errors="replace").strip()
        code = self._proc.wait()
        self.close()
        if code == 2:
            raise InputError(err)
        if code != 0:
            raise RuntimeError(f"sorting {self._path} failed (exit {code}): {err.splitlines()[-1:] or ''}")

    def close(self) -> None:
        """Stop the worker if it is still running and close its pipes."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for pipe in (self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(self._spill, ignore_errors=True)


def write_sorted(path: Path, buffer_bytes: int, out: BinaryIO, tmp_dir: Path | None = None) -> None:
    """What a sort worker does: every entry of ``path`` in OCID order, written to ``out`` (see :data:`_STREAM`)."""
    runs = sorted_index(path, buffer_bytes, tmp_dir)
    pack, unpack, size = _STREAM.pack, _HEADER.unpack_from, _HEADER.size
    last_ocid = ""
    last_line = 0
    try:
        with open(path, "rb") as fh:
            fd = fh.fileno()
            for ocid, index in merge_runs(runs):
                lineno, offset, length, region_len, rtype_len = unpack(index)
                if ocid == last_ocid:
                    raise _duplicate(path, Entry(ocid, lineno, "", "", b""), last_line)
                last_ocid, last_line = ocid, lineno
                ocid_b = ocid.encode()
                header = pack(lineno, len(ocid_b), region_len, rtype_len, length)
                out.write(b"".join((header, ocid_b, index[size:], os.pread(fd, length, offset))))
    finally:
        _remove_runs(runs)


def _worker_main(args: list[str]) -> int:
    """``python -m oci_inventory.diff.reader PATH BUFFER_BYTES TMP_DIR``: exit 2 with the message on an input
    error."""
    with open(sys.stdout.fileno(), "wb", buffering=1 << 20, closefd=False) as out:
        try:
            write_sorted(Path(args[0]), int(args[1]), out, Path(args[2]))
        except InputError as exc:
            sys.stderr.write(exc.user_line() + "\n")
            return 2
        except BrokenPipeError:  # the diff stopped reading (it failed on the other side)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
