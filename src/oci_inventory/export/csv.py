"""``inventory.csv``: the flat columns of the record (``CSV_FIELDS``) for spreadsheets and quick greps.

RFC 4180: comma separated, ``\\r\\n`` line ends, fields quoted only when needed (comma, quote, CR/LF), UTF-8
without a byte order mark. ``None`` is an empty cell; tag columns hold compact JSON with sorted keys.

Values are written exactly as they are, including ones starting with ``=``, ``+``, ``-`` or ``@`` that a
spreadsheet may treat as a formula (CSV injection). The file is an exact, machine-readable copy of the data
for auditors and DuckDB; rewriting values (e.g. prefixing ``'``) would corrupt it. See docs/schema.md for
how to open it safely in a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.normalize.schema import CSV_FIELDS, Record

_TAG_FIELDS = frozenset({"definedTags", "freeformTags"})


def _cell(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field in _TAG_FIELDS:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return value if isinstance(value, str) else str(value)


def csv_row(record: Record) -> list[str]:
    """The cells of one record, in ``CSV_FIELDS`` order."""
    return [_cell(field, record.get(field)) for field in CSV_FIELDS]


def write_csv(path: Path, records: Iterable[Record]) -> int:
    """Write the header and one row per record; return the number of records written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CSV_FIELDS)
        for record in records:
            writer.writerow(csv_row(record))
            count += 1
    return count
