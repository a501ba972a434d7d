"""Plan construction: starting answers from settings, the coverage plan, toggles, and that the saved settings, the
in-process run and the equivalent command line all mean the same run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from oci_inventory.config import SETTINGS_BY_NAME, resolve_settings
from oci_inventory.runner import options_from_settings
from oci_inventory.util.errors import ConfigError
from oci_inventory.wizard.plan import (
    COVERAGE,
    DIFF,
    PLAN_SETTINGS,
    Plan,
    available_toggles,
    build_coverage_plan,
    check_plan,
    command_lines,
    plan_from_settings,
    run_arguments,
    run_settings,
    settings_values,
)


def _defaults() -> Plan:
    return plan_from_settings(resolve_settings({}, env={}))


def test_pressing_enter_throughout_is_a_full_inventory_of_all_regions_into_out() -> None:
    plan = _defaults()
    assert plan == Plan()
    assert settings_values(plan) == {"auth": "auto", "profile": "DEFAULT", "outdir": "out"}
    assert command_lines(plan) == ["oci-inv run"]
    options = options_from_settings(run_settings(resolve_settings({}, env={}), plan))
    assert options.regions is None and options.compartments is None and not options.no_enrich
    assert options.outdir == Path("out") and options.prev is None


def test_the_starting_answers_are_the_resolved_settings() -> None:
    env = {"OCI_CLI_PROFILE": "PROD", "OCI_INV_REGIONS": "eu-frankfurt-1,us-ashburn-1", "OCI_INV_PARQUET": "1"}
    settings = resolve_settings({"compartments": ["/prod"], "no_subtree": True, "workers_enrich": 8}, env=env)
    plan = plan_from_settings(settings, operation=COVERAGE)
    assert plan.profile == "PROD" and plan.regions == ("eu-frankfurt-1", "us-ashburn-1")
    assert plan.compartments == ("/prod",) and plan.subtree is False and plan.workers_enrich == 8
    assert plan.toggles == {"parquet"} and plan.operation == COVERAGE


def test_the_coverage_plan_discovers_without_enrichment_or_extra_outputs() -> None:
    plan = replace(_defaults(), toggles=frozenset({"parquet", "include_terminated"}), prev="latest")
    coverage = build_coverage_plan(plan)
    assert coverage.operation == COVERAGE and coverage.prev is None
    assert coverage.toggles == {"no_enrich", "include_terminated"}
    saved = settings_values(replace(plan, operation=COVERAGE))
    assert saved["no_enrich"] is True and saved["include_terminated"] is True
    assert "parquet" not in saved and "prev" not in saved
    lines = command_lines(replace(plan, operation=COVERAGE))
    assert lines[0] == "oci-inv run --include-terminated --no-enrich"
    assert lines[1].startswith("oci-inv enrich-coverage --inventory ")


def test_toggles_compartments_and_workers_become_settings_and_flags() -> None:
    plan = replace(
        _defaults(),
        regions=("us-ashburn-1",),
        compartments=("/prod/network", "/shared it"),
        subtree=False,
        query="query instance resources",
        toggles=frozenset({"parquet", "include_terminated"}),
        workers_enrich=6,
        workers_region=2,
        outdir="inventories",
        prev="latest",
    )
    saved = settings_values(plan)
    assert saved == {
        "auth": "auto",
        "profile": "DEFAULT",
        "outdir": "inventories",
        "regions": ["us-ashburn-1"],
        "compartments": ["/prod/network", "/shared it"],
        "no_subtree": True,
        "query": "query instance resources",
        "include_terminated": True,
        "parquet": True,
        "prev": "latest",
        "workers_region": 2,
        "workers_enrich": 6,
    }
    assert "--compartment '/shared it'" in command_lines(plan)[0]


@pytest.mark.parametrize(
    "plan",
    [
        Plan(),
        Plan(profile="PROD", config_file="/etc/oci/config", regions=("ap-tokyo-1", "eu-frankfurt-1")),
        Plan(compartments=("/a", "ocid1.compartment.oc1..b"), subtree=False, toggles=frozenset({"no_enrich"})),
        Plan(operation=COVERAGE, query="query vcn resources", workers_region=1, outdir="o u t"),
        Plan(endpoint_template="http://127.0.0.1:8080/{service}/{region}", prev="out/20261128T120000Z"),
    ],
)
def test_the_command_line_means_the_same_run_as_the_wizard(plan: Plan) -> None:
    """Parse the equivalent command line with the real ``run`` command: the settings equal the in-process run's."""
    from oci_inventory.cli import run_command

    args = run_arguments(plan)
    params = run_command.make_context("run", list(args)).params
    params["compartments"] = list(params.get("compartments") or []) or None
    params = {k: v for k, v in params.items() if k in SETTINGS_BY_NAME}
    from_flags = resolve_settings(params, env={})
    in_process = run_settings(resolve_settings({}, env={}), plan)
    for name in (*PLAN_SETTINGS, "no_enrich", "parquet", "include_terminated"):
        assert from_flags.get(name) == in_process.get(name), name


def test_run_settings_keep_other_settings_and_name_the_wizard_as_source() -> None:
    base = resolve_settings({}, env={"OCI_INV_READ_TIMEOUT": "5"})
    settings = run_settings(base, replace(_defaults(), regions=("us-ashburn-1",)))
    assert settings.read_timeout == 5.0 and settings.sources["read_timeout"] == "env OCI_INV_READ_TIMEOUT"
    assert settings.regions == ["us-ashburn-1"] and settings.sources["regions"] == "wizard"
    assert settings.sources["profile"] == "default"


def test_toggles_offered_are_those_this_oci_inv_has() -> None:
    offered = available_toggles(genai_configured=False)
    assert {"include_terminated", "parquet", "no_enrich", "no_graph"} <= set(offered)
    assert "genai_summary" not in offered
    assert ("genai_summary" in available_toggles(genai_configured=True)) == ("genai_summary" in SETTINGS_BY_NAME)


def test_the_no_graph_toggle_is_a_run_flag() -> None:
    plan = replace(_defaults(), toggles=frozenset({"no_graph"}))
    assert "--no-graph" in command_lines(plan)[0].split()
    assert settings_values(plan)["no_graph"] is True
    assert "no_graph" not in settings_values(_defaults())  # the default (a graph) is not saved


def test_a_diff_plan_and_checks() -> None:
    diff = Plan(operation=DIFF, prev="out/20261127T120000Z", curr="out/20261128T120000Z")
    assert command_lines(diff) == ["oci-inv diff --prev out/20261127T120000Z --curr out/20261128T120000Z"]
    check_plan(diff)
    with pytest.raises(ConfigError, match="needs two runs"):
        check_plan(Plan(operation=DIFF, prev="a"))
    with pytest.raises(ConfigError, match="unknown wizard operation"):
        check_plan(Plan(operation="nope"))
    with pytest.raises(ConfigError, match="no region"):
        check_plan(Plan(regions=()))
