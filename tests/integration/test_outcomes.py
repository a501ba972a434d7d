"""How runs end: partial (a region down), interrupted, and every bad input as exit 2 with one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oci_inventory.export.rundir import find_runs
from tests.integration.helpers import expected_ocids, records, run_dir, summary


def test_region_down_is_exit_4_with_the_other_regions_complete(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "2")
    tenancy.emu.faults.configure(down_regions={"eu-frankfurt-1"})
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 4, result.err
    assert "eu-frankfurt-1" in result.err and "503" in result.err and "Traceback" not in result.err
    directory = run_dir(result.out)
    regions = {r["region"]: r for r in summary(directory)["regions"]}
    assert (
        regions["eu-frankfurt-1"]["status"] == "failed" and "ServiceUnavailable" in regions["eu-frankfurt-1"]["error"]
    )
    assert regions["us-ashburn-1"]["status"] == regions["ap-tokyo-1"]["status"] == "ok"
    expected = expected_ocids(tenancy.emu.model, ["us-ashburn-1", "ap-tokyo-1"])
    assert {r["ocid"] for r in records(directory)} == expected


def test_throttling_and_server_errors_are_survived(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.configure(error_rate=0.15, seed=4, retry_after_s=0)
    tenancy.emu.faults.fail_next(3, status=429, retry_after=0, service="query")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    all_regions = ["us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1"]
    assert {r["ocid"] for r in records(directory)} == expected_ocids(tenancy.emu.model, all_regions)
    retries = summary(directory)["api_retries"]
    assert retries["throttled"] >= 3 and retries["server_errors"] > 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_no_finished_looking_directory(tenancy, tmp_path: Path, signum: int) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.configure(latency_ms=1000)  # every call takes 1 s: the run is still busy when signalled
    out = tmp_path / "out"
    earlier = out / "20200101T000000Z"
    earlier.mkdir(parents=True)
    (earlier / "inventory.jsonl").write_text("{}\n")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oci_inventory", "run", *tenancy.args, "--outdir", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(e.operation == "SearchResources" for e in tenancy.emu.journal.entries()):
        assert proc.poll() is None and time.monotonic() < deadline, "the run did not start searching"
        time.sleep(0.02)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert find_runs(out) == [earlier], "only the earlier run is there"
    assert (earlier / "inventory.jsonl").read_text() == "{}\n"
    assert [p.name for p in out.iterdir()] == [earlier.name], "no partial directory left behind"
    assert stdout.strip() == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--bogus-flag"], "No such option"),
        (["--regions", "mars-north-1"], "mars-north-1"),
        (["--workers-enrich", "many"], "many"),
        (["--workers-enrich", "0"], "at least 1"),
        (["--prev", "/nonexistent/run"], "/nonexistent/run"),
        (["--compartment", "ocid1.compartment.oc1..nosuch"], "ocid1.compartment.oc1..nosuch"),
        (["--query", "find me everything"], "query"),
    ],
)
def test_bad_input_is_exit_2_with_one_clear_line(
    cli, shared_tenancy, tmp_path: Path, args: list[str], needle: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path / "o"), "--quiet", *args)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.err
    assert find_runs(tmp_path / "o") == []


def test_bad_region_lists_the_subscribed_ones(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--regions", "us-ashburn-1,xx-nowhere-1")
    assert result.code == 2
    assert "ap-tokyo-1, eu-frankfurt-1, us-ashburn-1" in result.err


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("this is not json\n", 1),
        ('{"ocid": "a"}\n{"ocid": "b"}\n[1, 2]\n', 3),
        ('{"ocid": "a"}\n{"ocid": "b"}\n{"ocid": "b"}\n', 3),
        ('{"ocid": "b"}\n{"ocid": "a"}\n{"resourceType": "Vcn"}\n', 3),
    ],
)
def test_malformed_prev_names_file_and_line_before_any_api_call(
    cli, shared_tenancy, tmp_path: Path, content: str, line: int
) -> None:  # type: ignore[no-untyped-def]
    prev = tmp_path / "inventory.jsonl"
    prev.write_text(content)
    shared_tenancy.emu.journal.clear()
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path / "o"), "--prev", str(prev))
    assert result.code == 2 and f"{prev}:{line}" in result.err and len(result.err.strip().splitlines()) == 1
    assert shared_tenancy.emu.journal.entries() == [], "rejected before any API call"


def test_bad_config_value_is_exit_2(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "settings.yaml"
    cfg.write_text("include_terminated: sometimes\n")
    result = cli("run", *shared_tenancy.args, "--config", str(cfg))
    assert result.code == 2 and "include_terminated" in result.err and str(cfg) in result.err
    cfg.write_text("colour: blue\n")
    result = cli("run", *shared_tenancy.args, "--config", str(cfg))
    assert result.code == 2 and "colour" in result.err and str(cfg) in result.err


def test_unreachable_endpoint_is_exit_5_in_one_line(
    cli, shared_tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "1")
    args = [
        "--config-file",
        str(shared_tenancy.config_file),
        "--endpoint-template",
        "http://127.0.0.1:9/{service}/{region}",
    ]
    result = cli("validate-auth", *args)
    assert result.code == 5 and len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert "cannot reach" in result.err


def test_debug_shows_the_traceback(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *shared_tenancy.args, "--profile", "NOPE", "--debug")
    assert result.code == 3 and "Traceback" in result.err
