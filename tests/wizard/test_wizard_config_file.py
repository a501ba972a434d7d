"""Saved plans: an ordinary settings file that round-trips, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from oci_inventory.config import load_config_file, resolve_settings
from oci_inventory.util.errors import ConfigError
from oci_inventory.wizard.config_file import PlanMeta, dump_plan, read_meta, save_plan
from oci_inventory.wizard.plan import COVERAGE, DIFF, Plan, plan_from_settings


@pytest.mark.parametrize(
    "plan",
    [
        Plan(),
        Plan(
            profile="PROD",
            config_file="/etc/oci/config",
            endpoint_template="http://127.0.0.1:8080/{service}/{region}",
            regions=("ap-tokyo-1", "eu-frankfurt-1"),
            compartments=("/prod/net work", "ocid1.compartment.oc1..b"),
            subtree=False,
            query="query instance resources where displayName = 'a: b'",
            toggles=frozenset({"parquet", "include_terminated"}),
            workers_enrich=6,
            workers_region=2,
            outdir="inventories",
            prev="latest",
        ),
        Plan(operation=COVERAGE, toggles=frozenset({"no_enrich", "include_terminated"})),
        Plan(operation=DIFF, outdir="o", prev="o/20261127T120000Z", curr="o/20261128T120000Z"),
    ],
)
def test_a_saved_plan_round_trips(plan: Plan, tmp_path: Path) -> None:
    path = save_plan(plan, tmp_path / "plan.yaml")
    meta = read_meta(path)
    assert meta == PlanMeta(plan.operation, plan.curr)
    reopened = plan_from_settings(
        resolve_settings({}, config_path=str(path), env={}), operation=meta.operation, curr=meta.curr
    )
    assert reopened == plan
    text = path.read_text()
    assert f"# run it:     oci-inv run --config {path}" in text and f"oci-inv wizard --plan {path}" in text


def test_a_saved_plan_is_an_ordinary_settings_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = save_plan(Plan(regions=("us-ashburn-1",), toggles=frozenset({"no_enrich"})), tmp_path / "plan.yaml")
    assert load_config_file(path) == {
        "auth": "auto",
        "profile": "DEFAULT",
        "outdir": "out",
        "regions": ["us-ashburn-1"],
        "no_enrich": True,
    }
    result = cli("config", "show", "--config", str(path), "--format", "json")
    assert result.code == 0 and f"file {path}" in result.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("regions: [us-ashburn-1]\nnot_a_setting: 1\n", r"unknown key 'not_a_setting' in config file"),
        ("workers_enrich: many\n", r"invalid value 'many' for key 'workers_enrich'"),
        ("regions: [unclosed\n", r"is not valid YAML or JSON at line"),
        (
            "[DEFAULT]\nuser = ocid1.user\nregion = us-ashburn-1\n",
            r"is an OCI config file, not an oci-inv settings file",
        ),
        ("# wizard: operation=launch\noutdir: out\n", r"unknown operation 'launch' on the '# wizard:' line"),
        ("# wizard: operation\noutdir: out\n", r"cannot read the '# wizard:' line"),
    ],
)
def test_bad_plan_files_give_one_clear_error(content: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        read_meta(path)


def test_a_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_meta(tmp_path / "nope.yaml")


def test_a_plain_settings_file_opens_as_a_full_inventory(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("outdir: inventories\n")
    assert read_meta(path) == PlanMeta()
    assert dump_plan(Plan()).startswith("# oci-inv plan written by 'oci-inv wizard'")


def test_saving_is_atomic_and_replaces_the_old_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    save_plan(Plan(outdir="a"), path)
    save_plan(Plan(outdir="b"), path)
    assert load_config_file(path)["outdir"] == "b"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"], "no temporary file left"
