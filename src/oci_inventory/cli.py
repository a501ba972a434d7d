"""The ``oci-inv`` command line: a thin click layer over the library.

Commands parse options, resolve settings, call library functions and render results. Errors become exit codes
in exactly one place, :func:`main`. Heavy modules (the OCI SDK, the pipeline) are imported inside commands so
that ``oci-inv --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from oci_inventory import __version__
from oci_inventory.cli_options import format_option
from oci_inventory.util.errors import EXIT_CODE_HELP, ExitCode, OciInvError

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = click.Choice(["table", "json"])
_STATE: dict[str, Any] = {}  # what the error boundary may name: profile, config file


def _env_help(name: str, text: str) -> str:
    """Help text ending with every environment variable that sets ``name``, read from the settings table."""
    from oci_inventory.config import SETTINGS_BY_NAME

    return f"{text} Env: {', '.join(SETTINGS_BY_NAME[name].env)}."


def common_options(func: F) -> F:
    """Options every command that talks to OCI accepts (each also settable by env and config file)."""
    options = [
        click.option("--config", "config", type=str, help="oci-inv settings file (YAML or JSON). Env: OCI_INV_CONFIG."),
        click.option(
            "--auth",
            type=str,
            help=_env_help(
                "auth", "auto|api_key|instance_principal|resource_principal|security_token ('config' = api_key)."
            ),
        ),
        click.option("--profile", type=str, help=_env_help("profile", "OCI config profile [DEFAULT].")),
        click.option("--config-file", type=str, help=_env_help("config_file", "OCI config file [~/.oci/config].")),
        click.option(
            "--endpoint-template",
            type=str,
            help=_env_help(
                "endpoint_template",
                "Send every API call to TEMPLATE.format(service=..., region=...), e.g. "
                "http://127.0.0.1:8080/{service}/{region}.",
            ),
        ),
        click.option("--log-level", type=str, help=_env_help("log_level", "DEBUG|INFO|WARNING|ERROR [WARNING].")),
        click.option("--log-format", type=str, help=_env_help("log_format", "text|json [text]; JSON lines on stderr.")),
        click.option("--connect-timeout", type=float, help=_env_help("connect_timeout", "Seconds [10].")),
        click.option("--read-timeout", type=float, help=_env_help("read_timeout", "Seconds [60].")),
        click.option("--debug", is_flag=True, default=False, help="Show tracebacks on errors. Env: OCI_INV_DEBUG."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(**flags: Any) -> Any:
    from oci_inventory.config import resolve_settings
    from oci_inventory.logging import setup_logging

    config = flags.pop("config", None)
    debug = bool(flags.pop("debug", None)) or _debug_env()
    settings = resolve_settings(flags, config_path=config)
    # --debug: DEBUG logs (the SDK's request log included) unless a log level was chosen; run.log gets them too.
    level = "DEBUG" if debug and settings.sources["log_level"] == "default" else settings.log_level
    setup_logging(level, settings.log_format, debug=debug)
    from oci_inventory.runlog import note_settings

    note_settings(settings)
    _STATE.update(profile=settings.profile, config_file=settings.config_file, auth=settings.auth)
    return settings


def _debug_env() -> bool:
    return os.environ.get("OCI_INV_DEBUG", "") not in ("", "0", "false")


def _factory(settings: Any) -> Any:
    from oci_inventory.oci.factory import FactoryRecipe, build_factory

    source = settings.sources.get("config_file", "default")
    recipe = FactoryRecipe(
        auth=settings.auth,
        profile=settings.profile,
        config_file=str(settings.config_file),
        endpoint_template=settings.endpoint_template,
        config_file_named_by=None if source == "default" else _named_by(source),
        max_attempts=settings.max_attempts,
        max_retry_time=settings.max_retry_time,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
    factory, warnings = build_factory(recipe)
    for warning in warnings:
        click.echo(f"oci-inv: warning: {warning}", err=True)
    return factory


def _named_by(source: str) -> str:
    """``flag`` -> ``--config-file``, ``env OCI_CLI_CONFIG_FILE`` -> ``OCI_CLI_CONFIG_FILE``, ``file X`` -> ``X``."""
    if source == "flag":
        return "--config-file"
    kind, _, rest = source.partition(" ")
    return rest if kind == "env" else f"the settings file {rest}"


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    epilog=EXIT_CODE_HELP,
)
@click.version_option(__version__, prog_name="oci-inv")
def cli() -> None:
    """oci-inv: a complete, repeatable, read-only inventory of an OCI tenancy."""


@cli.command("validate-auth")
@common_options
@format_option
def validate_auth(fmt: str, **flags: Any) -> int:
    """Check the credentials: auth method, tenancy, principal, home region, subscribed regions."""
    from oci_inventory.identity import auth_summary
    from oci_inventory.render import emit_csv, emit_json, emit_mapping

    settings = _settings(**flags)
    info = auth_summary(_factory(settings))
    if fmt == "json":
        emit_json(info)
    elif fmt == "csv":
        emit_csv([info], list(info), raw=settings.csv_raw)
    else:
        emit_mapping({k: v for k, v in info.items() if v is not None}, title="Authentication OK")
    return 0


@cli.command("list-regions")
@common_options
@format_option
def list_regions(fmt: str, **flags: Any) -> int:
    """List the tenancy's subscribed regions (name, key, home, status)."""
    from oci_inventory.identity import region_rows
    from oci_inventory.render import emit_rows

    settings = _settings(**flags)
    rows = region_rows(_factory(settings))
    columns = [("name", "Region"), ("key", "Key"), ("home", "Home"), ("status", "Status")]
    emit_rows(fmt, rows, columns, csv_raw=settings.csv_raw)
    return 0


