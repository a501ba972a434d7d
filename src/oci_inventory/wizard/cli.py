"""``oci-inv wizard``: the prompts (questionary), step by step, each with a default so that Enter throughout runs a
full inventory of all regions with the detected credentials into ``./out``.

Steps: authentication method and profile (checked live: the tenancy name is shown), operation, regions,
compartments, query, options, workers, output directory, previous run for a diff; then a review of the plan with
the equivalent command line, and: run now, save the plan, both, change the answers, or quit. Ctrl-C at any prompt
is exit 130 with nothing written. OCI names are shown as plain text (``visible``), never as markup.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from oci_inventory.config import AUTH_METHODS, Settings
from oci_inventory.util.errors import OciInvError, UsageError
from oci_inventory.util.text import visible
from oci_inventory.wizard.plan import (
    COVERAGE,
    DIFF,
    INVENTORY,
    OPERATIONS,
    Plan,
    available_toggles,
    command_lines,
    describe,
    plan_from_settings,
    run_settings,
)

NO_TTY_HINT = "use 'oci-inv run' with flags, or 'oci-inv run --config plan.yaml' for a saved plan"
DEFAULT_PLAN_FILE = "oci-inv-plan.yaml"
AUTH_LABELS = {
    "auto": "auto: the OCI config profile if there is one, else instance/resource principal",
    "api_key": "API key (OCI config profile)",
    "security_token": "session token (oci session authenticate)",
    "instance_principal": "instance principal (on an OCI compute instance)",
    "resource_principal": "resource principal (OCI Functions, jobs)",
}
PROFILE_AUTH = ("auto", "api_key", "security_token")
NO_DIFF, LATEST = "none", "latest"
ACTIONS = {
    "run": "Run now",
    "save": "Save the plan (run it later with oci-inv run --config)",
    "both": "Save the plan and run now",
    "change": "Change the answers",
    "quit": "Quit without running or saving",
}


def main(
    flags: dict[str, Any],
    plan_file: str | None,
    *,
    settings_of: Callable[..., Any],
    make_factory: Callable[[Any], Any],
) -> int:
    """The ``wizard`` command: no terminal on stdin is exit 2; ``--plan`` is read like ``--config``."""
    from oci_inventory.wizard.config_file import PlanMeta, read_meta

    if not sys.stdin.isatty():
        raise UsageError("the wizard needs a terminal on stdin", hint=NO_TTY_HINT)
    meta = PlanMeta()
    plan_path: Path | None = None
    if plan_file:
        plan_path = Path(plan_file).expanduser()
        config = flags.get("config")
        if config and Path(config).expanduser() != plan_path:
            raise UsageError(
                "--plan and --config name different files", hint="a saved plan is a settings file: pass one"
            )
        meta = read_meta(plan_path)
        flags["config"] = str(plan_path)
    settings: Settings = settings_of(**flags)
    start = plan_from_settings(settings, operation=meta.operation, curr=meta.curr)
    return Wizard(settings, make_factory, Prompts()).run(start, plan_path)


class Prompts:
    """The questionary prompts used, typed. ``unsafe_ask`` lets Ctrl-C raise KeyboardInterrupt (exit 130)."""

    def __init__(self) -> None:
        import questionary

        self.q = questionary
        self.kwargs: dict[str, Any] = {}
        if not sys.stdout.isatty() and sys.stderr.isatty():  # stdout piped: the prompts go to the terminal
            from prompt_toolkit.output import create_output

            self.kwargs["output"] = create_output(stdout=sys.stderr)

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        items = [self.q.Choice(visible(title), value) for value, title in choices]
        return str(self.q.select(message, choices=items, default=default, **self.kwargs).unsafe_ask())

    def checkbox(
        self,
        message: str,
        choices: Sequence[tuple[str, str]],
        checked: set[str],
        validate: Callable[[list[str]], bool | str],
    ) -> list[str]:
        items = [self.q.Choice(visible(title), value, checked=value in checked) for value, title in choices]
        search = len(items) > 15  # type to filter a long list (a compartment tree)
        question = self.q.checkbox(
            message,
            choices=items,
            validate=validate,
            use_search_filter=search,
            use_jk_keys=not search,
            instruction="(space to toggle, a for all, Enter to accept" + (", type to filter)" if search else ")"),
            **self.kwargs,
        )
        return [str(value) for value in question.unsafe_ask()]

    def text(self, message: str, default: str, validate: Callable[[str], bool | str] | None = None) -> str:
        question = self.q.text(message, default=default, validate=validate or (lambda _: True), **self.kwargs)
        return str(question.unsafe_ask()).strip()

    def confirm(self, message: str, default: bool) -> bool:
        return bool(self.q.confirm(message, default=default, **self.kwargs).unsafe_ask())


def _say(text: str, style: str = "") -> None:
    from rich.console import Console
    from rich.text import Text

    Console(stderr=True, highlight=False, soft_wrap=True).print(Text(text, style=style))


def _positive(text: str, *, allow_all: bool = False) -> bool | str:
    value = text.strip().lower()
    if allow_all and value == "all":
        return True
    if value.isdigit() and int(value) >= 1:
        return True
    return "a whole number of at least 1" + (", or all" if allow_all else "")


class Wizard:
    """The steps. ``factory``/``subscriptions``/``tenancy_id`` are set by the sign-in step."""

    def __init__(self, settings: Settings, make_factory: Callable[[Any], Any], prompts: Prompts) -> None:
        self.settings = settings
        self.make_factory = make_factory
        self.ask = prompts
        self.factory: Any = None
        self.ready_regions: list[str] = []
        self.home_region = ""
        self.tenancy_id = ""

    def run(self, plan: Plan, plan_path: Path | None) -> int:
        from oci_inventory.wizard.runner import execute_plan

        plan = self.sign_in(plan)
        while True:
            plan = self.choose(plan)
            action = self.review(plan, plan_path)
            if action != "change":
                break
        if action == "quit":
            _say("nothing was run or saved")
            return 0
        if action in ("save", "both"):
            plan_path = self.save(plan, plan_path)
        if action in ("run", "both"):
            return execute_plan(plan, self.settings, self.make_factory)
        return 0

    # -- credentials -------------------------------------------------------------------------------------------

    def sign_in(self, plan: Plan) -> Plan:
        """Auth method and profile, then a live check (tenancy name, home region, subscribed regions); on failure
        the one-line reason and another try (or the error itself, when the user declines)."""
        from oci_inventory.identity import auth_summary
        from oci_inventory.oci.regions import list_subscriptions

        while True:
            plan = self.ask_credentials(plan)
            try:
                self.factory = self.make_factory(run_settings(self.settings, plan))
                info = auth_summary(self.factory)
                subscriptions = list_subscriptions(self.factory)
            except Exception as exc:
                from oci_inventory.preflight import failure_line

                _say(f"sign-in failed: {failure_line(exc)[0]}", "red")
                if not self.ask.confirm("Try another authentication method or profile?", default=True):
                    raise
                continue
            self.tenancy_id = str(info["tenancy_id"])
            self.home_region = str(info["home_region"])
            self.ready_regions = sorted(r.name for r in subscriptions if r.status == "READY")
            _say(
                f"Signed in to tenancy {visible(str(info['tenancy_name']))} (home region {self.home_region}, "
                f"{len(self.ready_regions)} subscribed regions ready) as {visible(str(info['principal']))}",
                "green",
            )
            return plan

    def ask_credentials(self, plan: Plan) -> Plan:
        from oci_inventory.preflight import oci_profiles

        default_auth = plan.auth if plan.auth in AUTH_METHODS else "auto"
        auth = self.ask.select("Authentication method", [(m, AUTH_LABELS[m]) for m in AUTH_METHODS], default_auth)
        config_file, profile = plan.config_file, plan.profile
        if auth in PROFILE_AUTH:
            if not Path(config_file).expanduser().is_file() and auth != "auto":
                config_file = self.ask.text(
                    "OCI config file",
                    config_file,
                    lambda p: Path(p).expanduser().is_file() or f"{p} does not exist",
                )
            path = Path(config_file).expanduser()
            profiles = oci_profiles(path) if path.is_file() else []
            if profiles:
                labels = [(name, _profile_label(path, name)) for name in profiles]
                profile = self.ask.select("Profile", labels, profile if profile in profiles else profiles[0])
        return replace(plan, auth=auth, config_file=config_file, profile=profile)

    # -- what to run -------------------------------------------------------------------------------------------

    def choose(self, plan: Plan) -> Plan:
        while True:
            operation = self.ask.select("What to run", list(OPERATIONS.items()), plan.operation)
            plan = replace(plan, operation=operation)
            if operation != DIFF:
                return self.choose_run(plan)
            chosen = self.choose_diff(plan)
            if chosen is not None:
                return chosen

    def choose_run(self, plan: Plan) -> Plan:
        plan = replace(plan, regions=self.ask_regions(plan))
        plan = self.ask_compartments(plan)
        query = self.ask.text("Search query", plan.query, lambda q: bool(q.strip()) or "a query is needed")
        plan = replace(plan, query=query)
        plan = replace(plan, toggles=self.ask_toggles(plan))
        if plan.operation == INVENTORY and not plan.toggled("no_enrich"):
            threads = self.ask.text("Enrichment threads", str(plan.workers_enrich), _positive)
            plan = replace(plan, workers_enrich=int(threads))
        parallel = self.ask.text(
            "Regions searched in parallel", str(plan.workers_region or "all"), lambda t: _positive(t, allow_all=True)
        )
        plan = replace(plan, workers_region=None if parallel.lower() == "all" else int(parallel))
        plan = replace(plan, outdir=self.ask_outdir(plan.outdir))
        if plan.operation == INVENTORY:
            plan = replace(plan, prev=self.ask_previous(plan))
        return plan

    def ask_regions(self, plan: Plan) -> tuple[str, ...] | None:
        ready = self.ready_regions
        checked = set(plan.regions or ready) & set(ready) or set(ready)
        labels = [(r, f"{r} (home)" if r == self.home_region else r) for r in ready]
        picked = self.ask.checkbox("Regions", labels, checked, lambda p: bool(p) or "choose at least one region")
        return None if set(picked) == set(ready) else tuple(sorted(picked))

    def ask_compartments(self, plan: Plan) -> Plan:
        from oci_inventory.oci.compartments import fetch_compartments

        choices = [("all", "The whole tenancy"), ("pick", "Choose compartments from the tree")]
        scope = self.ask.select("Compartments", choices, "pick" if plan.compartments else "all")
        if scope == "all":
            return replace(plan, compartments=None, subtree=True)
        try:
            tree = fetch_compartments(self.factory, self.tenancy_id)
        except Exception as exc:
            from oci_inventory.preflight import failure_line

            _say(f"cannot list the compartments ({failure_line(exc)[0]}); the whole tenancy is inventoried", "yellow")
            return replace(plan, compartments=None, subtree=True)
        live = sorted(
            (c for c in tree.compartments if c.lifecycle_state != "DELETED" and c.path), key=lambda c: str(c.path)
        )
        by_key = {key: str(c.path) for c in live for key in (c.path, c.id)}
        checked = {by_key[k] for k in plan.compartments or () if k in by_key}
        paths = [(str(c.path), str(c.path)) for c in live]
        if not paths:
            _say("the tenancy has no compartments below the root; the whole tenancy is inventoried", "yellow")
            return replace(plan, compartments=None, subtree=True)
        picked = self.ask.checkbox("Compartments (by path)", paths, checked, lambda p: bool(p) or "choose one")
        subtree = self.ask.confirm("Include their sub-compartments?", default=plan.subtree)
        return replace(plan, compartments=tuple(sorted(picked)), subtree=subtree)

    def ask_toggles(self, plan: Plan) -> frozenset[str]:
        from oci_inventory.preflight import genai_configured

        offered = available_toggles(genai_configured=genai_configured(os.environ))
        if plan.operation == COVERAGE:  # the coverage plan decides the rest (no enrichment, no extra outputs)
            offered = {k: v for k, v in offered.items() if k == "include_terminated"}
        if not offered:
            return plan.toggles

        def check(picked: list[str]) -> bool | str:
            from importlib.util import find_spec

            if "parquet" in picked and find_spec("pyarrow") is None:
                return "Parquet needs pyarrow: pip install 'oci-inventory[parquet]' (or leave it off)"
            return True

        picked = self.ask.checkbox("Options", list(offered.items()), set(plan.toggles) & set(offered), check)
        return frozenset(picked) | (plan.toggles - set(offered))

    def ask_outdir(self, default: str) -> str:
        def check(text: str) -> bool | str:
            path = Path(text.strip() or ".").expanduser()
            return not (path.exists() and not path.is_dir()) or f"{text} exists and is not a directory"

        return self.ask.text("Output directory", default, check) or default

    def ask_previous(self, plan: Plan) -> str | None:
        from oci_inventory.wizard.runner import runs_in

        runs = [r for r in runs_in(Path(plan.outdir).expanduser()) if r.status == "complete"]
        choices = [(NO_DIFF, "No diff"), (LATEST, "The newest complete run at run time (latest)")]
        choices += [(str(r.path), r.label) for r in runs]
        values = {value for value, _ in choices}
        default = plan.prev if plan.prev in values else NO_DIFF
        answer = self.ask.select("Compare with a previous run", choices, default)
        return None if answer == NO_DIFF else answer

    def choose_diff(self, plan: Plan) -> Plan | None:
        """The two runs of a diff, from the output directory; None (back to the operation) if it has fewer."""
        from oci_inventory.wizard.runner import runs_in

        outdir = self.ask_outdir(plan.outdir)
        runs = [r for r in runs_in(Path(outdir).expanduser()) if r.status in ("complete", "partial")]
        if len(runs) < 2:
            _say(f"{outdir} holds {len(runs)} run(s); a diff needs two: choose another operation", "yellow")
            return None
        later = [(str(r.path), r.label) for r in runs]
        curr = self.ask.select("Later run", later, plan.curr if plan.curr in dict(later) else later[0][0])
        earlier = [(value, label) for value, label in later if value != curr]
        newer = next((r for r in runs if str(r.path) == curr), None)
        older = [v for v, _ in earlier if newer is None or Path(v).name < newer.path.name]
        default_prev = plan.prev if plan.prev in dict(earlier) else (older[0] if older else earlier[0][0])
        prev = self.ask.select("Earlier run", earlier, default_prev)
        return replace(plan, outdir=outdir, prev=prev, curr=curr)

    # -- review, save ------------------------------------------------------------------------------------------

    def review(self, plan: Plan, plan_path: Path | None) -> str:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text("The plan"), show_header=False)
        table.add_column("what", style="bold")
        table.add_column("answer")
        for what, answer in describe(plan):
            table.add_row(Text(what), Text(visible(answer)))
        console = Console(stderr=True, highlight=False)
        console.print(table)
        console.print(Text("Equivalent command line:", style="bold"))
        for line in command_lines(plan):
            console.print(Text(visible(line)), soft_wrap=True)
        return self.ask.select("Now", list(ACTIONS.items()), "run")

    def save(self, plan: Plan, plan_path: Path | None) -> Path:
        from oci_inventory.wizard.config_file import save_plan

        default = str(plan_path) if plan_path is not None else DEFAULT_PLAN_FILE
        while True:
            answer = self.ask.text("Save the plan as", default, lambda t: bool(t.strip()) or "a file name is needed")
            path = Path(answer).expanduser()
            if not path.parent.is_dir():
                _say(f"{path.parent} is not a directory", "red")
                continue
            if path.exists() and path != plan_path and not self.ask.confirm(f"{path} exists; replace it?", False):
                continue
            save_plan(plan, path)
            _say(f"plan saved to {path}; run it again with: oci-inv run --config {path}", "green")
            return path


def _profile_label(path: Path, profile: str) -> str:
    """``PROD  (region eu-frankfurt-1, tenancy …abcd)`` from the OCI config file, without signing in."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        section = parser.defaults() if profile == "DEFAULT" else parser[profile]
    except (configparser.Error, KeyError, OSError, UnicodeDecodeError):
        return profile
    region = section.get("region") or "?"
    tenancy = section.get("tenancy") or ""
    kind = "session token" if section.get("security_token_file") else "API key"
    if section.get("delegation_token_file"):
        kind = "delegation token"
    return f"{profile}  ({kind}, region {region}, tenancy …{tenancy[-8:]})" if tenancy else f"{profile}  ({kind})"


__all__ = ["OciInvError", "Wizard", "main"]
