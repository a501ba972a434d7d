"""Output for people (Rich tables on stdout) and for scripts (JSON on stdout)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import orjson


def emit_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], title: str | None = None) -> None:
    """A Rich table; plain when stdout is not a terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    table = Table(title=title, show_lines=False, highlight=False)
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(_text(row.get(key)) for key, _ in columns))
    console.print(table)


def emit_mapping(data: dict[str, Any], title: str | None = None) -> None:
    emit_table([{"key": k, "value": v} for k, v in data.items()], [("key", "field"), ("value", "value")], title)
