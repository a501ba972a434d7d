"""``oci-inv query``: SQL over every run of an outdir, on DuckDB in process (optional extra ``query``).

The engine is an in-memory DuckDB database whose views read the run files where they are (see
:mod:`oci_inventory.history.views`); nothing is imported or copied. Queries are read-only, in two layers:

* exactly one statement, and it must be a SELECT (``WITH``, ``FROM ...``, ``DESCRIBE``, ``SHOW`` and
  ``SUMMARIZE`` are SELECTs to DuckDB): ``COPY``, ``ATTACH``, ``INSERT``, ``CREATE``, ``SET``, ``PRAGMA``,
  ``INSTALL``/``LOAD``, ``EXPLAIN`` are refused before anything runs (exit 2);
* DuckDB itself is then confined: it may touch files under the outdir only (``allowed_directories``), external
  access is otherwise off, extensions are neither installed nor loaded, and the configuration is locked, so a
  statement cannot turn any of this back on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.history.layout import Run, list_runs, newest_complete
from oci_inventory.history.runs import ROW_TYPES, run_row
from oci_inventory.history.views import allowed_root, q, referenced_views, view_statements
from oci_inventory.util.errors import ConfigError, InputError
from oci_inventory.util.time import iso_z

QUERY_INSTALL_HINT = "pip install 'oci-inventory[query]'"
VIEWS = ("resources", "resources_history", "relationships", "changes", "runs")
_FETCH = 10_000


def ensure_duckdb() -> Any:
    """The ``duckdb`` module, or :class:`ConfigError` with the install hint."""
    try:
        import duckdb
    except ImportError:
        raise ConfigError("query needs duckdb, which is not installed", hint=QUERY_INSTALL_HINT) from None
    return duckdb


def one_line(text: str) -> str:
    """The engine's message on one line: its first paragraph (DuckDB adds the statement and a caret line)."""
    return " ".join(str(text).split("\n\n")[0].split())


def check_read_only(duckdb: Any, sql: str) -> None:
    """Exactly one statement, a SELECT; anything else is an :class:`InputError` (exit 2) before it runs."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise InputError(f"SQL error: {one_line(str(exc))}") from None
    if len(statements) != 1:
        raise InputError(f"query runs exactly one SQL statement; got {len(statements)}")
    kind = getattr(statements[0].type, "name", str(statements[0].type))
    if kind != "SELECT":
        raise InputError(
            f"query is read-only: only SELECT statements (WITH, FROM, DESCRIBE, SHOW, SUMMARIZE too) are allowed, "
            f"not {kind}"
        )


@dataclass
class History:
    """An open DuckDB connection with the views over one outdir's runs."""

    connection: Any
    runs: list[Run]
    duckdb: Any

    @property
    def has_complete_run(self) -> bool:
        return bool(newest_complete(self.runs))

    def execute(self, sql: str) -> Any:
        """Check and run ``sql``; the DuckDB result (fetch rows from it). SQL errors are :class:`InputError`."""
        check_read_only(self.duckdb, sql)
        try:
            return self.connection.execute(sql)
        except self.duckdb.Error as exc:
            raise InputError(f"SQL error: {one_line(str(exc))}") from None

    def close(self) -> None:
        self.connection.close()


def _runs_table(con: Any, runs: list[Run]) -> None:
    columns = ", ".join(f"{q(name)} {sql_type}" for name, sql_type in ROW_TYPES)
    con.execute(f"CREATE TABLE runs ({columns})")
    rows = [run_row(run) for run in reversed(runs)]
    if rows:  # one statement: executemany costs a round trip per row
        marks = "(" + ", ".join("?" for _ in ROW_TYPES) + ")"
        values = [row[name] for row in rows for name, _ in ROW_TYPES]
        con.execute(f"INSERT INTO runs VALUES {', '.join(marks for _ in rows)}", values)


def _confine(con: Any, duckdb: Any, outdir: Path) -> None:
    """Reads under ``outdir`` only, no extensions, configuration locked (settings a version lacks are skipped;
    the one-SELECT rule holds whatever the version)."""
    confined = True
    try:
        con.execute("SET allowed_directories = [" + "'" + allowed_root(outdir).replace("'", "''") + "']")
    except duckdb.Error:
        confined = False  # DuckDB < 1.2: external access must stay on for the views to read the run files
    settings = ["SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false"]
    if confined:
        settings.append("SET enable_external_access = false")
    settings.append("SET lock_configuration = true")
    for statement in settings:
        try:
            con.execute(statement)
        except duckdb.Error:
            continue


