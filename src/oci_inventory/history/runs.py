"""``oci-inv runs``: every run of an outdir as one row, newest first (the ``runs`` view of ``query`` too)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oci_inventory.history.layout import Run, list_runs, run_id_of

#: (key, header) of the table; JSON and CSV carry every key of :func:`run_row`.
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "Run"),
    ("tenancy", "Tenancy"),
    ("started_at", "Started"),
    ("status_text", "Status"),
    ("scope_text", "Scope"),
    ("records", "Records"),
    ("enriched_text", "Enriched OK"),
    ("diff_text", "Diff vs previous"),
)

#: The row keys and their DuckDB types, in order (JSON, CSV and the ``runs`` view).
ROW_TYPES: tuple[tuple[str, str], ...] = (
    ("tenancy", "VARCHAR"),
    ("tenancy_id", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMPTZ"),
    ("finished_at", "TIMESTAMPTZ"),
    ("duration_s", "DOUBLE"),
    ("status", "VARCHAR"),
    ("failed_regions", "VARCHAR[]"),
    ("regions", "VARCHAR[]"),
    ("query", "VARCHAR"),
    ("compartments", "VARCHAR[]"),
    ("records", "BIGINT"),
    ("enriched_ok", "BIGINT"),
    ("enrich_errors", "BIGINT"),
    ("not_implemented", "BIGINT"),
    ("enriched_pct", "DOUBLE"),
    ("diff_prev_run_id", "VARCHAR"),
    ("diff_added", "BIGINT"),
    ("diff_removed", "BIGINT"),
    ("diff_changed", "BIGINT"),
    ("diff_unchanged", "BIGINT"),
    ("diff_not_compared", "VARCHAR[]"),
    ("parquet", "BOOLEAN"),
    ("path", "VARCHAR"),
)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_list(value: Any) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _regions(summary: dict[str, Any]) -> tuple[list[str], list[str]]:
    regions, failed = [], []
    for outcome in summary.get("regions") or []:
        if isinstance(outcome, dict) and isinstance(outcome.get("region"), str):
            regions.append(outcome["region"])
            if outcome.get("status") != "ok":
                failed.append(outcome["region"])
    return sorted(regions), sorted(failed)


def run_row(run: Run) -> dict[str, Any]:
    """One run as a flat row (keys of :data:`ROW_TYPES`); unknown values are None."""
    s = run.summary or {}
    d = run.diff_summary or {}
    regions, failed = _regions(s)
    scope = s.get("scope") if isinstance(s.get("scope"), dict) else {}
    assert isinstance(scope, dict)
    records, ok = _int(s.get("total_discovered")), _int(s.get("enriched_ok"))
    has_diff = bool(d)
    prev = d.get("prevRun") if isinstance(d.get("prevRun"), dict) else {}
    assert isinstance(prev, dict)
    not_compared = [e["region"] for e in d.get("notCompared") or [] if isinstance(e, dict) and "region" in e]
    return {
        "tenancy": run.tenancy,
        "tenancy_id": s.get("tenancy_id") if isinstance(s.get("tenancy_id"), str) else None,
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": s.get("finished_at") if isinstance(s.get("finished_at"), str) else None,
        "duration_s": s.get("duration_s") if isinstance(s.get("duration_s"), (int, float)) else None,
        "status": run.status,
        "failed_regions": failed,
        "regions": regions,
        "query": str(scope.get("query") or s.get("query") or "") or None,
        "compartments": _str_list(scope.get("compartments")),
        "records": records,
        "enriched_ok": ok,
        "enrich_errors": _int(s.get("errors")),
        "not_implemented": _int(s.get("not_implemented")),
        "enriched_pct": round(100.0 * ok / records, 1) if records and ok is not None else None,
        "diff_prev_run_id": run_id_of(prev.get("path")) if has_diff else None,
        "diff_added": _int(d.get("added")) if has_diff else None,
        "diff_removed": _int(d.get("removed")) if has_diff else None,
        "diff_changed": _int(d.get("changed")) if has_diff else None,
        "diff_unchanged": _int(d.get("unchanged")) if has_diff else None,
        "diff_not_compared": sorted(not_compared) if has_diff else None,
        "parquet": run.has_parquet,
        "path": str(run.path),
    }


def run_rows(outdir: Path) -> list[dict[str, Any]]:
    """Every run under ``outdir`` as a row, newest first."""
    return [run_row(run) for run in reversed(list_runs(outdir))]


def _scope_text(row: dict[str, Any]) -> str:
    regions = row["regions"] or []
    parts = [f"{len(regions)} region{'s' if len(regions) != 1 else ''}"]
    if row["query"]:
        parts.append(row["query"])
    compartments = row["compartments"]
    parts.append("whole tenancy" if not compartments else f"{len(compartments)} compartment(s)")
    return "; ".join(parts)


def table_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the text of the table's derived columns."""
    out = []
    for row in rows:
        status = row["status"]
        if row["failed_regions"]:
            status = f"{status} (failed: {', '.join(row['failed_regions'])})"
        diff = ""
        if row["diff_added"] is not None:
            diff = f"+{row['diff_added']} -{row['diff_removed']} ~{row['diff_changed']} vs {row['diff_prev_run_id']}"
            if row["diff_not_compared"]:
                diff += f" (not compared: {', '.join(row['diff_not_compared'])})"
        enriched = "" if row["enriched_pct"] is None else f"{row['enriched_pct']:.1f}%"
        records = "" if row["records"] is None else f"{row['records']:,}"
        extra = {"status_text": status, "scope_text": _scope_text(row), "diff_text": diff}
        out.append({**row, **extra, "enriched_text": enriched, "records": records})
    return out
