"""run.log in every run directory, and what --debug adds (SDK request log, tracebacks as JSON fields)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import run_dir, summary


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_logs_settings_regions_oci_errors_retries_and_exports(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.fail_next(1, status=429, retry_after=0, service="query")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--quiet", "--workers-enrich", "4")
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    assert "run.log" in summary(directory)["files"]
    entries = _lines(directory / "run.log")
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert {e["level"] for e in entries} <= {"INFO", "WARNING", "ERROR"}, "at least INFO, not DEBUG by default"

    (settings,) = [e for e in entries if "settings" in e]
    assert settings["settings"]["outdir"] == {"value": str(tmp_path), "source": "flag"}
    assert settings["settings"]["profile"] == {"value": "DEFAULT", "source": "default"}
    assert settings["settings"]["endpoint_template"]["source"] == "flag"

    searched = {e["region"] for e in entries if e["message"].startswith("region ") and "searched" in e["message"]}
    assert searched == {"us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1"}

    retry = [e for e in entries if e["message"].startswith("retrying after throttled")]
    assert retry and retry[0]["status"] == 429 and retry[0]["service"] == "resource_search"
    assert retry[0]["region"] in searched and retry[0]["opc_request_id"] and retry[0]["code"]

    errors = [e for e in entries if e["message"].startswith("OCI call failed: 404")]
    assert errors, "the emulated tenancy has stale resources whose get answers 404"
    for e in errors:
        assert e["status"] == 404 and e["code"] == "NotAuthorizedOrNotFound" and e["operation"].startswith("get_")
        assert e["region"] in searched and e["service"] and e["opc_request_id"]

    exported = {e["message"].split()[2] for e in entries if e["message"].startswith("export: wrote ")}
    assert {"inventory.jsonl", "inventory.csv", "run_summary.json", "graph.graphml"} <= exported
    assert "INFO" not in result.err and "searched" not in result.err, "stderr keeps the chosen level (WARNING)"


def test_a_failed_run_leaves_no_run_log_and_no_directory(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "1")
    tenancy.emu.faults.fail_next(100, status=500, service="query")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "o"), "--quiet", "--regions", "us-ashburn-1")
    assert result.code == 5, result.err
    assert not any((tmp_path / "o").iterdir()), "nothing is committed"


def test_debug_adds_the_sdk_request_log_redacted(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = (*shared_tenancy.args, "--profile", "ENCRYPTED", "--regions", "us-ashburn-1", "--no-enrich")
    result = cli("run", *args, "--outdir", str(tmp_path), "--quiet", "--debug", "--log-format", "json")
    assert result.code == 0, result.err
    stderr = [json.loads(line) for line in result.err.splitlines() if line.strip()]
    assert any(e["logger"].startswith("oci.base_client") and "Request: POST" in e["message"] for e in stderr)
    text = (run_dir(result.out) / "run.log").read_text(encoding="utf-8")
    entries = _lines(run_dir(result.out) / "run.log")
    assert any(e["level"] == "DEBUG" and e["logger"].startswith("oci.base_client") for e in entries)
    key = (shared_tenancy.config_file.parent / "encrypted_key.pem").read_text()
    body = "".join(key.strip().splitlines()[1:-1])
    for secret in ("emulator-passphrase", body[:32], 'signature="'):
        assert secret not in text and secret not in result.err


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_debug_traceback_is_a_json_field_with_json_logs(cli, shared_tenancy, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *shared_tenancy.args, "--profile", "NOPE", "--debug", "--log-format", fmt)
    assert result.code == 3
    if fmt == "text":
        assert "Traceback" in result.err and result.err.strip().splitlines()[-1].startswith("oci-inv: error: ")
        return
    entries = [json.loads(line) for line in result.err.splitlines() if line.strip()]  # every line is JSON
    (failure,) = [e for e in entries if "exception" in e]
    assert failure["exception"].startswith("Traceback") and "AuthError" in failure["exception"]
    assert failure["message"].startswith("oci-inv: error: profile [NOPE] not found") and failure["level"] == "ERROR"