@cli.command("list-compartments")
@common_options
@format_option
@click.option("--include-deleted", is_flag=True, default=False, help="Also list DELETED compartments.")
def list_compartments(fmt: str, include_deleted: bool, **flags: Any) -> int:
    """List the whole compartment tree: full path, name, OCID, parent, lifecycle state."""
    from oci_inventory.identity import compartment_rows
    from oci_inventory.render import emit_rows

    settings = _settings(**flags)
    rows = compartment_rows(_factory(settings), include_deleted=include_deleted)
    columns = [("path", "Path"), ("name", "Name"), ("id", "OCID"), ("parent_id", "Parent")]
    emit_rows(fmt, rows, [*columns, ("lifecycle_state", "State")], csv_raw=settings.csv_raw)
    return 0


@cli.command("run")
@common_options
@click.option("--outdir", type=str, help=_env_help("outdir", "Where run directories go [out]."))
@click.option("--regions", type=str, help=_env_help("regions", "Comma list of regions [all READY subscribed regions]."))
@click.option(
    "--compartment",
    "compartments",
    multiple=True,
    help=_env_help("compartments", "Compartment to scope to: OCID, path (/prod/network) or unique name (repeatable)."),
)
@click.option(
    "--no-subtree",
    is_flag=True,
    default=None,
    help=_env_help("no_subtree", "Only the named compartments, not their subtrees."),
)
@click.option("--query", type=str, help=_env_help("query", "Structured Search query [query all resources]."))
@click.option(
    "--include-terminated",
    is_flag=True,
    default=None,
    help=_env_help("include_terminated", "Keep TERMINATED and DELETED resources."),
)
@click.option(
    "--parquet", is_flag=True, default=None, help=_env_help("parquet", "Also write inventory.parquet (needs pyarrow).")
)
@click.option(
    "--no-enrich",
    is_flag=True,
    default=None,
    help=_env_help("no_enrich", "Discovery only: no enrichment calls; every record as Search returned it."),
)
@click.option(
    "--no-graph",
    is_flag=True,
    default=None,
    help=_env_help("no_graph", "Do not write graph.graphml; relationships.jsonl still holds every edge."),
)
@click.option(
    "--csv-raw",
    is_flag=True,
    default=None,
    help=_env_help("csv_raw", "Write inventory.csv cells exactly: no ' before =+-@, no control-character replacement."),
)
@click.option(
    "--prev",
    type=str,
    help=_env_help(
        "prev",
        "A previous run directory or inventory.jsonl to diff against; 'latest' = the newest complete run in --outdir.",
    ),
)
@click.option(
    "--allow-scope-change",
    is_flag=True,
    default=None,
    help=_env_help(
        "allow_scope_change",
        "Diff against a run of another query or compartment scope (recorded in diff_summary.json).",
    ),
)
@click.option(
    "--workers-region",
    type=int,
    help=_env_help("workers_region", "Regions discovered in parallel [all]; home and largest first when fewer."),
)
@click.option(
    "--search-shards",
    type=str,
    help=_env_help("search_shards", "Parallel Search page chains per region: auto, off or N [auto]."),
)
@click.option("--workers-enrich", type=int, help=_env_help("workers_enrich", "Enrichment threads [24]."))
@click.option(
    "--enrich-processes",
    type=str,
    help=_env_help(
        "enrich_processes",
        "Processes that share the enrichment calls once a run has 2,000 records to enrich: auto (with 4 cores "
        "or more, one per core but one, at most 4; else none), off or N [auto].",
    ),
)
@click.option(
    "--intake-processes",
    type=str,
    help=_env_help(
        "intake_processes",
        "Processes that build the records needing no API call, started at a region's second Search page or once "
        "a run has built 5,000: auto (one per core, at most 2; none on one core), off or N [auto].",
    ),
)
@click.option("--quiet", is_flag=True, default=None, help=_env_help("quiet", "No progress bars or summary table."))
@click.option(
    "--keep-runs",
    type=int,
    help=_env_help("keep_runs", "After a complete run, prune to the N newest runs (as 'runs prune --keep N')."),
)
@click.option(
    "--dataset",
    type=str,
    help=_env_help("dataset", "Also add a complete run's Parquet to DIR/tenancy=…/run=…/ (implies --parquet)."),
)
@click.option(
    "--per-tenancy-dirs",
    is_flag=True,
    default=None,
    help=_env_help("per_tenancy_dirs", "Write the run into OUTDIR/<tenancy name>/ (automatic once OUTDIR has them)."),
)
@click.option(
    "--genai-summary",
    is_flag=True,
    default=None,
    help=_env_help("genai_summary", "Add an OCI Generative AI executive summary to the reports (docs/genai.md)."),
)
@click.option(
    "--genai-dry-run",
    is_flag=True,
    default=None,
    help=_env_help("genai_dry_run", "Print the redacted GenAI prompt on stderr; send nothing."),
)
def run_command(**flags: Any) -> int:
    """Discover, enrich and export every resource; the last line printed is the run directory."""
    from oci_inventory.runner import execute_run

    flags["compartments"] = list(flags.get("compartments") or []) or None
    settings = _settings(**flags)
    return execute_run(settings, _factory)


