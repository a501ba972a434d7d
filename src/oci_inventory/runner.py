"""``oci-inv run`` between the CLI and the pipeline: options from settings, progress, the final table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oci_inventory.enrich.processes import parse_processes
from oci_inventory.logging import say
from oci_inventory.oci.discovery import parse_shards
from oci_inventory.pipeline import RunOptions, RunResult, run_inventory
from oci_inventory.progress import Reporter, RichReporter
from oci_inventory.util import interrupts
from oci_inventory.util.errors import ConfigError, ExitCode
from oci_inventory.util.text import visible

PREV_LATEST = "latest"  # --prev latest: the newest complete run in --outdir
RUN_FLAGS = (
    "outdir",
    "regions",
    "compartments",
    "no_subtree",
    "query",
    "include_terminated",
    "parquet",
    "no_enrich",
    "no_graph",
    "csv_raw",
    "prev",
    "allow_scope_change",
    "workers_region",
    "search_shards",
    "workers_enrich",
    "enrich_processes",
    "intake_processes",
    "auth",
    "profile",
    "endpoint_template",
    "keep_runs",
    "dataset",
    "per_tenancy_dirs",
    "genai_summary",
    "genai_dry_run",
)


def options_from_settings(settings: Any) -> RunOptions:
    if settings.no_subtree and not settings.compartments:
        raise ConfigError(
            f"--no-subtree without --compartment would inventory the whole tenancy (no_subtree from "
            f"{settings.sources['no_subtree']})",
            hint="add --compartment, or drop --no-subtree",
        )
    return RunOptions(
        outdir=Path(settings.outdir).expanduser(),
        query=settings.query,
        regions=settings.regions,
        compartments=settings.compartments,
        subtree=not settings.no_subtree,
        include_terminated=settings.include_terminated,
        parquet=settings.parquet or bool(settings.dataset),  # --dataset adds the run's inventory.parquet
        no_enrich=settings.no_enrich,
        graph=not settings.no_graph,
        csv_raw=settings.csv_raw,
        prev=Path(settings.prev).expanduser() if settings.prev and settings.prev != PREV_LATEST else None,
        prev_latest=settings.prev == PREV_LATEST,
        allow_scope_change=settings.allow_scope_change,
        workers_region=settings.workers_region,
        search_shards=parse_shards(settings.search_shards),
        workers_enrich=settings.workers_enrich,
        enrich_processes=parse_processes(settings.enrich_processes),
        intake_processes=parse_processes(settings.intake_processes),
        flags={name: settings.get(name) for name in RUN_FLAGS},
    )


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def execute_run(settings: Any, make_factory: Callable[[Any], Any]) -> int:
    from oci_inventory.genai.cli import genai_for_run, genai_pass
    from oci_inventory.history import placement

    options = options_from_settings(settings)
    genai_config = genai_for_run(settings.genai_summary, settings.genai_dry_run)  # exit 2 before any API call
    per_tenancy = placement.wants_tenancy_dirs(settings.per_tenancy_dirs, options.outdir)
    placement.early_checks(options, per_tenancy)  # preflight before any API call: pyarrow, a bad --prev
    factory = make_factory(settings)
    placement.place_run(options, factory, per_tenancy)  # <outdir>/<tenancy>/ when runs are kept per tenancy
    if options.prev_latest and options.prev is None:
        say(f"oci-inv: no complete previous run in {options.outdir}; this run has no diff", "INFO")
    interactive = sys.stderr.isatty() and not settings.quiet
    reporter: Reporter = RichReporter(_console()) if interactive else Reporter()
    genai = genai_pass(factory, genai_config, settings.genai_dry_run)  # the reports' second pass (docs/genai.md)
    result = run_inventory(factory, options, reporter=reporter, genai=genai)
    if interactive:
        print_summary(result)
    elif not settings.quiet:
        say(f"oci-inv: {one_line_summary(result.summary)}", "INFO")
    for region, error in sorted(result.failed_regions.items()):
        say(f"oci-inv: region {region} failed: {visible(error)}", "ERROR")
    if result.diff_summary is not None and not settings.quiet:
        d = result.diff_summary
        say(
            f"diff vs previous run: {d['added']} added, {d['removed']} removed, "
            f"{d['changed']} changed, {d['unchanged']} unchanged",
            "INFO",
        )
    for line in result.diff_warnings:
        say(line)
    warning = enrich_error_warning(result.summary)
    if warning:
        say(warning)
    with interrupts.deferred():
        interrupts.announce(result.run_dir)
    placement.after_run(result.run_dir, result.summary, dataset=settings.dataset, keep_runs=settings.keep_runs)
    # Exit 4 needs a region that completed: when none did, run_inventory raised (exit 3 or 5) and committed nothing.
    return int(ExitCode.PARTIAL if result.failed_regions else ExitCode.OK)


def enrich_error_warning(summary: dict[str, Any]) -> str | None:
    """One line counting the records that ended ``enrichStatus == ERROR``, by OCI error code; None if none."""
    by_code: dict[str, int] = summary.get("errors_by_code") or {}
    total = int(summary.get("errors") or 0)
    if not total:
        return None
    counts = ", ".join(f"{code} {n}" for code, n in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])))
    return (
        f"oci-inv: warning: {total} record(s) could not be enriched ({counts}); they keep their Search data, "
        "see enrichError in inventory.jsonl"
    )


NOT_IMPLEMENTED_MEANING = "no enricher for the type yet: Search data only"


def reconciliation(s: dict[str, Any]) -> str:
    """How the search results became the records written, as one arithmetic line."""
    return (
        f"{s['search_results']:,} search results - {s['duplicates_merged']:,} duplicates merged - "
        f"{s['terminated_dropped']:,} terminated dropped - {s['out_of_scope_dropped']:,} out of scope "
        f"= {s['total_discovered']:,} records written"
    )


def enrichment_counts(s: dict[str, Any]) -> str:
    return f"{s['enriched_ok']:,} OK, {s['not_implemented']:,} NOT_IMPLEMENTED, {s['errors']:,} ERROR"


def one_line_summary(s: dict[str, Any]) -> str:
    """What a run off a terminal says on stderr when it ends: status, counts, duration."""
    failed = [r["region"] for r in s["regions"] if r["status"] != "ok"]
    status = f"partial (failed: {', '.join(failed)})" if failed else s["status"]
    return f"run {status}: {reconciliation(s)}; enrichment {enrichment_counts(s)}; {s['duration_s']:.1f}s"


def print_summary(result: RunResult) -> None:
    """The per-region table and the totals on stderr. Names from OCI (the tenancy, regions) are plain text."""
    from rich.table import Table
    from rich.text import Text

    s = result.summary
    title = f"Inventory of {visible(str(s.get('tenancy_name') or s.get('tenancy_id')))}: {s['status']}"
    table = Table(title=Text(title))
    for column in ("region", "status", "search results", "pages", "seconds"):
        table.add_column(column, justify="left" if column in ("region", "status") else "right")
    for r in s["regions"]:
        status = Text(str(r["status"]), style="" if r["status"] == "ok" else "red")
        cells = (f"{r['records']:,}", str(r["pages"]), f"{r['duration_s']:.1f}")
        table.add_row(Text(visible(str(r["region"]))), status, *(Text(c) for c in cells))
    console = _console()
    console.print(table)
    console.print(Text(reconciliation(s)))
    console.print(Text(f"enrichment: {enrichment_counts(s)}"))
    console.print(Text(f"(NOT_IMPLEMENTED: {NOT_IMPLEMENTED_MEANING})", style="dim"))
    console.print(Text(f"{s['duration_s']:.1f}s; the run directory is the last line on stdout"))
