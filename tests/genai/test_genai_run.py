"""``run --genai-summary``, ``report RUN --genai-summary``, ``--genai-dry-run`` and ``genai-chat`` against the
emulator: the real SDK, signed requests, and the emulator's journal of every prompt it received."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import records, run_dir, summary

MODEL = "meta.llama-3.3-70b-instruct"
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def _prompts(tenancy: Any) -> list[str]:
    return [e.detail for e in tenancy.emu.journal.entries() if e.operation == "Chat" and e.detail]


def _run(cli: Any, tenancy: Any, out: Path, *extra: str) -> Any:
    return cli("run", *tenancy.args, "--outdir", str(out), "--quiet", *extra)


def _leaks(directory: Path, prompts: list[str]) -> list[str]:
    """Every identifier of the inventory that appears in a prompt."""
    text = (directory / "inventory.jsonl").read_text(encoding="utf-8")
    recs = records(directory)
    secrets = {r["ocid"] for r in recs} | {r.get("compartmentId") for r in recs if r.get("compartmentId")}
    secrets |= set(IPV4.findall(text)) | set(EMAIL.findall(text))
    secrets |= {r["details"]["namespace"] for r in recs if r["resourceType"] == "Bucket" and r.get("details")}
    secrets.add(summary(directory)["tenancy_name"])
    secrets.add(summary(directory)["tenancy_id"])
    return sorted(s for s in secrets if s and any(s in p for p in prompts))


def test_run_with_a_summary_sends_nothing_identifying_and_shows_the_real_names(
    cli: Any, tenancy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_INV_GENAI_MODEL_ID", MODEL)
    first = _run(cli, tenancy, tmp_path / "out")
    assert first.code == 0, first.err
    tenancy.emu.mutate(seed=3, add=10, remove=5, change=8)
    tenancy.emu.journal.clear()
    result = _run(cli, tenancy, tmp_path / "out", "--prev", "latest", "--genai-summary")
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    prompts = _prompts(tenancy)
    assert len(prompts) == 1
    assert _leaks(directory, prompts) == []
    assert "<tenancy>" in prompts[0] and "<compartment-name-1>" in prompts[0]
    figures = summary(directory)
    genai = figures["genai_summary"]
    assert genai["model"] == MODEL and genai["redactions"]["tenancy_name"] == 1
    assert genai["redactions"]["compartment_names"] >= 1
    tenancy_name = figures["tenancy_name"]
    assert tenancy_name in genai["text"] and "<tenancy>" not in genai["text"], "the answer is restored locally"
    html = (directory / "report.html").read_text(encoding="utf-8")
    md = (directory / "report.md").read_text(encoding="utf-8")
    assert "Executive summary" in html and "Executive summary" in md
    assert f"Placeholders received: {tenancy_name}" in html
    assert {"report.md", "report.html"} <= set(figures["files"])


def test_a_failing_chat_call_leaves_a_complete_run(
    cli: Any, tenancy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_INV_GENAI_MODEL_ID", "no.such-model")
    result = _run(cli, tenancy, tmp_path / "out", "--genai-summary")
    assert result.code == 0, result.err
    assert "warning: no GenAI executive summary: 404 NotAuthorizedOrNotFound" in result.err
    directory = run_dir(result.out)
    figures = summary(directory)
    assert figures["status"] == "complete" and "text" not in figures["genai_summary"]
    assert figures["genai_summary"]["error"].startswith("404 NotAuthorizedOrNotFound")
    assert len(records(directory)) == figures["total_discovered"]
    assert "No executive summary: 404" in (directory / "report.html").read_text(encoding="utf-8")
    chats = [e for e in tenancy.emu.journal.entries() if e.operation == "Chat"]
    assert [e.status for e in chats] == [404]


def test_no_configuration_is_exit_2_before_any_api_call(cli: Any, tenancy: Any, tmp_path: Path) -> None:
    tenancy.emu.journal.clear()
    result = _run(cli, tenancy, tmp_path / "out", "--genai-summary")
    assert result.code == 2
    assert "OCI_INV_GENAI_MODEL_ID" in result.err and "~/.config/oci-inv/genai.yaml" in result.err
    assert "./.local/genai.yaml" in result.err
    assert tenancy.emu.journal.entries() == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_report_regenerates_with_a_summary_and_records_it(
    cli: Any, tenancy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(cli, tenancy, tmp_path / "out")
    directory = run_dir(result.out)
    inventory = (directory / "inventory.jsonl").read_bytes()
    before = {p.name for p in directory.iterdir()}
    (tmp_path / "work" / ".local").mkdir(parents=True)
    (tmp_path / "work" / ".local" / "genai.yaml").write_text("model_id: cohere.command-r-plus-08-2024\n")
    monkeypatch.chdir(tmp_path / "work")
    tenancy.emu.journal.clear()
    regenerated = cli("report", str(directory), *tenancy.args, "--genai-summary")
    assert regenerated.code == 0, regenerated.err
    assert regenerated.out.strip().splitlines()[-1] == str(directory / "report.html")
    figures = summary(directory)
    assert figures["genai_summary"]["model"] == "cohere.command-r-plus-08-2024"
    assert figures["report_regenerations"][-1]["genai"] is True
    assert {p.name for p in directory.iterdir()} == before, "nothing but the reports and the summary changes"
    assert (directory / "inventory.jsonl").read_bytes() == inventory
    assert [e.operation for e in tenancy.emu.journal.entries() if e.service != "_emulator"] == ["Chat"]
    assert _leaks(directory, _prompts(tenancy)) == []


def test_dry_runs_print_the_prompt_and_send_nothing(
    cli: Any, tenancy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(cli, tenancy, tmp_path / "out", "--genai-dry-run")
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    assert "[user]\nInventory digest:" in result.err and "<tenancy>" in result.err
    assert summary(directory)["tenancy_name"] not in result.err
    assert "genai_summary" not in summary(directory)
    shown = cli("report", str(directory), "--genai-dry-run")
    assert shown.code == 0 and "[system]" in shown.out and "report_regenerations" not in summary(directory)
    asked = cli("genai-chat", "--inventory", str(directory), "--dry-run", "which compartment is largest?")
    assert asked.code == 0 and "which compartment is largest?" in asked.out
    assert not _prompts(tenancy)


def test_genai_chat_answers_with_restored_names(
    cli: Any, tenancy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = run_dir(_run(cli, tenancy, tmp_path / "out").out)
    name = summary(directory)["tenancy_name"]
    assert cli("genai-chat", "--inventory", str(directory), "why?").code == 2, "no settings: exit 2"
    monkeypatch.setenv("OCI_INV_GENAI_MODEL_ID", MODEL)
    answer = cli("genai-chat", "--inventory", str(directory), *tenancy.args, f"what is in {name}?")
    assert answer.code == 0, answer.err
    assert f"what is in {name}?" in answer.out, "the question was sent redacted and its echo restored"
    prompts = _prompts(tenancy)
    assert prompts and "what is in <tenancy>?" in prompts[-1] and name not in prompts[-1]
    monkeypatch.setenv("OCI_INV_GENAI_MODEL_ID", "no.such-model")
    failed = cli("genai-chat", "--inventory", str(directory), *tenancy.args, "why?")
    assert failed.code == 3 and "NotAuthorizedOrNotFound" in failed.err
    assert json.loads((directory / "run_summary.json").read_text()).get("report_regenerations") is None
