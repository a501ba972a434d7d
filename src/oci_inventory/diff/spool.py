"""An append-only list of JSON values kept in a temporary file, so a diff never holds one object per resource."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import orjson

#: A spool stays in memory up to this many bytes, then moves to an unnamed temporary file.
IN_MEMORY_BYTES = 1 << 20
_BATCH = 1024  # values appended before one write
_BLOCK = 1 << 20  # bytes read at a time by :meth:`Spool.joined`


class Spool:
    """Canonical JSON values, one per line, in the order appended; ``len`` is their count.

    Iterate only once all appends are done, and one iterator at a time. :meth:`close` frees the file (it is
    also freed when the spool is garbage-collected).

    A spool may also take over files of values written elsewhere (:meth:`adopt`, e.g. by a diff worker process):
    their values follow the ones appended before, and values appended after follow them.
    """

    def __init__(self, file: IO[bytes] | None = None) -> None:
        """A new spool; with ``file``, the values go to that (emptied) file instead of a temporary one."""
        if file is None:
            file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - closed by close()
        else:
            file.seek(0)
            file.truncate()
        self._file: IO[bytes] = file
        self._segments: list[IO[bytes]] = [file]
        self._pending: list[bytes] = []
        self._count = 0

    def append(self, value: bytes) -> None:
        """Add one value's JSON (it must not contain a newline: orjson output never does)."""
        self._pending.append(value)
        self._count += 1
        if len(self._pending) >= _BATCH:
            self._flush()

    def extend(self, values: list[bytes]) -> None:
        """Add several values' JSON, in order (see :meth:`append`)."""
        self._pending.extend(values)
        self._count += len(values)
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._pending.append(b"")
            self._file.write(b"\n".join(self._pending))
            self._pending = []

    def flush(self) -> None:
        """Write what is pending to the file (for a spool whose file another process reads)."""
        self._flush()
        self._file.flush()

    def adopt(self, file: IO[bytes], count: int) -> None:
        """Take over ``file``, which holds ``count`` values written as this class writes them; the spool closes it."""
        self._flush()
        self._segments.append(file)
        self._count += count
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - closed by close()
        self._segments.append(self._file)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[bytes]:
        self._flush()
        for segment in self._segments:
            segment.seek(0)
            try:
                for line in segment:
                    yield line[:-1]
            finally:
                segment.seek(0, os.SEEK_END)

    def _blocks(self) -> Iterator[bytes]:
        """The spooled bytes (values, each followed by a newline) in blocks that end at a newline."""
        self._flush()
        for segment in self._segments:
            segment.seek(0)
            carry = b""
            try:
                while block := segment.read(_BLOCK):
                    cut = block.rfind(b"\n") + 1
                    if cut == 0:
                        carry += block
                        continue
                    yield carry + block[:cut]
                    carry = block[cut:]
            finally:
                segment.seek(0, os.SEEK_END)
            if carry:  # a segment always ends with a newline; this is only a guard
                yield carry + b"\n"

    def joined(self, separator: bytes) -> Iterator[bytes]:
        """The values joined by ``separator``, in chunks that each hold whole values (valid UTF-8 on their own)."""
        pending = False
        for block in self._blocks():
            if pending:
                yield separator
            yield block[:-1].replace(b"\n", separator)
            pending = True

    def __eq__(self, other: object) -> bool:
        """Spools are equal when they hold the same values in the same order."""
        if not isinstance(other, Spool):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def values(self) -> list[Any]:
        """Every value parsed (for small diffs and tests)."""
        return [orjson.loads(line) for line in self]

    def close(self) -> None:
        self._pending = []
        for segment in self._segments:
            segment.close()
