"""Output of the list commands: a table for people, JSON or CSV for scripts, all on stdout.

Every value may come from OCI and is untrusted: it is never interpreted as Rich markup, and control characters
are shown as escapes (:func:`oci_inventory.util.text.visible`) so one value stays on one line. JSON carries the
exact values; CSV gets the spreadsheet protection of ``inventory.csv`` unless ``raw``.

* On a terminal, a Rich table. A column holding an OCID never wraps or is cut (other columns fold); when the
  terminal is too narrow for the OCIDs, the whole table is drawn unfolded and the terminal wraps the lines.
* Otherwise (a pipe, a file), plain aligned text with no width limit: a title line if any, a header line, then
  one line per row, columns separated by two spaces. ``| grep ocid1.`` finds every OCID whole.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from oci_inventory.export.csv import csv_cell
from oci_inventory.util.text import visible

Columns = Sequence[tuple[str, str]]  # (row key, header)
_OCID_PREFIX = "ocid1."
_MIN_FOLDED_WIDTH = 10  # narrowest a column that may wrap is squeezed to before the table is drawn wider


def emit_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return visible(str(value))


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def emit_csv(rows: Sequence[dict[str, Any]], keys: Sequence[str], *, raw: bool = False) -> None:
    """RFC 4180 CSV on stdout: a header row of ``keys``, then one row per item (``null`` is an empty cell,
    booleans are ``true``/``false``). Cells get the ``inventory.csv`` protection unless ``raw``."""
    writer = csv.writer(sys.stdout, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(_csv_text(row.get(key)), raw=raw) for key in keys])
    sys.stdout.flush()


def _cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _plain_table(cells: list[list[str]], headers: list[str], title: str | None) -> str:
    widths = [max([_cell_width(h), *(_cell_width(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    lines = [visible(title)] if title else []
    for row in [headers, *cells]:
        padded = [value + " " * (width - _cell_width(value)) for value, width in zip(row, widths, strict=True)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def _rich_table(cells: list[list[str]], headers: list[str], title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    whole = [any(row[i].startswith(_OCID_PREFIX) for row in cells) for i in range(len(headers))]
    widths = [max([_cell_width(h), *(_cell_width(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    table = Table(title=Text(visible(title)) if title else None, highlight=False)
    for header, keep_whole, width in zip(headers, whole, widths, strict=True):
        if keep_whole:
            table.add_column(Text(header), no_wrap=True, overflow="ignore", min_width=width)
        else:
            table.add_column(Text(header), overflow="fold")
    for row in cells:
        table.add_row(*(Text(value) for value in row))
    squeezed = 1 + sum(
        3 + (width if keep_whole else min(width, _MIN_FOLDED_WIDTH))
        for keep_whole, width in zip(whole, widths, strict=True)
    )
    console = Console(highlight=False)
    if console.width < squeezed:  # too narrow for the OCIDs: draw it whole, let the terminal wrap the lines
        console = Console(highlight=False, width=1 + sum(3 + width for width in widths))
    console.print(table)


def emit_table(rows: Sequence[dict[str, Any]], columns: Columns, title: str | None = None) -> None:
    """A Rich table on a terminal, plain aligned text otherwise; see the module docstring."""
    cells = [[_text(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    if sys.stdout.isatty():
        _rich_table(cells, headers, title)
        return
    sys.stdout.write(_plain_table(cells, headers, title))
    sys.stdout.flush()


def emit_rows(fmt: str, rows: Sequence[dict[str, Any]], columns: Columns, *, csv_raw: bool = False) -> None:
    """``rows`` as ``fmt``: ``json`` (the rows as they are), ``csv`` (the columns' keys) or ``table``."""
    if fmt == "json":
        emit_json(list(rows))
    elif fmt == "csv":
        emit_csv(rows, [key for key, _ in columns], raw=csv_raw)
    else:
        emit_table(rows, columns)


def emit_mapping(data: dict[str, Any], title: str | None = None) -> None:
    emit_table([{"key": k, "value": v} for k, v in data.items()], [("key", "field"), ("value", "value")], title)
