"""A diff for people (a table by resource type) and for scripts (one JSON document), plus its stderr warnings.

Resource types, names and regions come from OCI and are untrusted: they are printed as plain ``rich.text.Text``
with control characters escaped, never interpreted as Rich markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from oci_inventory.diff.diff import DiffResult, entry_chunks
from oci_inventory.util.text import visible


def plain(value: object) -> str:
    """``value`` as text with control characters escaped (``\\x1b``), safe to print on a terminal."""
    return visible(str(value))


def warning_lines(result: DiffResult) -> list[str]:
    """The stderr lines of a diff: what was not compared, notes, an allowed scope change (one line each)."""
    lines = []
    entries = result.not_compared_entries()
    if entries:
        regions = ", ".join(f"{plain(e['region']) or '(no region)'} ({e['short']})" for e in entries)
        prev = sum(e["prevRecords"] for e in entries)
        curr = sum(e["currRecords"] for e in entries)
        whose = "its" if len(entries) == 1 else "their"
        lines.append(
            f"oci-inv: warning: not compared: {regions}; {whose} {prev}/{curr} resources (previous/current run) "
            "are neither added nor removed"
        )
    for note in result.notes():
        lines.append(f"oci-inv: note: {plain(note)}")
    if result.scope_change:
        changes = "; ".join(
            f"{name}: previous {plain(c['previous'])}, current {plain(c['current'])}"
            for name, c in result.scope_change.items()
        )
        lines.append(f"oci-inv: warning: scope changed (--allow-scope-change): {changes}")
    return lines


def write_warnings(result: DiffResult, stream: IO[str]) -> None:
    for line in warning_lines(result):
        stream.write(line + "\n")
    stream.flush()


def json_document(result: DiffResult) -> Iterator[bytes]:
    """``{"added": [...], "changed": [...], "removed": [...], "summary": {...}}``: one JSON document, keys sorted."""
    yield from entry_chunks(result)
    yield b',"summary":'
    yield orjson.dumps(result.summary(), option=orjson.OPT_SORT_KEYS)
    yield b"}\n"


def write_json(result: DiffResult, stream: IO[str]) -> None:
    for chunk in json_document(result):
        stream.write(chunk.decode())
    stream.flush()


def print_table(result: DiffResult, console: Any) -> None:
    """Counts by resource type (only types with a change), a totals line, then what was not compared and notes
    (one line each, never wrapped)."""
    from rich.table import Table
    from rich.text import Text

    summary = result.summary()
    table = Table(title="Diff by resource type", highlight=False)
    table.add_column("resource type", overflow="fold")
    for column in ("added", "removed", "changed"):
        table.add_column(column, justify="right")
    for rtype, counts in summary["by_resource_type"].items():
        if counts["added"] or counts["removed"] or counts["changed"]:
            row = (str(counts["added"]), str(counts["removed"]), str(counts["changed"]))
            table.add_row(Text(plain(rtype) or "(none)"), *row)
    if table.row_count:
        console.print(table)
    console.print(
        Text(
            f"{summary['added']} added, {summary['removed']} removed, {summary['changed']} changed, "
            f"{summary['unchanged']} unchanged"
        ),
        soft_wrap=True,
    )
    for entry in result.not_compared_entries():
        console.print(
            Text(
                f"not compared: {plain(entry['region']) or '(no region)'}: {plain(entry['reason'])} "
                f"({entry['prevRecords']} previous, {entry['currRecords']} current resources)"
            ),
            soft_wrap=True,
        )
    for note in result.notes():
        console.print(Text(f"note: {plain(note)}"), soft_wrap=True)
