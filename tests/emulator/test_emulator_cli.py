"""The serve command: prints what a user needs, serves, and exits 0 on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from oci_emulator.cli import main


def test_help_lists_serve_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--port",
        "--seed",
        "--size",
        "--regions",
        "--home-region",
        "--state",
        "--save-state",
        "--config-dir",
    ):
        assert option in result.output


def test_bad_region_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--regions", "xx-nowhere-1", "--config-dir", str(tmp_path)])
    assert result.exit_code == 2 and "unknown region" in result.output


def test_serve_until_ctrl_c(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cmd = [sys.executable, "-m", "oci_emulator", "serve", "--port", "0", "--size", "50", "--config-dir",
           str(tmp_path / "cfg"), "--save-state", str(state)]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "control:" in line:
                break
        output = "".join(lines)
        template = next(line.split("'")[1] for line in lines if line.startswith("export OCI_INV_ENDPOINT_TEMPLATE"))
        base = template.split("/{service}")[0]
        assert base.startswith("http://127.0.0.1:") and "--config-file" in output
        assert (tmp_path / "cfg" / "config").exists() and state.exists()
        with urllib.request.urlopen(base + "/_emulator/journal", timeout=10) as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
