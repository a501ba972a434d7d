"""An append-only list of JSON values kept in a temporary file, so a diff never holds one object per resource."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import orjson

#: A spool stays in memory up to this many bytes, then moves to an unnamed temporary file.
IN_MEMORY_BYTES = 1 << 20
_BATCH = 1024  # values appended before one write


class Spool:
    """Canonical JSON values, one per line, in the order appended; ``len`` is their count.

    Iterate only once all appends are done, and one iterator at a time. :meth:`close` frees the file (it is
    also freed when the spool is garbage-collected).
    """

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - closed by close()
        self._pending: list[bytes] = []
        self._count = 0

    def append(self, value: bytes) -> None:
        """Add one value's JSON (it must not contain a newline: orjson output never does)."""
        self._pending.append(value)
        self._count += 1
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._pending.append(b"")
            self._file.write(b"\n".join(self._pending))
            self._pending = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[bytes]:
        self._flush()
        self._file.seek(0)
        try:
            for line in self._file:
                yield line[:-1]
        finally:
            self._file.seek(0, 2)

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
        self._file.close()
