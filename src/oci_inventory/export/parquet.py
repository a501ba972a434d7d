"""``inventory.parquet``: the whole record with an explicit, stable Arrow schema (optional, needs pyarrow).

Columns follow ``RECORD_FIELDS``. Scalars are strings; ``timeCreated`` and ``collectedAt`` are
``timestamp[ms, tz=UTC]``; ``definedTags``, ``freeformTags``, ``details`` and ``relationships`` are JSON
text with sorted keys (query them with DuckDB's ``json`` functions). pyarrow is imported lazily so the tool
works without it unless ``--parquet`` is asked for.
"""

from __future__ import annotations

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


def ensure_pyarrow() -> None:
    """Raise :class:`ConfigError` with the install hint if pyarrow cannot be imported."""
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


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def _convert(kind: str, value: Any) -> Any:
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "json":
        return _json(value)
    return value


def write_parquet(path: Path, records: Iterable[Record], batch_size: int = 50_000) -> int:
    """Write ``records`` in row groups of up to ``batch_size``; return the number written.

    Zero records still give a valid file with the full schema.
    """
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    ensure_pyarrow()
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    columns: dict[str, list[Any]] = {name: [] for name in RECORD_FIELDS}
    count = 0

    def flush(writer: Any) -> None:
        writer.write_table(pa.Table.from_pydict(columns, schema=schema))
        for values in columns.values():
            values.clear()

    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        pending = 0
        for record in records:
            for name, kind, _nullable in PARQUET_COLUMNS:
                columns[name].append(_convert(kind, record.get(name)))
            pending += 1
            count += 1
            if pending >= batch_size:
                flush(writer)
                pending = 0
        if pending:
            flush(writer)
    return count