def open_history(outdir: Path, sql: str | None = None) -> History:
    """Open DuckDB in memory and define the views over every run under ``outdir`` (only those ``sql`` names, when
    given and it names any)."""
    duckdb = ensure_duckdb()
    outdir = outdir.absolute()
    runs = list_runs(outdir)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        wanted = referenced_views(sql)
        for statement in view_statements(runs, wanted):
            con.execute(statement)
        if "runs" in wanted:
            _runs_table(con, runs)
        _confine(con, duckdb, outdir)
    except BaseException:
        con.close()
        raise
    return History(con, runs, duckdb)


# ----- output -----------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A DuckDB value as JSON-ready data: timestamps in the canonical ``...Z`` form, decimals as numbers."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class Columns:
    names: list[str]  # unique: a repeated name gets _2, _3, ...
    json: list[bool]  # the column is of DuckDB type JSON (its text is parsed for JSON output)


def result_columns(description: Sequence[Any]) -> Columns:
    names: list[str] = []
    for column in description:
        name, n = str(column[0]), 2
        unique = name
        while unique in names:
            unique, n = f"{name}_{n}", n + 1
        names.append(unique)
    return Columns(names, [str(column[1]) == "JSON" for column in description])


def _json_value(value: Any, is_json: bool) -> Any:
    if is_json and isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return _plain(value)


def _text_value(value: Any) -> Any:
    """A value as one cell: structures as compact JSON."""
    value = _plain(value)
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


def batches(result: Any, duckdb: Any) -> Iterator[list[tuple[Any, ...]]]:
    """The rows in batches; an error while reading (a file, a cast) is an :class:`InputError` like any SQL error."""
    while True:
        try:
            rows = result.fetchmany(_FETCH)
        except duckdb.Error as exc:
            raise InputError(f"SQL error: {one_line(str(exc))}") from None
        if not rows:
            return
        yield rows


def write_json(result: Any, duckdb: Any) -> int:
    """A JSON array of row objects on stdout, one object per line, streamed; returns the row count."""
    cols = result_columns(result.description)
    out = sys.stdout
    count = 0
    out.write("[")
    for rows in batches(result, duckdb):
        for row in rows:
            obj = {name: _json_value(v, j) for name, v, j in zip(cols.names, row, cols.json, strict=True)}
            out.write(("\n" if count == 0 else ",\n") + orjson.dumps(obj).decode())
            count += 1
        out.flush()
    out.write("\n]\n" if count else "]\n")
    out.flush()
    return count


def _csv_cell(value: Any, raw: bool) -> str:
    from oci_inventory.export.csv import csv_cell

    value = _text_value(value)
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return csv_cell(text, raw=raw)


def write_csv(result: Any, duckdb: Any, *, raw: bool = False) -> int:
    """RFC 4180 CSV on stdout, streamed, cells protected as in ``inventory.csv`` unless ``raw``."""
    import csv

    cols = result_columns(result.description)
    writer = csv.writer(sys.stdout, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(cols.names)
    count = 0
    for rows in batches(result, duckdb):
        writer.writerows([_csv_cell(v, raw) for v in row] for row in rows)
        count += len(rows)
    sys.stdout.flush()
    return count


def write_table(result: Any, duckdb: Any) -> int:
    """The list commands' table: Rich on a terminal (OCIDs never wrap), plain aligned text when piped."""
    from oci_inventory.render import emit_table

    cols = result_columns(result.description)
    rows = [
        {n: _text_value(v) for n, v in zip(cols.names, row, strict=True)}
        for batch in batches(result, duckdb)
        for row in batch
    ]
    emit_table(rows, [(n, n) for n in cols.names])
    return len(rows)


def run_query(outdir: Path, sql: str, fmt: str, *, csv_raw: bool = False) -> tuple[int, History]:
    """Run ``sql`` over ``outdir`` and print the result as ``fmt``; the row count and the (closed) history."""
    history = open_history(outdir, sql)
    try:
        result = history.execute(sql)
        if fmt == "json":
            count = write_json(result, history.duckdb)
        elif fmt == "csv":
            count = write_csv(result, history.duckdb, raw=csv_raw)
        else:
            count = write_table(result, history.duckdb)
    finally:
        history.close()
    return count, history
