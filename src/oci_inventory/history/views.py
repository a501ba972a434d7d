"""The SQL of the views ``query`` defines over the run files (no import step: every view reads the files).

Each run is one ``UNION ALL`` branch whose tenancy and run id are constants, so a query that does not use them
costs nothing for them, and DuckDB reads only the columns a query uses. A run is read from ``inventory.parquet``
when it has one, else from ``inventory.jsonl``; both give the same typed columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from oci_inventory.diff.diff import DIFF_FILE
from oci_inventory.diff.scope import INVENTORY_FILE
from oci_inventory.history.layout import PARQUET_FILE, RELATIONSHIPS_FILE, Run, newest_complete, run_id_of

#: The record columns of ``resources`` and ``resources_history``, typed.
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ocid", "VARCHAR"),
    ("resourceType", "VARCHAR"),
    ("displayName", "VARCHAR"),
    ("compartmentId", "VARCHAR"),
    ("compartmentPath", "VARCHAR"),
    ("region", "VARCHAR"),
    ("lifecycleState", "VARCHAR"),
    ("timeCreated", "TIMESTAMPTZ"),
    ("definedTags", "JSON"),
    ("freeformTags", "MAP(VARCHAR, VARCHAR)"),
    ("collectedAt", "TIMESTAMPTZ"),
    ("enrichStatus", "VARCHAR"),
    ("enrichError", "VARCHAR"),
    ("details", "JSON"),
    ("relationships", "JSON"),
)
#: How each column is read from the JSONL (the Parquet file has strings for JSON and real timestamps).
_JSONL_TYPES = {"TIMESTAMPTZ": "VARCHAR", "MAP(VARCHAR, VARCHAR)": "JSON"}
EDGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sourceOcid", "VARCHAR"),
    ("sourceType", "VARCHAR"),
    ("relation", "VARCHAR"),
    ("targetOcid", "VARCHAR"),
    ("targetType", "VARCHAR"),
)
CHANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tenancy", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("run_started_at", "TIMESTAMPTZ"),
    ("prev_run_id", "VARCHAR"),
    ("ocid", "VARCHAR"),
    ("resourceType", "VARCHAR"),
    ("displayName", "VARCHAR"),
    ("region", "VARCHAR"),
    ("change", "VARCHAR"),
    ("changedFields", "VARCHAR[]"),
    ("before", "JSON"),
    ("after", "JSON"),
    ("notComparedRegions", "VARCHAR[]"),
)
_MAX_LINE = 64 << 20  # the longest JSONL line DuckDB accepts (its default is 16 MiB)


def lit(value: str | None) -> str:
    """A SQL string literal (``NULL`` for None)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def list_lit(values: Iterable[str]) -> str:
    return "CAST([" + ", ".join(lit(v) for v in values) + "] AS VARCHAR[])"


def _ts(value: str | None) -> str:
    return f"CAST({lit(value)} AS TIMESTAMPTZ)"


def _run_constants(run: Run) -> str:
    return f"{lit(run.tenancy)} AS tenancy, {lit(run.run_id)} AS run_id, {_ts(run.started_at)} AS run_started_at"


def _empty(columns: Sequence[tuple[str, str]]) -> str:
    return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {q(n)}" for n, t in columns) + " WHERE false"


