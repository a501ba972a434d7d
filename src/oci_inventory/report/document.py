"""The report as a list of blocks (headings, paragraphs, tables, charts), rendered to Markdown and to HTML.

One structure for both formats keeps them saying the same thing. Every string in a block is *text*, never markup:
the renderers escape it (names from OCI may hold ``<script>``, Markdown, control characters or 200k characters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from oci_inventory.report.digest import TOP_N, Count, RunDigest, top

Cell = str | int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Para:
    text: str
    tone: Literal["", "note", "warning", "summary"] = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = field(default_factory=frozenset)  # right-aligned column indexes
    code: frozenset[int] = field(default_factory=frozenset)  # columns shown as code (OCIDs, field paths, values)


@dataclass(frozen=True)
class Chart:
    chart_id: str
    kind: Literal["bar", "status", "diff"]
    title: str
    counts: list[Count] = field(default_factory=list)
    other: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    diff_rows: list[tuple[str, int, int, int]] = field(default_factory=list)


Block = Heading | Para | Table | Chart


def _n(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def _counts_table(counts: list[Count], column: str, total: int, n: int = TOP_N) -> Table:
    shown, rest = top(counts, n)
    rows: list[list[Cell]] = [[c.label, c.count, _share(c.count, total)] for c in shown]
    if rest:
        rows.append([f"(other: {len(counts) - len(shown)})", rest, _share(rest, total)])
    rows.append(["total", sum(c.count for c in counts), _share(sum(c.count for c in counts), total)])
    return Table([column, "records", "share"], rows, numeric=frozenset({1, 2}))


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def _value(value: object) -> str:
    import orjson

    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return str(value)


def _header(d: RunDigest) -> list[Block]:
    s = d.summary
    scope = s.get("scope") or {}
    regions = ", ".join(str(r.get("region")) for r in s.get("regions") or [])
    facts: list[list[Cell]] = [
        ["run", d.run_name],
        ["tenancy", d.tenancy_label],
        ["status", str(s.get("status") or "")],
        ["started", str(s.get("started_at") or "")],
        ["finished", str(s.get("finished_at") or "")],
        ["duration", f"{float(s.get('duration_s') or 0):.1f} s"],
        ["regions", regions or "-"],
        ["query", str(s.get("query") or "")],
    ]
    if scope.get("compartments"):
        facts.append(["compartments", ", ".join(str(c) for c in scope["compartments"])])
    facts.append(["oci-inv", str(s.get("tool_version") or "")])
    return [
        Heading(1, f"Inventory report: {d.tenancy_label}", "top"),
        Table(["about this run", ""], facts),
    ]


def _genai(d: RunDigest) -> list[Block]:
    g = d.genai
    if g is None:
        return []
    out: list[Block] = [Heading(2, "Executive summary (OCI Generative AI)", "summary")]
    if g.text:
        out += [Para(line.strip(), "summary") for line in g.text.splitlines() if line.strip()]
        masked = ", ".join(f"{k} {v}" for k, v in sorted(g.redactions.items()) if v)
        out.append(
            Para(
                f"Written by {g.model or 'an unknown model'} from a redacted digest of this run (masked before "
                f"sending: {masked or 'nothing'}); names were restored locally. Check figures against the tables"
                " below.",
                "note",
            )
        )
    else:
        out.append(Para(f"No executive summary: {g.error or 'the GenAI call did not answer'}.", "warning"))
    return out


def _totals(d: RunDigest) -> list[Block]:
    s = d.summary
    statuses = {k: _n(v) for k, v in (s.get("counts_by_enrich_status") or {}).items()}
    failed = [str(r.get("region")) for r in s.get("regions") or [] if r.get("status") != "ok"]
    rows: list[list[Cell]] = [
        ["search results", _n(s.get("search_results"))],
        ["- duplicates merged (global resources seen in every region)", _n(s.get("duplicates_merged"))],
        ["- terminated or deleted dropped", _n(s.get("terminated_dropped"))],
        ["- out of the compartment scope", _n(s.get("out_of_scope_dropped"))],
        ["= records written", d.total],
    ]
    rows += [[f"enrichment {name}", count] for name, count in statuses.items()]
    rows.append(["regions failed", len(failed)])
    out: list[Block] = [Heading(2, "Totals", "totals"), Table(["figure", "value"], rows, numeric=frozenset({1}))]
    if d.reconciliation:
        out += [Para(f"Does not reconcile: {p}.", "warning") for p in d.reconciliation]
    else:
        out.append(Para("Every figure in this report agrees with run_summary.json and inventory.jsonl.", "note"))
    if failed:
        out.append(Para(f"Failed regions (their resources are missing from this run): {', '.join(failed)}.", "warning"))
    return out


def _regions(d: RunDigest) -> list[Block]:
    written = {c.label: c.count for c in d.by_region}
    rows: list[list[Cell]] = []
    for r in d.summary.get("regions") or []:
        name = str(r.get("region"))
        rows.append([name, str(r.get("status")), _n(r.get("records")), written.pop(name, 0), str(r.get("error") or "")])
    for name, count in sorted(written.items()):
        rows.append([name, "-", 0, count, ""])
    return [
        Heading(2, "Resources by region", "regions"),
        Chart("chart-regions", "bar", "Records by region", counts=d.by_region),
        Table(["region", "discovery", "search results", "records", "error"], rows, numeric=frozenset({2, 3})),
        Para("Global resources (IAM) are searched in every region and written once, under the home region.", "note"),
    ]


def _types(d: RunDigest) -> list[Block]:
    shown, _ = top(d.by_type)
    return [
        Heading(2, f"Resources by type (top {TOP_N} of {len(d.by_type)})", "types"),
        Chart("chart-types", "bar", f"Records by resource type (top {TOP_N})", counts=shown),
        _counts_table(d.by_type, "resource type", d.total),
    ]


def _compartments(d: RunDigest) -> list[Block]:
    return [
        Heading(2, f"Resources by compartment (top {TOP_N} of {len(d.by_compartment)})", "compartments"),
        _counts_table(d.by_compartment, "compartment path", d.total),
    ]


def _lifecycle(d: RunDigest) -> list[Block]:
    return [Heading(2, "Lifecycle states", "lifecycle"), _counts_table(d.lifecycle, "lifecycle state", d.total, 50)]


def _coverage(d: RunDigest) -> list[Block]:
    statuses = {k: _n(v) for k, v in (d.summary.get("counts_by_enrich_status") or {}).items()}
    rows: list[list[Cell]] = [
        [r.resource_type, r.count, "yes" if r.enricher else "no", r.ok, r.error, r.not_implemented, r.skipped, r.gap]
        for r in d.coverage[:TOP_N]
    ]
    more = len(d.coverage) - len(rows)
    out: list[Block] = [
        Heading(2, "Enrichment coverage (biggest gaps first)", "coverage"),
        Chart("chart-enrichment", "status", "Enrichment status of the records", statuses=statuses),
        Table(
            ["resource type", "records", "enricher", "OK", "ERROR", "NOT_IMPLEMENTED", "SKIPPED", "gap"],
            rows,
            numeric=frozenset({1, 3, 4, 5, 6, 7}),
        ),
    ]
    if more > 0:
        out.append(
            Para(f"{more} more types (smaller gaps): run oci-inv enrich-coverage --inventory on this run.", "note")
        )
    out.append(
        Para("gap = records not enriched OK. NOT_IMPLEMENTED: no enricher for the type yet (Search data only).", "note")
    )
    return out


def _errors(d: RunDigest) -> list[Block]:
    out: list[Block] = [Heading(2, "Errors by OCI code", "errors")]
    if not d.errors_by_code:
        return [*out, Para("No record ended in ERROR.", "note")]
    rows: list[list[Cell]] = [[c.label, c.count] for c in d.errors_by_code]
    return [
        *out,
        Table(["code", "records"], rows, numeric=frozenset({1})),
        Para("The records keep their Search data; enrichError in inventory.jsonl says why each failed.", "note"),
    ]


def _diff(d: RunDigest) -> list[Block]:
    diff = d.diff
    if diff is None:
        return []
    out: list[Block] = [
        Heading(2, "Changes since the previous run", "diff"),
        Para(
            f"{diff.added:,} added, {diff.removed:,} removed, {diff.changed:,} changed, {diff.unchanged:,} unchanged"
            + (f" (previous run: {diff.prev_run})." if diff.prev_run else "."),
        ),
    ]
    if diff.by_type:
        out.append(Chart("chart-diff", "diff", "Changes by resource type", diff_rows=diff.by_type[:TOP_N]))
        rows: list[list[Cell]] = [[t, a, r, c] for t, a, r, c in diff.by_type]
        out.append(Table(["resource type", "added", "removed", "changed"], rows, numeric=frozenset({1, 2, 3})))
    if diff.changes:
        out.append(Heading(3, f"Changed resources (first {len(diff.changes)} of {diff.changed:,})", "changes"))
        rows = []
        for change in diff.changes:
            for path in change.changed_fields:
                before = _value(change.before[path]) if path in change.before else "(absent)"
                after = _value(change.after[path]) if path in change.after else "(absent)"
                rows.append(
                    [change.display_name or "(no name)", change.resource_type, change.ocid, path, before, after]
                )
        out.append(Table(["name", "type", "OCID", "field", "before", "after"], rows, code=frozenset({2, 3, 4, 5})))
    compared_out = [e for e in diff.not_compared if e.get("reason")]
    if compared_out:
        out.append(Heading(3, "Not compared", "not-compared"))
        nc_rows: list[list[Cell]] = [
            [str(e.get("region") or "(no region)"), str(e.get("reason")), _n(e.get("prevRecords")),
             _n(e.get("currRecords"))]
            for e in compared_out
        ]  # fmt: skip
        out.append(Table(["region", "why", "previous records", "current records"], nc_rows, numeric=frozenset({2, 3})))
        out.append(Para("Resources of these regions are neither added nor removed: they were not compared.", "note"))
    out += [Para(f"Note: {note}", "note") for note in diff.notes]
    if diff.scope_change:
        changes = "; ".join(f"{k}: {v}" for k, v in diff.scope_change.items())
        out.append(Para(f"The scope changed between the runs (--allow-scope-change): {changes}", "warning"))
    return out


def _footer(d: RunDigest) -> list[Block]:
    files = ", ".join(str(f) for f in d.summary.get("files") or [])
    out: list[Block] = [Heading(2, "Files", "files"), Para(f"This run directory holds: {files}.")]
    for entry in d.summary.get("report_regenerations") or []:
        if isinstance(entry, dict):
            out.append(
                Para(f"Reports regenerated at {entry.get('at')} by oci-inv {entry.get('tool_version')}.", "note")
            )
    return out


def build_document(d: RunDigest) -> list[Block]:
    """Every block of the report, in reading order."""
    sections = (_header, _genai, _totals, _regions, _types, _compartments, _lifecycle, _coverage, _errors, _diff)
    return [block for section in (*sections, _footer) for block in section(d)]
