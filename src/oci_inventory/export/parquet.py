"""``inventory.parquet``: the whole record with an explicit, stable Arrow schema (optional, needs pyarrow).

Columns follow ``RECORD_FIELDS``. Scalars are strings; ``timeCreated`` and ``collectedAt`` are
``timestamp[ms, tz=UTC]``; ``definedTags``, ``freeformTags``, ``details`` and ``relationships`` are JSON
text with sorted keys (query them with DuckDB's ``json`` functions). pyarrow is imported lazily so the tool
works without it unless ``--parquet`` is asked for.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.normalize.schema import RECORD_FIELDS, Record
from oci_inventory.util.errors import ConfigError
from oci_inventory.util.time import parse_iso_z

PARQUET_INSTALL_HINT = "pip install 'oci-inventory[parquet]'"

#: (column, Arrow type name, nullable); "json" columns are strings holding JSON text.
PARQUET_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("ocid", "string", False),
    ("resourceType", "string", False),
    ("displayName", "string", True),
    ("compartmentId", "string", False),
    ("compartmentPath", "string", True),
    ("region", "string", False),
    ("lifecycleState", "string", True),
    ("timeCreated", "timestamp", True),
    ("definedTags", "json", False),
    ("freeformTags", "json", False),
    ("collectedAt", "timestamp", False),
    ("enrichStatus", "string", False),
    ("enrichError", "string", True),
    ("details", "json", False),
    ("relationships", "json", False),
)
assert tuple(c[0] for c in PARQUET_COLUMNS) == RECORD_FIELDS


def ensure_pyarrow(*, load: bool = True) -> None:
    """Raise :class:`ConfigError` with the install hint if pyarrow cannot be imported. ``load=False`` only looks
    for it without importing it: a run's main process, whose ``inventory.parquet`` a child process writes
    (``export/follower.py``), would hold about 36 MB of it for nothing."""
    if not load:
        try:
            found = importlib.util.find_spec("pyarrow") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ConfigError("--parquet needs pyarrow, which is not installed", hint=PARQUET_INSTALL_HINT)
        return
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ConfigError("--parquet needs pyarrow, which is not installed", hint=PARQUET_INSTALL_HINT) from None


def arrow_schema() -> Any:
    """The ``pyarrow.Schema`` of ``inventory.parquet``."""
    ensure_pyarrow()
    import pyarrow as pa

    types = {"string": pa.string(), "json": pa.string(), "timestamp": pa.timestamp("ms", tz="UTC")}
    fields = [pa.field(name, types[kind], nullable=nullable) for name, kind, nullable in PARQUET_COLUMNS]
    return pa.schema(
        fields, metadata={b"oci_inventory.json_columns": b"definedTags,freeformTags,details,relationships"}
    )


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return parse_iso_z(value)


def _timestamps(values: list[Any]) -> Any:
    """A timestamp column from canonical ``...Z`` strings (cast by Arrow), else value by value."""
    import pyarrow as pa

    kind = pa.timestamp("ms", tz="UTC")
    if all(v is None or isinstance(v, str) for v in values):
        try:
            return pa.array(values, type=pa.string()).cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pa.array([_timestamp(v) for v in values], type=kind)


class ParquetStream:
    """``inventory.parquet`` one record at a time (:meth:`write`), in row groups of up to ``batch_size``.

    A row costs one tuple of the record's values (taken in C, ``map(record.get, ...)``). Every ``CHUNK`` rows the
    tuples are turned into columns (``zip``), the JSON columns serialized (orjson, sorted keys) and the timestamps
    cast from their text, and the columns become an Arrow record batch (memory outside Python's small-object
    arenas): Python objects kept across thousands of parsed records pin the arenas those records used, which is
    how a 10,000-row list buffer cost 200 MB of RSS. A row group is written when ``batch_size`` rows are in Arrow
    batches. (Appending each value to its column's list, 15 appends and 4 JSON calls a row, was 70 % of the
    process that writes the file.)"""

    CHUNK = 1000

    def __init__(self, path: Path, batch_size: int = 20_000) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        ensure_pyarrow()
        import pyarrow.parquet as pq

        self._schema = arrow_schema()
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="zstd")
        self._batch_size = batch_size
        self._batches: list[Any] = []
        self._batched_rows = 0
        self._rows: list[tuple[Any, ...]] = []
        self._kinds = [kind for _, kind, _ in PARQUET_COLUMNS]
        self._names = tuple(name for name, _, _ in PARQUET_COLUMNS)
        self.count = 0

    def write(self, record: Record) -> None:
        self._rows.append(tuple(map(record.get, self._names)))
        self.count += 1
        pending = len(self._rows)
        if pending >= self.CHUNK or pending >= self._batch_size - self._batched_rows:
            self._to_arrow()
            if self._batched_rows >= self._batch_size:
                self._flush()

    def _to_arrow(self) -> None:
        import pyarrow as pa

        columns: list[tuple[Any, ...]] = list(zip(*self._rows, strict=True)) or [() for _ in self._kinds]
        arrays = [self._array(list(values), kind) for values, kind in zip(columns, self._kinds, strict=True)]
        self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._batched_rows += len(self._rows)
        self._rows = []

    @staticmethod
    def _array(values: list[Any], kind: str) -> Any:
        import pyarrow as pa

        if kind == "timestamp":
            return _timestamps(values)
        if kind == "json":
            values = [orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in values]
        return pa.array(values, type=pa.string())

    def _flush(self) -> None:
        import pyarrow as pa

        self._writer.write_table(pa.Table.from_batches(self._batches, schema=self._schema))
        self._batches = []
        self._batched_rows = 0

    def close(self) -> None:
        """Write the last row group and the footer (zero records still give a valid file with the schema)."""
        if self._rows or self.count == 0:
            self._to_arrow()
        if self._batches:
            self._flush()
        self._writer.close()


def write_parquet(path: Path, records: Iterable[Record], batch_size: int = 20_000) -> int:
    """Write ``records`` in row groups of up to ``batch_size``; return the number written."""
    stream = ParquetStream(path, batch_size)
    try:
        for record in records:
            stream.write(record)
    finally:
        stream.close()
    return stream.count
