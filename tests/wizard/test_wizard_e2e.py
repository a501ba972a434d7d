"""The wizard end to end on a pseudo-terminal against the emulator: keys typed, a finished run, a saved plan that
runs again with ``oci-inv run --config``; Ctrl-C is exit 130 with nothing written; no terminal is exit 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.integration.helpers import summary
from tests.wizard.terminal import CTRL_C, DOWN, ENTER, Terminal

RUN_LINE = re.compile(r"^(out/\d{8}T\d{6}Z)\s*$", re.M)


def _env(tenancy, home: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_INV_", "OCI_CLI_"))}
    env.update(
        HOME=str(home),
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",  # no cursor-position request left unanswered
        OCI_CLI_CONFIG_FILE=str(tenancy.config_file),
        OCI_INV_ENDPOINT_TEMPLATE=tenancy.emu.endpoint_template,
        OCI_INV_NO_ENRICH="1",  # a starting answer: the Options step shows it ticked (keeps the test fast)
    )
    return env


def _wizard(tenancy, cwd: Path, *args: str) -> Terminal:  # type: ignore[no-untyped-def]
    return Terminal([sys.executable, "-m", "oci_inventory", "wizard", *args], _env(tenancy, cwd / "home"), cwd)


def test_the_wizard_runs_and_saves_a_plan_that_runs_again(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    term = _wizard(shared_tenancy, tmp_path)
    term.answer("Authentication method")
    term.answer("Profile")
    term.expect("Signed in to tenancy emulated-tenancy")
    term.answer("What to run")
    term.answer("Regions", " " + ENTER)  # untick the first region (ap-tokyo-1), keep the others
    term.answer("Compartments")
    term.answer("Search query")
    term.answer("Options")
    term.answer("Regions searched in parallel")
    term.answer("Output directory")
    term.answer("Compare with a previous run")
    screen = term.expect("Equivalent command line:")
    assert "eu-frankfurt-1, us-ashburn-1" in screen and "the whole tenancy" in screen
    term.expect("oci-inv run ")
    term.answer("Now", DOWN + DOWN + ENTER)  # save the plan and run now
    term.answer("Save the plan as")
    term.expect("plan saved to oci-inv-plan.yaml")
    assert term.wait() == 0, term.text[-3000:]

    (name,) = RUN_LINE.findall(term.text)
    run = tmp_path / name
    assert (run / "inventory.jsonl").is_file() and (run / "run.log").is_file()
    figures = summary(run)
    assert figures["status"] == "complete" and [r["region"] for r in figures["regions"]] == [
        "eu-frankfurt-1",
        "us-ashburn-1",
    ]
    assert figures["flags"]["no_enrich"] is True

    plan = tmp_path / "oci-inv-plan.yaml"
    text = plan.read_text()
    assert "# wizard: operation=inventory" in text and "- eu-frankfurt-1" in text and "no_enrich: true" in text
    again = cli("run", "--config", str(plan), "--outdir", str(tmp_path / "again"), "--quiet")
    assert again.code == 0, again.err
    second = json.loads((Path(again.out.strip().splitlines()[-1]) / "run_summary.json").read_text())
    assert second["total_discovered"] == figures["total_discovered"]


def test_ctrl_c_at_a_prompt_is_exit_130_and_nothing_is_written(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.yaml"
    plan.write_text("# wizard: operation=coverage\noutdir: out\n")
    term = _wizard(shared_tenancy, tmp_path, "--plan", str(plan))
    term.answer("Authentication method")
    term.answer("Profile")
    term.expect("What to run")
    screen = term.expect("Diff of two earlier runs")
    assert "» Coverage scan only" in screen, "the saved plan's operation is the default"
    term.send(CTRL_C)
    assert term.wait() == 130
    assert "interrupted" in term.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]
    assert plan.read_text() == "# wizard: operation=coverage\noutdir: out\n"


def test_without_a_terminal_the_wizard_says_to_use_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oci_inventory", "wizard"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("oci-inv: error: the wizard needs a terminal on stdin")
    assert "oci-inv run" in line and "--config" in line
