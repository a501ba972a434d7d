"""``inventory.csv``: the flat columns of the record (``CSV_FIELDS``), the spreadsheet report.

RFC 4180: comma separated, ``\\r\\n`` line ends, fields quoted only when needed (comma, quote, CR/LF), UTF-8
without a byte order mark. ``None`` is an empty cell; tag columns hold compact JSON with sorted keys.

Names and tags are data anyone with write access to the tenancy can plant, and a spreadsheet opened by
double-click evaluates a cell such as ``=HYPERLINK(...)``. So, unless ``raw`` (``--csv-raw``), every cell is made
safe (:func:`csv_cell`), in this order:

1. each C0 control character other than tab, LF and CR (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F) and
   DEL (U+007F) is replaced by U+FFFD;
2. a cell that then starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP CSV injection
   guidance), which spreadsheets show as text.

``inventory.jsonl`` and ``inventory.parquet`` keep the exact values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.normalize.schema import CSV_FIELDS, Record

_TAG_FIELDS = frozenset({"definedTags", "freeformTags"})
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


def csv_cell(text: str, *, raw: bool = False) -> str:
    """``text`` made safe to open in a spreadsheet (see the module docstring); unchanged when ``raw``."""
    if raw:
        return text
    text = _CONTROL.sub(REPLACEMENT, text)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _cell(field: str, value: Any, raw: bool) -> str:
    if value is None:
        return ""
    if field in _TAG_FIELDS:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    else:
        text = value if isinstance(value, str) else str(value)
    return csv_cell(text, raw=raw)


def csv_row(record: Record, *, raw: bool = False) -> list[str]:
    """The cells of one record, in ``CSV_FIELDS`` order."""
    return [_cell(field, record.get(field), raw) for field in CSV_FIELDS]


def write_csv(path: Path, records: Iterable[Record], *, raw: bool = False) -> int:
    """Write the header and one row per record; return the number of records written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CSV_FIELDS)
        for record in records:
            writer.writerow(csv_row(record, raw=raw))
            count += 1
    return count
