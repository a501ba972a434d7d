"""Exit codes say what happened: 3 refused, 5 OCI unavailable, 4 only with a completed region, 2 for the
environment, 1 never for any of these. Every case runs the real CLI against the emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oci_inventory.export.rundir import find_runs
from tests.integration.helpers import expected_ocids, records, run_dir, summary

REGIONS = ["us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1"]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def nothing_written(outdir: Path) -> None:
    assert not outdir.exists() or list(outdir.iterdir()) == [], "no run and no partial directory"


# -- no region completed: 3 or 5, nothing committed -------------------------------------------------------------


def test_all_regions_down_is_exit_5_and_nothing_is_committed(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "2")
    tenancy.emu.faults.configure(down_regions=set(REGIONS[1:]))  # the home region's identity calls still work
    tenancy.emu.faults.fail_next(1000, status=503, code="ServiceUnavailable", service="query", region=REGIONS[0])
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 5, result.err
    line = one_line(result.err)
    assert "no region completed" in line and all(f"{r}: 503 ServiceUnavailable" in line for r in REGIONS)
    assert result.out == ""
    nothing_written(tmp_path / "out")


def test_all_regions_refusing_search_is_exit_3(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.fail_next(1000, status=404, code="NotAuthorizedOrNotFound", service="query")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 3, result.err
    line = one_line(result.err)
    assert all(f"{r}: 404 NotAuthorizedOrNotFound" in line for r in REGIONS) and "inspect all-resources" in line
    assert result.out == ""
    nothing_written(tmp_path / "out")


def test_one_region_refused_and_the_others_down_is_exit_5(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "1")
    tenancy.emu.faults.configure(down_regions=set(REGIONS[1:]))
    tenancy.emu.faults.fail_next(10, status=401, code="NotAuthenticated", service="query", region=REGIONS[0])
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 5 and "us-ashburn-1: 401 NotAuthenticated" in one_line(result.err)


def test_one_region_refused_is_partial_exit_4(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.fail_next(10, status=404, code="NotAuthorizedOrNotFound", service="query", region="ap-tokyo-1")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 4, result.err
    regions = {r["region"]: r["status"] for r in summary(run_dir(result.out))["regions"]}
    assert regions == {"ap-tokyo-1": "failed", "eu-frankfurt-1": "ok", "us-ashburn-1": "ok"}


# -- start-up: OCI unavailable is 5 ------------------------------------------------------------------------------


def test_5xx_surviving_retries_at_start_up_is_exit_5(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "2")
    tenancy.emu.faults.fail_next(10, status=503, code="ServiceUnavailable", service="identity")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"))
    assert result.code == 5 and "503 ServiceUnavailable" in one_line(result.err)
    nothing_written(tmp_path / "out")


@pytest.mark.parametrize("command", ["run", "list-regions", "list-compartments"])
def test_refused_connection_at_start_up_is_exit_5(
    cli, shared_tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "1")
    endpoint = ["--endpoint-template", "http://127.0.0.1:9/{service}/{region}"]
    extra = ["--outdir", str(tmp_path / "out")] if command == "run" else []
    result = cli(command, "--config-file", str(shared_tenancy.config_file), *endpoint, *extra)
    assert result.code == 5 and "cannot reach the OCI endpoint" in one_line(result.err)


# -- a 400 on a later page restarts the region's listing once ----------------------------------------------------


@pytest.fixture
def paged_tenancy(tmp_path: Path):  # type: ignore[no-untyped-def]
    from oci_emulator import Emulator

    with Emulator(seed=3, size=2600, regions=("us-phoenix-1", "eu-frankfurt-1")).start() as emu:
        cfg = emu.write_oci_config(tmp_path / "emu")
        # one page chain per region (a sharded region restarts each shard: tests/integration/test_discovery_scale.py)
        args = ["--config-file", str(cfg), "--endpoint-template", emu.endpoint_template, "--quiet"]
        yield emu, [*args, "--search-shards", "off"]


def test_400_on_a_later_page_restarts_the_listing_and_counts_stay_right(cli, paged_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu, args = paged_tenancy
    clean = cli("run", *args, "--outdir", str(tmp_path / "clean"))
    assert clean.code == 0, clean.err
    emu.journal.clear()
    emu.faults.fail_next(
        1, status=400, code="InvalidParameter", service="query", region="us-phoenix-1", paged_only=True
    )
    result = cli("run", *args, "--outdir", str(tmp_path / "retried"))
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    ocids = [r["ocid"] for r in records(directory)]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected_ocids(emu.model, ["us-phoenix-1", "eu-frankfurt-1"])
    before, after = summary(run_dir(clean.out)), summary(directory)
    for key in ("duplicates_merged", "total_discovered", "terminated_dropped"):
        assert after[key] == before[key], key
    assert [(r["region"], r["records"], r["pages"]) for r in after["regions"]] == [
        (r["region"], r["records"], r["pages"]) for r in before["regions"]
    ]
    phoenix = [e for e in emu.journal.entries() if e.operation == "SearchResources" and e.region == "us-phoenix-1"]
    assert [e.status for e in phoenix].count(400) == 1 and sum("page=" not in e.path for e in phoenix) == 2


def test_400_on_a_later_page_twice_fails_only_that_region(cli, paged_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu, args = paged_tenancy
    emu.faults.fail_next(
        2, status=400, code="InvalidParameter", service="query", region="us-phoenix-1", paged_only=True
    )
    result = cli("run", *args, "--outdir", str(tmp_path / "out"))
    assert result.code == 4, result.err
    assert "rejected the query" not in result.err and "us-phoenix-1" in result.err
    regions = {r["region"]: r for r in summary(run_dir(result.out))["regions"]}
    assert regions["eu-frankfurt-1"]["status"] == "ok" and regions["us-phoenix-1"]["status"] == "failed"
    assert (
        "400 InvalidParameter" in regions["us-phoenix-1"]["error"] and "restarting" in regions["us-phoenix-1"]["error"]
    )


def test_400_on_the_first_page_is_still_the_query_error(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.fail_next(1, status=400, code="InvalidParameter", service="query")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 2 and "rejected the query" in one_line(result.err)


# -- the environment: 2 or 3 with the path or value named, never 1 ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--endpoint-template", "http://127.0.0.1:9/{servce}/{region}"], "{servce}"),
        (["--endpoint-template", "127.0.0.1:9/{service}/{region}"], "http"),
        (["--read-timeout", "nan"], "nan"),
        (["--connect-timeout", "inf"], "inf"),
        (["--connect-timeout", "-3"], "-3"),
        (["--regions", ""], "empty region list"),
        (["--regions", ",,"], "empty region list"),
        (["--no-subtree"], "--no-subtree"),
    ],
)
def test_bad_values_are_exit_2_before_any_api_call(
    cli, shared_tenancy, tmp_path: Path, args: list[str], needle: str
) -> None:  # type: ignore[no-untyped-def]
    shared_tenancy.emu.journal.clear()
    base = ["--config-file", str(shared_tenancy.config_file)]
    if "--endpoint-template" not in args:
        base += ["--endpoint-template", shared_tenancy.emu.endpoint_template]
    result = cli("run", *base, "--outdir", str(tmp_path / "out"), *args)
    assert result.code == 2, result.err
    assert needle in one_line(result.err)
    assert shared_tenancy.emu.journal.entries() == []


def test_settings_file_nested_too_deep_is_exit_2(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "settings.json"
    cfg.write_text("[" * 10_000)
    result = cli("run", *shared_tenancy.args, "--config", str(cfg))
    assert result.code == 2 and str(cfg) in one_line(result.err) and "nested too deeply" in result.err


def test_oci_config_given_to_config_is_exit_2_naming_config_file(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *shared_tenancy.args, "--config", str(shared_tenancy.config_file))
    assert result.code == 2
    assert f"{shared_tenancy.config_file} is an OCI config file" in one_line(result.err)
    assert "did you mean --config-file?" in result.err


def test_oci_config_without_a_section_header_is_exit_3(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "config"
    text = shared_tenancy.config_file.read_text()
    broken.write_text(text[text.index("\n") + 1 :])  # drop the first "[DEFAULT]" line
    result = cli(
        "validate-auth", "--config-file", str(broken), "--endpoint-template", shared_tenancy.emu.endpoint_template
    )
    assert result.code == 3 and str(broken) in one_line(result.err) and "section header" in result.err


def _without_root_override() -> list[str]:
    """Root reads any file; drop the capability that allows it so that a permission test means something."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_unreadable_key_file_is_exit_3_naming_it(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "key.pem"
    source = shared_tenancy.config_file.parent
    key_line = next(line for line in shared_tenancy.config_file.read_text().splitlines() if line.startswith("key_file"))
    key.write_bytes(Path(key_line.split("=", 1)[1].strip()).read_bytes())
    key.chmod(0)
    config = tmp_path / "config"
    config.write_text(shared_tenancy.config_file.read_text().replace(key_line, f"key_file={key}"))
    assert source != tmp_path
    cmd = [sys.executable, "-m", "oci_inventory", "validate-auth", "--config-file", str(config)]
    proc = subprocess.run(
        [*_without_root_override(), *cmd, "--endpoint-template", shared_tenancy.emu.endpoint_template],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert proc.returncode == 3, proc.stderr
    line = one_line(proc.stderr)
    assert f"cannot read the key file {key}" in line and "Permission denied" in line


def test_disk_full_while_writing_is_exit_2_naming_the_outdir(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import resource

    out = tmp_path / "out"

    def small_files() -> None:  # every file this process writes may hold 64 KiB: the inventory does not fit
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    proc = subprocess.run(
        [sys.executable, "-m", "oci_inventory", "run", *shared_tenancy.args, "--outdir", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_files,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc.stderr)
    assert f"cannot write {out}" in line and "EFBIG" in line
    assert proc.stdout == "" and list(out.iterdir()) == [], "the partial directory is removed"


# -- an OCI config file that was named must exist ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "OCI_CLI_CONFIG_FILE", "OCI_CONFIG_FILE", "settings"])
def test_a_named_missing_config_file_is_exit_3_and_nothing_is_probed(
    cli, tenancy, use_metadata, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:  # type: ignore[no-untyped-def]
    use_metadata(tenancy.emu)  # an instance principal WOULD work: it must not be tried
    missing = tmp_path / "no-such-config"
    args = ["validate-auth", "--endpoint-template", tenancy.emu.endpoint_template]
    if how == "flag":
        args += ["--config-file", str(missing)]
    elif how == "settings":
        settings = tmp_path / "settings.yaml"
        settings.write_text(f"config_file: {missing}\n")
        args += ["--config", str(settings)]
    else:
        monkeypatch.setenv(how, str(missing))
    tenancy.emu.journal.clear()
    result = cli(*args)
    assert result.code == 3, result.err
    line = one_line(result.err)
    assert f"OCI config file {missing}" in line and "not found" in line
    assert tenancy.emu.journal.entries() == [], "neither the metadata service nor any API was contacted"


def test_key_file_readable_by_others_warns_and_the_command_proceeds(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    key_line = next(line for line in tenancy.config_file.read_text().splitlines() if line.startswith("key_file"))
    key = Path(key_line.split("=", 1)[1].strip())
    key.chmod(0o644)
    result = cli("validate-auth", *tenancy.args, "--format", "json")
    assert result.code == 0 and json.loads(result.out)["auth_method"] == "api_key"
    assert one_line(result.err) == f"oci-inv: warning: key file {key} is readable by group/others; chmod 600 {key}"


# -- records that end ERROR: exit 0 with one warning line --------------------------------------------------------


def test_error_records_give_exit_0_and_a_warning_counted_by_code(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.model.stale_one_in = 0  # only the injected failures
    tenancy.emu.faults.fail_next(3, status=404, code="NotAuthorizedOrNotFound", operation="GetVcn")
    tenancy.emu.faults.fail_next(2, status=409, code="Conflict", operation="GetSubnet")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 0, result.err
    line = one_line(result.err)
    assert line.startswith("oci-inv: warning: 5 record(s) could not be enriched")
    assert "(NotAuthorizedOrNotFound 3, Conflict 2)" in line
    directory = run_dir(result.out)
    assert summary(directory)["errors_by_code"] == {"Conflict": 2, "NotAuthorizedOrNotFound": 3}
    assert sum(r["enrichStatus"] == "ERROR" for r in records(directory)) == 5


def test_a_clean_run_prints_no_warning(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 0 and result.err == "" and summary(run_dir(result.out))["errors_by_code"] == {}
    assert find_runs(tmp_path / "out") == [run_dir(result.out)]


@pytest.mark.parametrize(
    ("enrich_error", "code"),
    [
        ("ServiceError: 404 NotAuthorizedOrNotFound: Authorization failed", "NotAuthorizedOrNotFound"),
        ("TransientServiceError: 503 ServiceUnavailable: later", "ServiceUnavailable"),
        ("RuntimeError: kaboom second line", "RuntimeError"),
        (None, "unknown"),
    ],
)
def test_error_codes_are_read_from_enrich_error(enrich_error: str | None, code: str) -> None:
    from oci_inventory.export.summary import error_code

    assert error_code(enrich_error) == code
