"""An external merge sort for lines of bytes, keyed by a string (the OCID).

Records are kept as compact bytes, never as dicts. While the buffer stays under ``max_bytes_in_memory`` it is
sorted in memory; beyond that, sorted runs are spilled to temporary files and k-way merged with
:func:`heapq.merge` when iterated. Ties on the key are ordered by the line bytes, so the output order is a
pure function of the input multiset: identical inputs give byte-identical outputs whatever the add order.
"""

from __future__ import annotations

import heapq
import shutil
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from oci_inventory.util.memory import trim_malloc

_HEADER = struct.Struct(">II")
# Rough per-entry overhead of a (str, bytes) tuple in a list, so small lines count realistically.
_ENTRY_OVERHEAD = 150
_IO_BUFFER = 1 << 20
_SPILL_CHUNK = 128  # pairs joined per write when spilling: about 200 KB, under the mmap threshold (util/memory.py)
_READ_BUFFER = 1 << 18  # per run while merging: a 1M-record run set has 40 runs or so


class ExternalSorter:
    """Collect ``(key, line)`` pairs from any number of threads and iterate the lines in key order.

    ``add`` is thread-safe. Iterate (``for line in sorter`` or :meth:`sorted_lines`) once all adds are done;
    adding while iterating is not supported. :meth:`close` (or leaving the ``with`` block) removes the
    temporary files.
    """

    def __init__(self, max_bytes_in_memory: int = 64 * 2**20, tmp_dir: Path | None = None) -> None:
        if max_bytes_in_memory <= 0:
            raise ValueError("max_bytes_in_memory must be positive")
        self._budget = max_bytes_in_memory
        self._tmp_parent = tmp_dir
        self._lock = threading.Lock()
        self._buffer: list[tuple[str, bytes]] = []
        self._buffer_bytes = 0
        self._runs: list[Path] = []
        self._spills = 0  # runs written by this sorter: their file names (handed-over runs leave _runs)
        self._spill_dir: Path | None = None
        self._open_files: list[BinaryIO] = []
        self._count = 0
        self._closed = False

    def __len__(self) -> int:
        return self._count

    @property
    def spilled_runs(self) -> int:
        """How many sorted runs went to disk so far."""
        return len(self._runs)

    @property
    def buffered_bytes(self) -> int:
        """What the pairs in memory count against the budget."""
        return self._buffer_bytes

    def hand_over(self) -> list[Path]:
        """Spill what is in memory and hand the sorted runs written so far over to another sorter
        (:meth:`adopt`, possibly in another process); this sorter goes on without them and never removes them."""
        with self._lock:
            return self._take_runs()

    def _take_runs(self) -> list[Path]:
        """Spill the buffer and take the sorted runs written so far out of this sorter. Caller holds the lock."""
        if self._closed:
            raise RuntimeError("ExternalSorter is closed")
        if self._buffer:
            self._spill()
        runs, self._runs = self._runs, []
        return runs

    def adopt(self, runs: list[Path], count: int) -> None:
        """Merge ``runs`` of ``count`` pairs that another sorter handed over (:meth:`hand_over`) with this one's.
        Their files stay where they are; whoever made their directory removes it after this sorter is read."""
        with self._lock:
            if self._closed:
                raise RuntimeError("ExternalSorter is closed")
            self._runs.extend(runs)
            self._count += count

    def add(self, key: str, line: bytes) -> None:
        self.add_many([(key, line)])

    def add_many(self, pairs: list[tuple[str, bytes]]) -> None:
        """:meth:`add` for many pairs under one lock (a Search page's records). The lines are kept as given: pass
        exact-size bytes (``orjson.dumps`` returns about 8 KiB for a 1 KiB record, and the budget counts
        ``len(line)``; ``entry.record_entry`` and lines read from a file are exact)."""
        size = sum(len(key) + len(line) for key, line in pairs) + _ENTRY_OVERHEAD * len(pairs)
        with self._lock:
            if self._closed:
                raise RuntimeError("ExternalSorter is closed")
            self._buffer.extend(pairs)
            self._buffer_bytes += size
            self._count += len(pairs)
            if self._buffer_bytes > self._budget:
                self._spill()

    def _spill(self) -> None:
        """Sort the buffer and write it as one run. Caller holds the lock."""
        self._buffer.sort()
        if self._spill_dir is None:
            self._spill_dir = Path(tempfile.mkdtemp(prefix="oci-inv-sort-", dir=self._tmp_parent))
        path = self._spill_dir / f"run-{self._spills:06d}.bin"
        self._spills += 1
        buffer = self._buffer
        with open(path, "wb", buffering=_IO_BUFFER) as fh:
            for start in range(0, len(buffer), _SPILL_CHUNK):  # one write per chunk, not per pair
                fh.write(b"".join(map(pair_bytes, buffer[start : start + _SPILL_CHUNK])))
        self._runs.append(path)
        self._buffer = []
        self._buffer_bytes = 0
        trim_malloc()  # the buffer's lines are free now: hand their pages back rather than let them scatter

    def _read_run(self, path: Path) -> Iterator[tuple[str, bytes]]:
        fh = open(path, "rb", buffering=_READ_BUFFER)  # noqa: SIM115 - closed below or by close()
        self._open_files.append(fh)
        size = _HEADER.size
        unpack = _HEADER.unpack
        try:
            while header := fh.read(size):
                klen, llen = unpack(header)
                yield fh.read(klen).decode("utf-8"), fh.read(llen)
        finally:
            fh.close()
            if fh in self._open_files:
                self._open_files.remove(fh)

    def sorted_lines(self) -> Iterator[bytes]:
        """Yield every added line ordered by key, then by line bytes."""
        for _key, line in self.sorted_items():
            yield line

    def sorted_items(self) -> Iterator[tuple[str, bytes]]:
        """Yield every added ``(key, line)`` ordered by key, then by line bytes."""
        with self._lock:
            if self._closed:
                raise RuntimeError("ExternalSorter is closed")
            self._buffer.sort()
            memory = list(self._buffer)
            runs = list(self._runs)
        if not runs:
            yield from memory
            return
        streams: list[Iterator[tuple[str, bytes]]] = [self._read_run(p) for p in runs]
        streams.append(iter(memory))
        yield from heapq.merge(*streams)

    def __iter__(self) -> Iterator[bytes]:
        return self.sorted_lines()

    def detach_runs(self) -> list[Path]:
        """Spill what is in memory, close the sorter and hand its sorted runs over: the caller iterates them with
        :func:`merge_runs` (possibly in another process) and removes their directory (each path's parent)."""
        with self._lock:
            runs = self._take_runs()
            self._spill_dir = None
            self._closed = True
        return runs

    def close(self) -> None:
        """Drop the buffer and remove temporary files. Safe to call twice."""
        with self._lock:
            self._closed = True
            self._buffer = []
            for fh in self._open_files:
                fh.close()
            self._open_files = []
            if self._spill_dir is not None:
                shutil.rmtree(self._spill_dir, ignore_errors=True)
                self._spill_dir = None
            self._runs = []

    def __enter__(self) -> ExternalSorter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def pair_bytes(pair: tuple[str, bytes]) -> bytes:
    """A ``(key, line)`` pair as a sorted run holds it (:func:`read_pairs` reads them back)."""
    key, line = pair
    kb = key.encode("utf-8")
    return b"".join((_HEADER.pack(len(kb), len(line)), kb, line))


def read_pairs(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every ``(key, line)`` of a file of :func:`pair_bytes` (a sorted run), in file order."""
    size = _HEADER.size
    unpack = _HEADER.unpack
    with open(path, "rb", buffering=_READ_BUFFER) as fh:
        while header := fh.read(size):
            klen, llen = unpack(header)
            yield fh.read(klen).decode("utf-8"), fh.read(llen)


def merge_runs(runs: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Every ``(key, line)`` of runs from :meth:`ExternalSorter.detach_runs`, ordered by key, then line bytes."""
    return heapq.merge(*(read_pairs(path) for path in runs))