@cli.command("diff")
@click.option("--prev", required=True, type=str, help="Earlier run directory or inventory.jsonl.")
@click.option("--curr", required=True, type=str, help="Later run directory or inventory.jsonl.")
@click.option(
    "--format", "fmt", type=FORMATS, default=None, help="table or json [table on a terminal, json when piped]."
)
@click.option("--outdir", type=str, default=None, help="Also write diff.json and diff_summary.json here (not a run).")
@click.option(
    "--allow-scope-change",
    is_flag=True,
    default=None,
    help=_env_help(
        "allow_scope_change", "Compare runs of different query or compartment scope (recorded in diff_summary.json)."
    ),
)
@click.option("--debug", is_flag=True, default=False, help="Show tracebacks on errors.")
def diff_command(
    prev: str, curr: str, fmt: str | None, outdir: str | None, allow_scope_change: bool | None, debug: bool
) -> int:
    """Compare two runs by OCID and stable hash, over the regions both completed; never writes into a run.

    Prints a table by resource type on a terminal, else one JSON document (summary, added, removed, changed).
    """
    from oci_inventory.diff.diff import check_diff_outdir, diff_inventories, write_diff
    from oci_inventory.diff.render import print_table, write_json, write_warnings

    settings = _settings(allow_scope_change=allow_scope_change)
    target = Path(outdir).expanduser() if outdir else None
    if target is not None:
        check_diff_outdir(target)
    result = diff_inventories(Path(prev), Path(curr), allow_scope_change=settings.allow_scope_change)
    if target is not None:
        write_diff(result, target)
    write_warnings(result, sys.stderr)
    if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
        write_json(result, sys.stdout)
    else:
        from rich.console import Console

        print_table(result, Console(highlight=False))
    return 0