def q(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def _typed(name: str, sql_type: str) -> str:
    if sql_type == "MAP(VARCHAR, VARCHAR)":
        return f"CAST(CAST({q(name)} AS JSON) AS {sql_type}) AS {q(name)}"
    if sql_type == "VARCHAR":
        return q(name)
    return f"CAST({q(name)} AS {sql_type}) AS {q(name)}"


def records_source(run: Run) -> str:
    """The table function reading a run's records: its Parquet file when it has one, else its JSONL."""
    parquet = run.path / PARQUET_FILE
    if parquet.is_file():
        return f"read_parquet({lit(str(parquet))})"
    columns = ", ".join(f"{lit(n)}: {lit(_JSONL_TYPES.get(t, t))}" for n, t in RECORD_COLUMNS)
    return (
        f"read_json({lit(str(run.path / INVENTORY_FILE))}, format = 'newline_delimited', "
        f"columns = {{{columns}}}, maximum_object_size = {_MAX_LINE})"
    )


def records_select(run: Run) -> str:
    typed = ", ".join(_typed(n, t) for n, t in RECORD_COLUMNS)
    return (
        f"SELECT {lit(run.tenancy)} AS tenancy, {typed}, {lit(run.run_id)} AS run_id, "
        f"{_ts(run.started_at)} AS run_started_at FROM {records_source(run)}"
    )


def _union(branches: list[str], empty: str) -> str:
    return "\nUNION ALL\n".join(branches) if branches else empty


def _record_view_columns() -> list[tuple[str, str]]:
    return [("tenancy", "VARCHAR"), *RECORD_COLUMNS, ("run_id", "VARCHAR"), ("run_started_at", "TIMESTAMPTZ")]


def resources_sql(runs: list[Run]) -> str:
    """The newest complete run of each tenancy."""
    latest = sorted(newest_complete(runs).values(), key=lambda r: r.sort_key)
    return _union([records_select(r) for r in latest], _empty(_record_view_columns()))


def resources_history_sql(runs: list[Run]) -> str:
    """Every complete run."""
    complete = [r for r in runs if r.status == "complete"]
    return _union([records_select(r) for r in complete], _empty(_record_view_columns()))


def relationships_sql(runs: list[Run]) -> str:
    """The edges of the newest complete run of each tenancy (a run without edges has no relationships.jsonl)."""
    branches = []
    for run in sorted(newest_complete(runs).values(), key=lambda r: r.sort_key):
        path = run.path / RELATIONSHIPS_FILE
        if not path.is_file():
            continue
        columns = ", ".join(f"{lit(n)}: {lit(t)}" for n, t in EDGE_COLUMNS)
        names = ", ".join(q(n) for n, _ in EDGE_COLUMNS)
        branches.append(
            f"SELECT {lit(run.tenancy)} AS tenancy, {names}, {lit(run.run_id)} AS run_id, "
            f"{_ts(run.started_at)} AS run_started_at FROM read_json({lit(str(path))}, "
            f"format = 'newline_delimited', columns = {{{columns}}})"
        )
    edges = [("tenancy", "VARCHAR"), *EDGE_COLUMNS, ("run_id", "VARCHAR"), ("run_started_at", "TIMESTAMPTZ")]
    return _union(branches, _empty(edges))


def _not_compared(run: Run) -> list[str]:
    entries: Any = (run.diff_summary or {}).get("notCompared") or []
    return sorted(str(e["region"]) for e in entries if isinstance(e, dict) and "region" in e)


def changes_sql(runs: list[Run]) -> str:
    """One row per entry of every run's diff.json (added, removed, changed; unchanged OCIDs are not rows)."""
    branches = []
    for run in runs:
        path = run.path / DIFF_FILE
        if not path.is_file():
            continue
        prev = (run.diff_summary or {}).get("prevRun")
        prev_id = run_id_of(prev.get("path")) if isinstance(prev, dict) else None
        size = max(path.stat().st_size + 1024, 16 << 20)
        source = (
            f"read_json({lit(str(path))}, format = 'unstructured', "
            f"columns = {{'added': 'JSON[]', 'changed': 'JSON[]', 'removed': 'JSON[]'}}, maximum_object_size = {size})"
        )
        head = f"{_run_constants(run)}, {lit(prev_id)} AS prev_run_id"
        tail = f"{list_lit(_not_compared(run))} AS notComparedRegions"
        entry = (
            "e->>'ocid' AS ocid, e->>'resourceType' AS resourceType, e->>'displayName' AS displayName, "
            "e->>'region' AS region"
        )
        none = "CAST([] AS VARCHAR[]) AS changedFields, CAST(NULL AS JSON) AS before, CAST(NULL AS JSON) AS after"
        fields = "CAST(e->'changedFields' AS VARCHAR[]) AS changedFields, e->'before' AS before, e->'after' AS after"
        parts = [
            f"SELECT {head}, {entry}, '{kind}' AS change, {cols}, {tail} FROM (SELECT unnest({kind}) AS e FROM d)"
            for kind, cols in (("added", none), ("removed", none), ("changed", fields))
        ]
        branches.append(f"(WITH d AS (SELECT * FROM {source})\n" + "\nUNION ALL\n".join(parts) + ")")
    return _union(branches, _empty(CHANGE_COLUMNS))


_VIEWS: dict[str, Callable[[list[Run]], str]] = {
    "resources": resources_sql,
    "resources_history": resources_history_sql,
    "relationships": relationships_sql,
    "changes": changes_sql,
}


def referenced_views(sql: str | None) -> set[str]:
    """The views a statement names (``runs`` included); all of them when it names none (``SHOW TABLES``).
    Defining a view makes DuckDB read its files' metadata, so a query defines only the views it uses."""
    every = {*_VIEWS, "runs"}
    named = set(re.findall(r"[a-z_]+", sql.lower())) & every if sql is not None else set()
    return named or every


def view_statements(runs: list[Run], names: Iterable[str] | None = None) -> list[str]:
    """``CREATE VIEW`` for resources, resources_history, relationships and changes (``runs`` is a table), or for
    the ``names`` among them."""
    wanted = set(_VIEWS) if names is None else set(names)
    return [f"CREATE VIEW {name} AS {build(runs)}" for name, build in _VIEWS.items() if name in wanted]


def allowed_root(outdir: Path) -> str:
    """The directory DuckDB may read: the outdir, absolute, ending with a separator."""
    return str(outdir.absolute()).rstrip("/") + "/"
