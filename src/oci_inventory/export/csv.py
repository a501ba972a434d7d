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
#: Positions of the tag columns in ``CSV_FIELDS``.
_TAG_INDEXES = tuple(i for i, field in enumerate(CSV_FIELDS) if field in _TAG_FIELDS)
#: In a row's cells each after a newline: a cell that starts like a formula (or a cell holding a newline then
#: ``=``, which the cell-by-cell path then leaves as it is).
_FORMULA_AFTER_NEWLINE = re.compile("\n[=+\\-@\t\r]")


def csv_cell(text: str, *, raw: bool = False) -> str:
    """``text`` made safe to open in a spreadsheet (see the module docstring); unchanged when ``raw``."""
    if raw:
        return text
    text = _CONTROL.sub(REPLACEMENT, text)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _cells(record: Record) -> list[str]:
    """Every ``CSV_FIELDS`` value of ``record`` as text: ``None`` empty, a tag column compact JSON with sorted
    keys, anything else ``str``."""
    values: list[Any] = list(map(record.get, CSV_FIELDS))
    for i in _TAG_INDEXES:
        if values[i] is not None:
            values[i] = orjson.dumps(values[i], option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return [value if value.__class__ is str else ("" if value is None else str(value)) for value in values]


def csv_row(record: Record, *, raw: bool = False) -> list[str]:
    """The cells of one record, in ``CSV_FIELDS`` order (each made safe as :func:`csv_cell` does, unless ``raw``;
    one scan over the whole row finds whether any cell needs it, since almost no row has one)."""
    cells = _cells(record)
    if raw:
        return cells
    joined = "\n" + "\n".join(cells)
    control = _CONTROL.search(joined) is not None
    if not control and _FORMULA_AFTER_NEWLINE.search(joined) is None:
        return cells
    if control:
        cells = [_CONTROL.sub(REPLACEMENT, cell) for cell in cells]
    return ["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in cells]


def csv_line(cells: list[str]) -> str:
    """One row as ``csv.writer`` (``QUOTE_MINIMAL``, ``\r\n``) writes it, for cells made safe by :func:`csv_row`
    (no NUL, no other C0 control but tab, CR, LF): a cell with a comma, a quote, CR or LF is quoted, its quotes
    doubled. About four times faster than ``writerow``, which was the largest part of writing the CSV."""
    out = [
        '"' + cell.replace('"', '""') + '"' if ("," in cell or '"' in cell or "\n" in cell or "\r" in cell) else cell
        for cell in cells
    ]
    return ",".join(out) + "\r\n"


class CsvWriter:
    """``inventory.csv`` one record at a time: the header on open, :meth:`write` per record (with :func:`csv_line`,
    or with ``csv.writer`` for ``raw`` cells, which may hold any character)."""

    def __init__(self, path: Path, *, raw: bool = False) -> None:
        self._fh = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115 - see close()
        self._writer = csv.writer(self._fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._writer.writerow(CSV_FIELDS)
        self._raw = raw
        self.count = 0

    def write(self, record: Record) -> None:
        if self._raw:
            self._writer.writerow(csv_row(record, raw=True))
        else:
            self._fh.write(csv_line(csv_row(record)))
        self.count += 1

    def close(self) -> None:
        self._fh.close()


def write_csv(path: Path, records: Iterable[Record], *, raw: bool = False) -> int:
    """Write the header and one row per record; return the number of records written."""
    writer = CsvWriter(path, raw=raw)
    try:
        for record in records:
            writer.write(record)
    finally:
        writer.close()
    return writer.count
