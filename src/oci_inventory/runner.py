"""``oci-inv run`` between the CLI and the pipeline: options from settings, progress, the final table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oci_inventory.pipeline import RunOptions, RunResult, preflight, run_inventory
from oci_inventory.progress import Reporter, RichReporter
from oci_inventory.util.errors import ExitCode

RUN_FLAGS = (
    "outdir",
    "regions",
    "compartments",
    "no_subtree",
    "query",
    "include_terminated",
    "parquet",
    "prev",
    "workers_region",
    "workers_enrich",
    "auth",
    "profile",
    "endpoint_template",
)


def options_from_settings(settings: Any) -> RunOptions:
    return RunOptions(
        outdir=Path(settings.outdir).expanduser(),
        query=settings.query,
        regions=settings.regions,
        compartments=settings.compartments,
        subtree=not settings.no_subtree,
        include_terminated=settings.include_terminated,
        parquet=settings.parquet,
        prev=Path(settings.prev).expanduser() if settings.prev else None,
        workers_region=settings.workers_region,
        workers_enrich=settings.workers_enrich,
        flags={name: settings.get(name) for name in RUN_FLAGS},
    )


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def execute_run(settings: Any, make_factory: Callable[[Any], Any]) -> int:
    options = options_from_settings(settings)
    preflight(options)  # before any API call: --parquet without pyarrow, a bad --prev
    factory = make_factory(settings)
    interactive = sys.stderr.isatty() and not settings.quiet
    reporter: Reporter = RichReporter(_console()) if interactive else Reporter()
    result = run_inventory(factory, options, reporter=reporter)
    if interactive:
        print_summary(result)
    for region, error in sorted(result.failed_regions.items()):
        sys.stderr.write(f"oci-inv: region {region} failed: {error}\n")
    if result.diff_summary is not None and not settings.quiet:
        d = result.diff_summary
        sys.stderr.write(
            f"diff vs previous run: {d['added']} added, {d['removed']} removed, "
            f"{d['changed']} changed, {d['unchanged']} unchanged\n"
        )
    sys.stdout.write(f"{result.run_dir}\n")
    sys.stdout.flush()
    return int(ExitCode.PARTIAL if result.failed_regions else ExitCode.OK)


def print_summary(result: RunResult) -> None:
    from rich.table import Table

    s = result.summary
    table = Table(title=f"Inventory of {s.get('tenancy_name') or s.get('tenancy_id')}")
    for column in ("region", "status", "records", "pages", "seconds"):
        table.add_column(column, justify="right" if column in ("records", "pages", "seconds") else "left")
    for r in s["regions"]:
        status = r["status"] if r["status"] == "ok" else f"[red]{r['status']}[/red]"
        table.add_row(r["region"], status, str(r["records"]), str(r["pages"]), f"{r['duration_s']:.1f}")
    console = _console()
    console.print(table)
    console.print(
        f"{s['total_discovered']} resources: {s['enriched_ok']} enriched, {s['not_implemented']} search-only, "
        f"{s['errors']} errors; {s['terminated_dropped']} terminated dropped; {s['duration_s']:.1f}s"
    )
