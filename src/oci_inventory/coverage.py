"""``oci-inv enrich-coverage``: per resource type, how many records there are and how many were enriched.

From a run directory the counts are read from ``inventory.jsonl`` (streaming, with the run's own
:class:`SummaryCounter`, so they equal ``coverage_by_type`` of its ``run_summary.json``). Live, a discovery without
enrichment runs into a temporary directory that is removed afterwards; it counts the records per type but cannot
know how their enrichment would end, so the status counts are ``None`` ("unknown").

Whether a type has an enricher is asked of the registry of this oci-inv (not of the one that made the run).
Rows are sorted by gap (count - OK) descending, then by type. Live, where OK is unknown, the types without an
enricher come first, each group by count descending, then by type.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oci_inventory.export.jsonl import iter_jsonl
from oci_inventory.export.summary import SummaryCounter
from oci_inventory.normalize.schema import ENRICH_STATUSES

if TYPE_CHECKING:
    from oci_inventory.enrich.registry import Registry
    from oci_inventory.oci.clients import ClientFactory
    from oci_inventory.pipeline import RunOptions

Row = dict[str, Any]
COLUMNS = (
    ("resourceType", "Resource type"),
    ("count", "Count"),
    ("enricher", "Enricher"),
    *((status, status) for status in ENRICH_STATUSES),
    ("gap", "Gap"),
)
UNKNOWN_NOTE = "live discovery without enrichment: how enrichment would end (OK, ERROR, ...) is unknown"


@dataclass(frozen=True)
class Coverage:
    rows: list[Row]
    totals: Row
    statuses_known: bool
    source: str  # the run directory, or "live"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "statuses_known": self.statuses_known}
        data.update(rows=self.rows, totals=self.totals)
        if not self.statuses_known:
            data["note"] = UNKNOWN_NOTE
        return data


def has_enricher_in(registry: Registry) -> Callable[[str], bool]:
    return lambda rtype: registry.get(rtype) is not registry.default


def _row(rtype: str, entry: Mapping[str, Any], known: bool) -> Row:
    row: Row = {"resourceType": rtype, "count": entry["count"], "enricher": bool(entry["enricher"])}
    row.update({status: entry.get(status, 0) if known else None for status in ENRICH_STATUSES})
    row["gap"] = entry["count"] - entry.get("OK", 0) if known else None
    return row


def _sort_key(row: Row) -> tuple[Any, ...]:
    if row["gap"] is None:
        return (row["enricher"], -row["count"], row["resourceType"])
    return (-row["gap"], row["resourceType"])


def _totals(rows: list[Row], known: bool) -> Row:
    totals: Row = {
        "types": len(rows),
        "types_with_enricher": sum(1 for row in rows if row["enricher"]),
        "count": sum(row["count"] for row in rows),
    }
    for key in (*ENRICH_STATUSES, "gap"):
        totals[key] = sum(row[key] for row in rows) if known else None
    return totals


def coverage_of(by_type: Mapping[str, Mapping[str, Any]], *, statuses_known: bool, source: str) -> Coverage:
    """Rows and totals from ``coverage_by_type`` (as in ``run_summary.json``)."""
    rows = sorted((_row(rtype, entry, statuses_known) for rtype, entry in by_type.items()), key=_sort_key)
    return Coverage(rows, _totals(rows, statuses_known), statuses_known, source)


def inventory_coverage(run: Path, registry: Registry) -> Coverage:
    """The coverage of a run directory (or an ``inventory.jsonl``), counted from its records."""
    from oci_inventory.diff.scope import resolve_inventory_path

    inventory = resolve_inventory_path(run)
    counter = SummaryCounter()
    for _, record in iter_jsonl(inventory):
        counter.add(record)
    return coverage_of(counter.coverage(has_enricher_in(registry)), statuses_known=True, source=str(run))


def live_coverage(factory: ClientFactory, options: RunOptions, registry: Registry) -> Coverage:
    """Discover without enrichment calls into a temporary directory (removed, whatever happens) and count."""
    from oci_inventory.pipeline import run_inventory
    from oci_inventory.util import interrupts

    tmp = Path(tempfile.mkdtemp(prefix="oci-inv-coverage-"))
    try:
        discovery = replace(options, outdir=tmp, no_enrich=True, parquet=False, prev=None, prev_latest=False)
        result = run_inventory(factory, discovery, registry=registry)
    finally:
        interrupts.note_run_started()  # the temporary run is not a result: an interrupt must not announce it
        shutil.rmtree(tmp, ignore_errors=True)
    return coverage_of(result.summary["coverage_by_type"], statuses_known=False, source="live")


def table_rows(coverage: Coverage) -> list[Row]:
    """The rows as shown in a table: unknown counts as ``?``, then a totals row."""
    shown = [{k: "?" if v is None else v for k, v in row.items()} for row in coverage.rows]
    t = coverage.totals
    total: Row = {k: "?" if t[k] is None else t[k] for k in (*ENRICH_STATUSES, "gap", "count")}
    total.update(resourceType=f"TOTAL ({t['types']} types)", enricher=f"{t['types_with_enricher']} of {t['types']}")
    return [*shown, total]


def title(coverage: Coverage) -> str:
    if coverage.statuses_known:
        return f"Enrichment coverage of {coverage.source}"
    return f"Enrichment coverage ({UNKNOWN_NOTE})"
