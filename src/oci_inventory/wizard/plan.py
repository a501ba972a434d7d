"""The wizard's plan: what to run, built from the answers, and what it means as settings and as a command line.

A plan is the ordinary settings of ``oci-inv run`` plus the operation (inventory, coverage scan, diff of two runs).
:func:`settings_values` is the settings file a saved plan holds (only what differs from the defaults, plus the
credentials), :func:`run_settings` the settings an in-process run uses, :func:`command_lines` the equivalent
``oci-inv`` command line(s). Nothing here prompts or calls OCI.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from oci_inventory.config import DEFAULT_QUERY, SETTINGS_BY_NAME, Settings
from oci_inventory.util.errors import ConfigError

INVENTORY, COVERAGE, DIFF = "inventory", "coverage", "diff"
OPERATIONS = {
    INVENTORY: "Full inventory (discovery, enrichment, export)",
    COVERAGE: "Coverage scan only (discovery without enrichment calls, then enrich-coverage)",
    DIFF: "Diff of two earlier runs",
}
#: Boolean settings the toggles step offers, when this oci-inv has them (others may add more).
TOGGLES = {
    "include_terminated": "Keep TERMINATED and DELETED resources",
    "parquet": "Also write inventory.parquet (needs pyarrow)",
    "no_enrich": "Discovery only: no enrichment calls",
    "no_graph": "Skip graph.graphml (relationships.jsonl keeps every edge)",
    "genai_summary": "GenAI executive summary (GenAI configuration found)",
}
#: Settings a plan decides; every other setting (timeouts, retries, log level ...) stays as it was resolved.
PLAN_SETTINGS = (
    "auth",
    "profile",
    "config_file",
    "endpoint_template",
    "outdir",
    "regions",
    "compartments",
    "no_subtree",
    "query",
    "workers_region",
    "workers_enrich",
    "prev",
)
ALWAYS_SAVED = ("auth", "profile", "outdir")


@dataclass(frozen=True)
class Plan:
    """Every answer of the wizard. ``regions``/``compartments`` None: all regions / the whole tenancy."""

    operation: str = INVENTORY
    auth: str = "auto"
    profile: str = "DEFAULT"
    config_file: str = "~/.oci/config"
    endpoint_template: str | None = None
    regions: tuple[str, ...] | None = None
    compartments: tuple[str, ...] | None = None
    subtree: bool = True
    query: str = DEFAULT_QUERY
    toggles: frozenset[str] = field(default_factory=frozenset)
    workers_enrich: int = 24
    workers_region: int | None = None
    outdir: str = "out"
    prev: str | None = None  # inventory: --prev (a run or 'latest'); diff: the earlier run
    curr: str | None = None  # diff: the later run

    def toggled(self, name: str) -> bool:
        return name in self.toggles


def available_toggles(*, genai_configured: bool) -> dict[str, str]:
    """The toggles this oci-inv has settings for; the GenAI summary only when a GenAI configuration exists."""
    return {
        name: label
        for name, label in TOGGLES.items()
        if name in SETTINGS_BY_NAME and (name != "genai_summary" or genai_configured)
    }


def plan_from_settings(settings: Settings, *, operation: str = INVENTORY, curr: str | None = None) -> Plan:
    """The starting answers: the resolved settings (flags, env, settings file or saved plan, defaults)."""
    values = settings.values
    regions = values.get("regions")
    compartments = values.get("compartments")
    prev = values.get("prev")
    return Plan(
        operation=operation,
        auth=str(values["auth"]),
        profile=str(values["profile"]),
        config_file=str(values["config_file"]),
        endpoint_template=values.get("endpoint_template"),
        regions=tuple(regions) if regions else None,
        compartments=tuple(compartments) if compartments else None,
        subtree=not values.get("no_subtree", False),
        query=str(values["query"]),
        toggles=frozenset(name for name in TOGGLES if name in SETTINGS_BY_NAME and values.get(name) is True),
        workers_enrich=int(values["workers_enrich"]),
        workers_region=values.get("workers_region"),
        outdir=str(values["outdir"]),
        prev=str(prev) if prev else None,
        curr=curr,
    )


def build_coverage_plan(plan: Plan) -> Plan:
    """The coverage scan: the plan's discovery (regions, compartments, query, terminated) with no enrichment
    calls and no extra outputs; ``oci-inv enrich-coverage --inventory RUN`` then reads the run it makes."""
    kept = plan.toggles & {"include_terminated"}
    return replace(plan, operation=COVERAGE, toggles=kept | {"no_enrich"}, prev=None, curr=None)


def effective(plan: Plan) -> Plan:
    """The plan that runs: the coverage plan for a coverage scan, else the plan itself."""
    return build_coverage_plan(plan) if plan.operation == COVERAGE else plan


def _plan_values(plan: Plan) -> dict[str, Any]:
    """Every setting the plan decides, as setting values (None: the setting's default meaning)."""
    values: dict[str, Any] = {
        "auth": plan.auth,
        "profile": plan.profile,
        "config_file": plan.config_file,
        "endpoint_template": plan.endpoint_template,
        "outdir": plan.outdir,
        "regions": list(plan.regions) if plan.regions else None,
        "compartments": list(plan.compartments) if plan.compartments else None,
        "no_subtree": bool(plan.compartments) and not plan.subtree,
        "query": plan.query,
        "workers_region": plan.workers_region,
        "workers_enrich": plan.workers_enrich,
        "prev": plan.prev if plan.operation in (INVENTORY, DIFF) else None,
    }
    for name in TOGGLES:
        if name in SETTINGS_BY_NAME:
            values[name] = name in plan.toggles
    return values


def settings_values(plan: Plan) -> dict[str, Any]:
    """The settings file of a saved plan, in the settings table's order: the credentials and the output
    directory always, everything else only where it differs from the default (so 'all regions' stays all)."""
    values = _plan_values(effective(plan))
    out: dict[str, Any] = {}
    for name in SETTINGS_BY_NAME:
        if name not in values:
            continue
        value = values[name]
        if name in ALWAYS_SAVED or (value is not None and value != SETTINGS_BY_NAME[name].default):
            out[name] = value
    return out


def run_settings(base: Settings, plan: Plan) -> Settings:
    """The settings an in-process run of ``plan`` uses: ``base`` (as resolved) with the plan's answers."""
    values = dict(base.values)
    sources = dict(base.sources)
    for name, value in _plan_values(effective(plan)).items():
        if values.get(name) != value:
            values[name] = value
            sources[name] = "wizard"
    return Settings(values, sources)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def run_arguments(plan: Plan) -> list[str]:
    """The ``oci-inv run`` arguments equivalent to the plan (what differs from the defaults)."""
    args: list[str] = []
    values = settings_values(plan)
    for name, value in values.items():
        if name in ALWAYS_SAVED and value == SETTINGS_BY_NAME[name].default:
            continue
        if name == "compartments":
            for compartment in value:
                args += ["--compartment", compartment]
        elif isinstance(value, bool):
            if value:
                args.append(_flag(name))
        elif isinstance(value, list):
            args += [_flag(name), ",".join(value)]
        else:
            args += [_flag(name), str(value)]
    return args


def command_lines(plan: Plan, plan_path: str | None = None) -> list[str]:
    """The equivalent command line(s), shell-quoted; with ``plan_path`` also the short form using the saved plan."""
    if plan.operation == DIFF:
        return [shlex.join(["oci-inv", "diff", "--prev", str(plan.prev), "--curr", str(plan.curr)])]
    run = shlex.join(["oci-inv", "run", *run_arguments(plan)])
    if plan.operation == COVERAGE:
        return [run, "oci-inv enrich-coverage --inventory RUN_DIRECTORY   # the directory the run printed last"]
    return [run]


def check_plan(plan: Plan) -> None:
    """What the prompts already ensure, checked again for a plan built elsewhere (a test, a hand-edited file)."""
    if plan.operation not in OPERATIONS:
        raise ConfigError(f"unknown wizard operation {plan.operation!r}", hint=f"use one of {', '.join(OPERATIONS)}")
    if plan.operation == DIFF and not (plan.prev and plan.curr):
        raise ConfigError("a diff plan needs two runs (prev and curr)")
    if plan.regions is not None and not plan.regions:
        raise ConfigError("no region chosen", hint="choose at least one region, or all")
    if plan.workers_enrich < 1 or (plan.workers_region is not None and plan.workers_region < 1):
        raise ConfigError("workers must be whole numbers of at least 1")


def describe(plan: Plan) -> list[tuple[str, str]]:
    """(what, answer) rows of the review screen."""
    shown = effective(plan)
    rows = [("operation", OPERATIONS[plan.operation])]
    rows.append(("credentials", _credentials(plan)))
    if plan.endpoint_template:
        rows.append(("endpoint template", plan.endpoint_template))
    if plan.operation == DIFF:
        return [
            *rows,
            ("output directory", plan.outdir),
            ("earlier run", str(plan.prev)),
            ("later run", str(plan.curr)),
        ]
    rows.append(("regions", ", ".join(plan.regions) if plan.regions else "all READY subscribed regions"))
    if plan.compartments:
        scope = ", ".join(plan.compartments) + (" (with sub-compartments)" if plan.subtree else " (only these)")
    else:
        scope = "the whole tenancy"
    rows += [("compartments", scope), ("query", plan.query)]
    rows.append(("options", ", ".join(sorted(shown.toggles)) or "none"))
    if not shown.toggled("no_enrich"):
        rows.append(("enrichment threads", str(plan.workers_enrich)))
    rows.append(("regions in parallel", str(plan.workers_region or "all")))
    rows.append(("output directory", plan.outdir))
    if plan.operation == INVENTORY:
        shown_prev = {None: "nothing", "latest": "the newest complete run"}.get(plan.prev, str(plan.prev))
        rows.append(("diff against", shown_prev))
    return rows


def _credentials(plan: Plan) -> str:
    if plan.auth in ("instance_principal", "resource_principal"):
        return plan.auth.replace("_", " ")
    return f"{plan.auth}, profile [{plan.profile}] in {plan.config_file}"
