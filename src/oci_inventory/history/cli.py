"""The history commands: ``oci-inv runs``, ``oci-inv runs prune`` and ``oci-inv query``.

Registered by :mod:`oci_inventory.cli`; kept light (click only at import: DuckDB, Rich and the run readers are
imported when a command runs).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from oci_inventory.cli_options import format_option
from oci_inventory.history import examples


def _outdir_option(func: Any) -> Any:
    return click.option(
        "--outdir", type=str, help="The directory runs are written to (as for run) [out]. Env: OCI_INV_OUTDIR."
    )(func)


def _debug_option(func: Any) -> Any:
    return click.option("--debug", is_flag=True, default=False, help="Show tracebacks on errors.")(func)


def _settings(outdir: str | None) -> Any:
    from oci_inventory.cli import _settings as resolve

    return resolve(outdir=outdir)


@click.group("runs", invoke_without_command=True)
@_outdir_option
@format_option
@_debug_option
@click.pass_context
def runs_group(ctx: click.Context, outdir: str | None, fmt: str, debug: bool) -> int:
    """List every run under --outdir, newest first: start, status (failed regions), scope, records,
    enrichment coverage and diff counts. Runs of several tenancies (one subdirectory each) are listed together."""
    if ctx.invoked_subcommand is not None:
        return 0
    from oci_inventory.history.runs import ROW_TYPES, TABLE_COLUMNS, run_rows, table_rows
    from oci_inventory.render import emit_csv, emit_json, emit_table

    settings = _settings(outdir)
    rows = run_rows(Path(settings.outdir).expanduser())
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        flat = [{k: ",".join(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows]
        emit_csv(flat, [name for name, _ in ROW_TYPES], raw=settings.csv_raw)
    else:
        emit_table(table_rows(rows), TABLE_COLUMNS)
    return 0


@runs_group.command("prune")
@_outdir_option
@click.option("--keep", type=click.IntRange(min=1), help="Keep the N newest runs of each tenancy.")
@click.option(
    "--keep-days",
    type=click.FloatRange(min=0, min_open=True),
    help="Keep the runs started in the last D days (with --keep: a run either rule keeps is kept).",
)
@click.option("--dry-run", is_flag=True, default=False, help="Say what would be removed; remove nothing.")
@format_option
@_debug_option
def prune_command(
    outdir: str | None, keep: int | None, keep_days: float | None, dry_run: bool, fmt: str, debug: bool
) -> int:
    """Remove old run directories, whole; never a tenancy's newest complete run, never a run in progress.

    Partial runs are counted and removed like the others. Prints every run with what was done and why.
    """
    from oci_inventory.history.prune import COLUMNS, prune
    from oci_inventory.render import emit_rows

    settings = _settings(outdir)
    root = Path(settings.outdir).expanduser()
    rows = prune(root, keep=keep, keep_days=keep_days, dry_run=dry_run)
    emit_rows(fmt, rows, COLUMNS, csv_raw=settings.csv_raw)
    removed = sum(1 for row in rows if row["action"] != "kept")
    verb = "would remove" if dry_run else "removed"
    click.echo(f"oci-inv: {verb} {removed} of {len(rows)} run(s) in {root}", err=True)
    return 0


@click.command("query")
@click.argument("sql", required=False)
@_outdir_option
@click.option(
    "--example",
    type=click.Choice(examples.names()),
    help="Run a named question shipped with oci-inv (its SQL is in docs/query.md).",
)
@format_option
@_debug_option
def query_command(sql: str | None, outdir: str | None, example: str | None, fmt: str, debug: bool) -> int:
    """Ask SQL questions of every run under --outdir (DuckDB, read-only; needs the 'query' extra).

    Views: resources (newest complete run of each tenancy), resources_history (every complete run), relationships,
    changes (every diff entry) and runs. SQL '-' reads the statement from stdin. See docs/query.md.
    """
    from oci_inventory.history.query import run_query
    from oci_inventory.util.errors import InputError

    if (sql is None) == (example is None):
        raise InputError(
            "give either a SQL statement or --example NAME", hint=f"examples: {', '.join(examples.names())}"
        )
    text = examples.sql(example) if example is not None else sql
    assert text is not None
    if text == "-":
        text = sys.stdin.read()
    settings = _settings(outdir)
    _, history = run_query(Path(settings.outdir).expanduser(), text, fmt, csv_raw=settings.csv_raw)
    if not history.has_complete_run:
        click.echo(
            f"oci-inv: note: no complete run in {settings.outdir}: resources, resources_history and relationships "
            "are empty",
            err=True,
        )
    return 0
