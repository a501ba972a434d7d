from __future__ import annotations

import json
from pathlib import Path

import pytest

from oci_inventory.logging import redact


def test_json_logs_carry_context(cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OCI_INV_MAX_ATTEMPTS", "2")
    tenancy.emu.faults.fail_next(1, status=429, retry_after=0, service="query")
    result = cli(
        "run",
        *tenancy.args,
        "--outdir",
        str(tmp_path),
        "--quiet",
        "--log-format",
        "json",
        "--log-level",
        "INFO",
        "--regions",
        "us-ashburn-1",
    )
    assert result.code == 0, result.err
    entries = [json.loads(line) for line in result.err.splitlines() if line.strip()]
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    retry = [e for e in entries if e["message"].startswith("retrying after throttled")]
    assert retry and retry[0]["status"] == 429 and retry[0]["attempt"] == 1 and retry[0]["opc_request_id"]


def test_debug_logs_never_contain_key_material(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *tenancy.args, "--log-level", "DEBUG", "--profile", "ENCRYPTED")
    assert result.code == 0, result.err
    key = (tenancy.config_file.parent / "encrypted_key.pem").read_text()
    body = "".join(key.strip().splitlines()[1:-1])
    text = result.err + result.out
    assert "emulator-passphrase" not in text and body[:32] not in text and 'signature="' not in text


def test_redact_scrubs_keys_tokens_signatures_and_passphrases() -> None:
    text = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY----- "
        'authorization: Signature keyId="ST$eyJhbGciOi.eyJzdWIi.sig",signature="c2lnbmF0dXJl" '
        "pass_phrase=hunter2 token: abc.def"
    )
    out = redact(text)
    for secret in ("MIIEabc", "c2lnbmF0dXJl", "eyJhbGciOi", "hunter2"):
        assert secret not in out
    assert "<redacted>" in out


def test_log_lines_print_above_progress_bars_not_glued_onto_them() -> None:
    """A log record emitted while the bars run goes through Rich's console, as a line of its own."""
    import io
    import logging

    from rich.console import Console

    from oci_inventory.logging import setup_logging
    from oci_inventory.progress import RichReporter

    buffer = io.StringIO()
    reporter = RichReporter(Console(file=buffer, force_terminal=True, width=100))
    setup_logging("INFO", "text")
    reporter.start(["us-ashburn-1"])
    try:
        logging.getLogger("oci_inventory.test").warning("a line of its own")
    finally:
        reporter.stop()
    lines = buffer.getvalue().splitlines()
    hits = [line for line in lines if "a line of its own" in line]
    assert hits, buffer.getvalue()
    assert all("us-ashburn-1" not in line and "━" not in line for line in hits)


def test_with_json_logs_every_stderr_line_is_json(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Warnings and the run summary, too: stderr stays parseable line by line."""
    tenancy.emu.model.stale_one_in = 3  # plenty of ERROR records: the warning line must be JSON as well
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--log-format", "json")
    assert result.code == 0, result.err
    entries = [json.loads(line) for line in result.err.splitlines() if line.strip()]
    messages = [e["message"] for e in entries]
    assert any("could not be enriched" in m for m in messages)
    assert any(m.startswith("oci-inv: run complete") for m in messages)
