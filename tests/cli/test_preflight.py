"""``oci-inv preflight`` and ``preflight.sh`` against the emulator: one line per check, exit 0/2/3/5."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _report(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.out)
    data["by_name"] = {c["name"]: c for c in data["checks"]}
    return data


def test_ready_against_the_emulator(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("preflight", *shared_tenancy.args, "--outdir", str(tmp_path / "out"))
    assert result.code == 0, result.out + result.err
    lines = result.out.strip().splitlines()
    assert lines[-1].startswith("ready: a run should work")
    statuses = {line.split()[0] for line in lines[:-1]}
    assert statuses == {"OK"}, result.out
    sign_in = next(line for line in lines if line.split()[1] == "sign-in")
    assert "tenancy emulated-tenancy" in sign_in and "home region us-ashburn-1" in sign_in
    assert any("3 of 3 regions answer: ap-tokyo-1, eu-frankfurt-1, us-ashburn-1" in line for line in lines)
    assert not (tmp_path / "out").exists(), "preflight creates nothing"


def test_json_report_and_a_refused_sign_in_is_exit_3(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("preflight", *shared_tenancy.args, "--profile", "WRONGKEY", "--format", "json")
    assert result.code == 3
    report = _report(result)
    assert report["ready"] is False and report["exit_code"] == 3
    sign_in = report["by_name"]["sign-in"]
    assert sign_in["status"] == "FAIL" and sign_in["kind"] == "auth" and "401" in sign_in["detail"] and sign_in["fix"]


def test_a_missing_profile_is_a_local_failure_and_nothing_is_sent(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    shared_tenancy.emu.journal.clear()
    result = cli("preflight", *shared_tenancy.args, "--profile", "NOPE", "--format", "json")
    assert result.code == 2
    report = _report(result)
    profile = report["by_name"]["profile"]
    assert profile["status"] == "FAIL" and "DEFAULT, SESSION, WRONGKEY" in profile["detail"]
    assert report["by_name"]["sign-in"]["status"] == "WARN"
    assert list(shared_tenancy.emu.journal.entries()) == []


def test_a_group_readable_key_is_a_warning(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    key = tmp_path / "key.pem"
    shutil.copy(shared_tenancy.config_file.parent / "api_key.pem", key)
    key.chmod(0o644)
    text = shared_tenancy.config_file.read_text().replace(
        str(shared_tenancy.config_file.parent / "api_key.pem"), str(key)
    )
    config.write_text(text)
    result = cli("preflight", "--config-file", str(config), "--no-auth-check", "--format", "json")
    assert result.code == 0, result.out
    check = _report(result)["by_name"]["key file"]
    assert check["status"] == "WARN" and check["fix"] == f"chmod 600 {key}"


def test_genai_configuration_source(cli, shared_tenancy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("preflight", "--config-file", str(shared_tenancy.config_file), "--no-auth-check", "--format", "json")
    monkeypatch.chdir(tmp_path)
    missing = cli(*args, "--genai")
    assert missing.code == 2 and _report(missing)["by_name"]["genai"]["status"] == "FAIL"
    assert "genai.yaml" in _report(missing)["by_name"]["genai"]["fix"]

    (tmp_path / ".local").mkdir()
    (tmp_path / ".local" / "genai.yaml").write_text("model_id: m\nregion: us-chicago-1\n")
    local = _report(cli(*args, "--genai"))["by_name"]["genai"]
    assert local["status"] == "OK"
    assert local["detail"] == f"model m, region us-chicago-1; from file {tmp_path / '.local' / 'genai.yaml'}"

    home = Path(os.environ["HOME"]) / ".config" / "oci-inv"
    home.mkdir(parents=True)
    (home / "genai.yaml").write_text("- not a mapping\n")
    broken = cli(*args, "--genai")
    assert broken.code == 2 and "must be a mapping" in _report(broken)["by_name"]["genai"]["detail"]
    (home / "genai.yaml").write_text("temperature: 0.5\n")

    monkeypatch.setenv("OCI_INV_GENAI_MODEL_ID", "cohere.command")
    env = _report(cli(*args, "--genai"))["by_name"]["genai"]
    assert env["status"] == "OK" and env["detail"].startswith("model cohere.command, region us-chicago-1; from ")
    assert "env OCI_INV_GENAI_MODEL_ID" in env["detail"] and str(home / "genai.yaml") in env["detail"]


def test_an_unwritable_output_directory_fails(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file").write_text("x")
    result = cli("preflight", *shared_tenancy.args, "--no-auth-check", "--outdir", str(tmp_path / "file" / "out"))
    assert result.code == 2
    assert any(line.startswith("FAIL") and "output directory" in line for line in result.out.splitlines())


def test_unreachable_endpoint_is_exit_5(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    args = (
        "--config-file",
        str(shared_tenancy.config_file),
        "--endpoint-template",
        "http://127.0.0.1:9/{service}/{region}",
    )
    result = cli("preflight", *args, "--format", "json")
    assert result.code == 5
    sign_in = _report(result)["by_name"]["sign-in"]
    assert sign_in["kind"] == "unavailable" and "cannot reach" in sign_in["detail"]


def test_a_region_that_refuses_search_is_a_warning(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.faults.fail_next(5, status=404, code="NotAuthorizedOrNotFound", service="query", region="ap-tokyo-1")
    result = cli("preflight", *tenancy.args, "--format", "json")
    assert result.code == 0, result.out
    checks = _report(result)["by_name"]
    assert checks["search"]["detail"].startswith("2 of 3 regions answer")
    tokyo = checks["search ap-tokyo-1"]
    assert tokyo["status"] == "WARN" and "404 NotAuthorizedOrNotFound" in tokyo["detail"] and "exit 4" in tokyo["fix"]


def test_preflight_sh_runs_the_command(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = dict(
        os.environ, VENV=str(Path(sys.executable).parent.parent), OCI_CLI_CONFIG_FILE=str(shared_tenancy.config_file)
    )
    done = subprocess.run(
        [str(ROOT / "preflight.sh"), "--no-auth-check", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ready"] is True
    outdir = next(c for c in report["checks"] if c["name"] == "output directory")
    assert "to be created in ." in outdir["detail"], "relative paths are the caller's, not the repository's"


def test_preflight_sh_refuses_an_old_python_before_creating_anything(tmp_path: Path) -> None:
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    env = dict(os.environ, VENV=str(tmp_path / "venv"), PYTHON=str(old))
    done = subprocess.run([str(ROOT / "preflight.sh")], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout.startswith("FAIL  python") and "3.11" in done.stdout
    assert not (tmp_path / "venv").exists()
