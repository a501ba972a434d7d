"""Running a plan in-process, exactly as the equivalent command would: ``oci-inv run`` (progress, summary table,
the run directory as the last line on stdout), the coverage scan (that run without enrichment calls, then the
``enrich-coverage`` table of it), or ``oci-inv diff`` of two runs. Also: the runs an output directory holds, for
the diff steps."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oci_inventory.config import Settings
from oci_inventory.wizard.plan import COVERAGE, DIFF, Plan, check_plan, run_settings


@dataclass(frozen=True)
class RunEntry:
    """A run directory found in an output directory, for the prompts."""

    path: Path
    status: str  # complete, partial, or unreadable
    records: int | None
    started_at: str | None

    @property
    def label(self) -> str:
        count = f", {self.records:,} records" if self.records is not None else ""
        return f"{self.path.name}  ({self.status}{count})"


def runs_in(outdir: Path) -> list[RunEntry]:
    """The runs of ``outdir`` (and of its per-tenancy subdirectories), complete ones first, each group newest
    first."""
    from oci_inventory.export.rundir import RUN_DIR_PATTERN, find_runs

    found = list(find_runs(outdir))
    try:
        subdirs = sorted(p for p in outdir.iterdir() if p.is_dir() and not RUN_DIR_PATTERN.match(p.name))
    except OSError:
        subdirs = []
    for sub in subdirs:
        if not sub.name.startswith("."):
            found += find_runs(sub)
    entries = [_entry(path) for path in found]
    entries.sort(key=lambda e: e.started_at or e.path.name, reverse=True)
    return [e for e in entries if e.status == "complete"] + [e for e in entries if e.status != "complete"]


def _entry(path: Path) -> RunEntry:
    import orjson

    try:
        data = orjson.loads((path / "run_summary.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return RunEntry(path, "unreadable", None, None)
    if not isinstance(data, dict) or not (path / "inventory.jsonl").is_file():
        return RunEntry(path, "unreadable", None, None)
    records = data.get("total_discovered")
    return RunEntry(
        path,
        str(data.get("status") or "unknown"),
        records if isinstance(records, int) else None,
        str(data.get("started_at") or "") or None,
    )


def execute_plan(plan: Plan, base: Settings, make_factory: Callable[[Any], Any]) -> int:
    """Run ``plan`` now; the exit code is that of the equivalent command (0, 4 partial; errors raise)."""
    check_plan(plan)
    if plan.operation == DIFF:
        return _diff(plan, allow_scope_change=bool(base.values.get("allow_scope_change")))
    from oci_inventory.runlog import note_settings
    from oci_inventory.runner import execute_run
    from oci_inventory.util import interrupts

    settings = run_settings(base, plan)
    note_settings(settings)  # run.log shows the wizard's answers with source "wizard"
    code = execute_run(settings, make_factory)
    if plan.operation == COVERAGE and interrupts.STATE.committed is not None:
        _coverage_table(interrupts.STATE.committed)
    return code


def _coverage_table(run: Path) -> None:
    from oci_inventory.coverage import COLUMNS, inventory_coverage, table_rows, title
    from oci_inventory.enrich.registry import REGISTRY
    from oci_inventory.render import emit_table

    coverage = inventory_coverage(run, REGISTRY)
    emit_table(table_rows(coverage), COLUMNS, title=title(coverage))
    print(f"oci-inv enrich-coverage --inventory {run}", file=sys.stderr)


def _diff(plan: Plan, *, allow_scope_change: bool) -> int:
    from rich.console import Console

    from oci_inventory.diff.diff import diff_inventories
    from oci_inventory.diff.render import print_table, write_warnings

    result = diff_inventories(Path(str(plan.prev)), Path(str(plan.curr)), allow_scope_change=allow_scope_change)
    write_warnings(result, sys.stderr)
    print_table(result, Console(highlight=False))
    return 0