@cli.command("enrich-coverage")
@common_options
@click.option("--inventory", type=str, help="A run directory (or its inventory.jsonl); without it, discover live.")
@click.option("--regions", type=str, help=_env_help("regions", "Live: comma list of regions [all READY subscribed]."))
@click.option("--query", type=str, help=_env_help("query", "Live: Structured Search query [query all resources]."))
@format_option
def enrich_coverage(fmt: str, inventory: str | None, **flags: Any) -> int:
    """Per resource type: records, whether an enricher exists, how enrichment ended; biggest gap first.

    With --inventory, counts the records of that run. Without it, runs a discovery with no enrichment calls
    (nothing is written: the temporary run is removed) and reports counts and enrichers; how enrichment would end
    is then unknown (shown as ?).
    """
    from oci_inventory.coverage import COLUMNS, inventory_coverage, live_coverage, table_rows, title
    from oci_inventory.enrich.registry import REGISTRY
    from oci_inventory.render import emit_csv, emit_json, emit_table

    settings = _settings(**flags)
    if inventory is not None:
        coverage = inventory_coverage(Path(inventory).expanduser(), REGISTRY)
    else:
        from oci_inventory.runner import options_from_settings

        coverage = live_coverage(_factory(settings), options_from_settings(settings), REGISTRY)
    if fmt == "json":
        emit_json(coverage.as_json())
    elif fmt == "csv":
        emit_csv(coverage.rows, [key for key, _ in COLUMNS], raw=settings.csv_raw)
    else:
        emit_table(table_rows(coverage), COLUMNS, title=title(coverage))
    return 0


@cli.command("graph")
@click.option("--inventory", required=True, type=str, help="A run directory (or its inventory.jsonl).")
@click.option("--around", required=True, type=str, help="The OCID whose neighbourhood to show.")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Hops from --around.")
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True,
    help="Mermaid (graph LR) or Graphviz DOT (digraph).",
)  # fmt: skip
@click.option(
    "--max-nodes", type=click.IntRange(min=1), default=200, show_default=True, help="Keep the nearest N nodes."
)
@click.option(
    "--expand-compartments",
    is_flag=True,
    default=False,
    help="Follow IN_COMPARTMENT backwards from every node (by default only from --around).",
)
@click.option("--debug", is_flag=True, default=False, help="Show tracebacks on errors.")
def graph_command(
    inventory: str, around: str, depth: int, fmt: str, max_nodes: int, expand_compartments: bool, debug: bool
) -> int:
    """Print one resource's neighbourhood (edges both ways, within --depth hops) as Mermaid or Graphviz text."""
    from oci_inventory.graph import neighbourhood, render

    nb = neighbourhood(
        Path(inventory).expanduser(), around, depth=depth, max_nodes=max_nodes, expand_compartments=expand_compartments
    )
    sys.stdout.write(render(nb, fmt))
    sys.stdout.flush()
    if nb.truncated:
        click.echo(f"oci-inv: warning: more than {max_nodes} nodes within {depth} hops; showing the nearest "
                   f"{max_nodes} (raise --max-nodes)", err=True)  # fmt: skip
    return 0


@cli.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("show")
@common_options
@format_option
def config_show(fmt: str, **flags: Any) -> int:
    """Print the effective settings and where each comes from (flag, env, file, default)."""
    from oci_inventory.render import emit_rows

    settings = _settings(**flags)
    rows = [{"setting": n, "value": v, "source": s} for n, v, s in settings.rows()]
    emit_rows(fmt, rows, [("setting", "Setting"), ("value", "Value"), ("source", "Source")], csv_raw=settings.csv_raw)
    return 0


@cli.command("preflight")
@common_options
@click.option("--outdir", type=str, help=_env_help("outdir", "The output directory to check [out]."))
@click.option("--parquet", is_flag=True, default=None, help=_env_help("parquet", "Check pyarrow for --parquet too."))
@click.option("--genai", is_flag=True, default=False, help="Require a GenAI configuration (for the GenAI summary).")
@click.option("--no-auth-check", is_flag=True, default=False, help="Local checks only: no sign-in, no Search call.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="table for people; json.")
def preflight_command(fmt: str, genai: bool, no_auth_check: bool, **flags: Any) -> int:
    """Will a run work here? Python, versions, pyarrow, OCI config/profile/key, sign-in, Search per region, GenAI
    configuration, output directory: one line each, OK/WARN/FAIL with the fix. Exit 0 ready, 2 a local check
    failed, 3 sign-in refused, 5 OCI unreachable."""
    from oci_inventory.preflight import main as preflight_main

    return preflight_main(_settings(**flags), _factory, fmt=fmt, genai=genai, auth_check=not no_auth_check)


@cli.command("wizard")
@common_options
@click.option("--plan", "plan_file", type=str, help="Re-open a saved plan (a settings file written by the wizard).")
def wizard_command(plan_file: str | None, **flags: Any) -> int:
    """Answer a few questions (Enter keeps each default), review the plan and the equivalent command line, then
    run it now, save it as a settings file for 'oci-inv run --config PLAN', or both. Needs a terminal."""
    from oci_inventory.wizard.cli import main as wizard_main

    return wizard_main(flags, plan_file, settings_of=_settings, make_factory=_factory)


@cli.command("report")
@common_options
@click.argument("run", type=str)
@click.option(
    "--genai-summary", is_flag=True, default=False, help="Also ask OCI Generative AI for an executive summary."
)
@click.option("--genai-dry-run", is_flag=True, default=False, help="Print the redacted GenAI prompt; change nothing.")
def report_command(run: str, genai_summary: bool, genai_dry_run: bool, **flags: Any) -> int:
    """Regenerate report.md and report.html of run directory RUN (atomically; recorded in its run_summary.json).
    The last line printed is the report.html path."""
    from oci_inventory.report.cli import report_command as report_main

    return report_main(run, genai_summary, genai_dry_run, _settings(**flags), _factory)


@cli.command("genai-chat")
@common_options
@click.option("--inventory", required=True, type=str, help="A run directory (or its inventory.jsonl).")
@click.option("--dry-run", is_flag=True, default=False, help="Print the redacted prompt; send nothing.")
@click.argument("question", type=str)
def genai_chat_command(inventory: str, question: str, dry_run: bool, **flags: Any) -> int:
    """Ask OCI Generative AI a QUESTION about a run, from its redacted digest (never raw records); names in the
    answer are restored locally."""
    from oci_inventory.genai.cli import chat_command

    return chat_command(inventory, question, dry_run, _settings(**flags), _factory)


@cli.command("demo")
@click.option("--outdir", type=str, default="out/demo", show_default=True, help="Where the demo runs go.")
@click.option("--size", type=int, default=5000, show_default=True, help="Resources in the emulated tenancy.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--debug", is_flag=True, default=False, help="Show tracebacks on errors.")
def demo_command(outdir: str, size: int, seed: int, debug: bool) -> int:
    """Start the built-in emulated tenancy, inventory it twice with a change in between, show the diff."""
    from oci_inventory.demo import run_demo

    return run_demo(Path(outdir), size=size, seed=seed)


def _add_emulator_group() -> None:
    try:
        from oci_emulator.cli import main as emulator_main
    except ImportError:  # the emulator ships in the same distribution; tolerate a partial install
        return
    cli.add_command(emulator_main, "emulator")


_add_emulator_group()


def _add_history_commands() -> None:
    from oci_inventory.history.cli import query_command, runs_group

    cli.add_command(runs_group)
    cli.add_command(query_command)


_add_history_commands()


def _service_error_line(exc: Any) -> tuple[str, ExitCode]:
    from oci_inventory.oci.failures import failure_kind

    where = ""
    if _STATE.get("auth") in (None, "auto", "api_key", "security_token"):
        where = f" for profile [{_STATE.get('profile')}] in {_STATE.get('config_file')}"
    operation = exc.operation_name or "a request"
    if exc.status == 401:
        return (
            f"OCI rejected the credentials{where} (401 {exc.code}); check the user, fingerprint and key, "
            "or refresh the session token",
            ExitCode.AUTH,
        )
    if failure_kind(exc) == "auth":
        return (
            f"not authorized{where}: {exc.status} {exc.code} on {operation}; "
            "grant the principal read/inspect permissions",
            ExitCode.AUTH,
        )
    if exc.status == 429 or exc.status >= 500:
        return (
            f"OCI is unavailable: {exc.status} {exc.code} on {operation} after retries; retry later",
            ExitCode.UNAVAILABLE,
        )
    return (f"OCI request failed: {exc.status} {exc.code}: {exc.message}", ExitCode.INTERNAL)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map every outcome to a documented exit code (the one error boundary).

    Ctrl-C, SIGTERM and SIGHUP interrupt (exit 130; see ``util/interrupts.py``). After cleanup, when worker
    threads are still blocked (e.g. in a long HTTP read), the process ends with ``os._exit`` instead of waiting.
    """
    from oci_inventory.util import interrupts

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("OCI_INV_DEBUG", "") not in ("", "0", "false")
    with interrupts.installed():
        code = _run_cli(args, debug)
        sys.stdout.flush()
        if code == ExitCode.INTERRUPTED and interrupts.STATE.signals and interrupts.workers_busy():
            interrupts.exit_now(int(code))
    sys.exit(int(code))


def _run_cli(args: list[str], debug: bool) -> int:
    from oci_inventory.util import interrupts

    try:
        result = cli.main(args=args, prog_name="oci-inv", standalone_mode=False)
        return result if isinstance(result, int) else ExitCode.OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        committed = interrupts.STATE.committed
        if committed is not None:  # the run is complete: say where it is, like an uninterrupted run
            click.echo(f"oci-inv: interrupted after the run was committed; {committed} is complete", err=True)
            interrupts.announce(committed)
            return ExitCode.OK
        click.echo("oci-inv: interrupted; nothing half-written was left behind", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        hint = " (see 'oci-inv --help')"
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        click.echo(f"oci-inv: error: {exc.format_message()}{hint}", err=True)
        return ExitCode.USAGE
    except Exception as exc:
        from oci_inventory.logging import report_error

        line, code = (exc.user_line(), exc.exit_code) if isinstance(exc, OciInvError) else _unexpected_line(exc)
        report_error(f"oci-inv: error: {line}", exc if debug else None)  # --log-format json: one JSON line
        return code


def _unexpected_line(exc: Exception) -> tuple[str, ExitCode]:
    from oci_inventory.logging import redact
    from oci_inventory.util.errors import environment_error

    env_error = environment_error(exc)
    if env_error is not None:
        return redact(env_error.user_line()), env_error.exit_code
    oci_mod = sys.modules.get("oci")
    if oci_mod is not None:
        if isinstance(exc, oci_mod.exceptions.ServiceError):
            line, code = _service_error_line(exc)
            return redact(line), code
        from oci_inventory.oci.failures import failure_kind

        if failure_kind(exc) == "unavailable":
            return (
                redact(
                    f"cannot reach the OCI endpoint: {type(exc).__name__}; check the network, region "
                    "and --endpoint-template"
                ),
                ExitCode.UNAVAILABLE,
            )
    text = " ".join(str(exc).split())[:300]
    return redact(
        f"internal error: {type(exc).__name__}: {text} (rerun with --debug for a traceback)"
    ), ExitCode.INTERNAL
