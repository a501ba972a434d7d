"""Output that cannot be turned against its reader: Rich markup, folded OCIDs, CSV formulas, JSONL line breaks."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import records, run_dir

MARKUP = ("[/]", "acme[/bold]", "[link=https://x]x[/link]")


def _rename_compartment(model: Any, cid: str, name: str) -> None:
    model.compartments = [{**c, "name": name} if c["id"] == cid else c for c in model.compartments]
    model.resources = [{**r, "displayName": name} if r["identifier"] == cid else r for r in model.resources]
    model.touch()


def _rename_resource(model: Any, ocid: str, name: str) -> None:
    model.resources = [{**r, "displayName": name} if r["identifier"] == ocid else r for r in model.resources]
    model.touch()


def _live_regional(model: Any, region_key: str = ".iad.") -> list[dict[str, Any]]:
    return [
        r
        for r in model.resources
        if region_key in r["identifier"] and r.get("lifecycleState") not in ("TERMINATED", "DELETED")
    ]


def _hostile_tenancy(model: Any) -> list[str]:
    """Tenancy ``[/]``, compartments and a resource named with Rich markup; returns the compartment OCIDs."""
    model.tenancy = {**model.tenancy, "name": "[/]"}
    live = [c for c in model.compartments if c["lifecycleState"] == "ACTIVE"]
    for compartment, name in zip(live, MARKUP[1:], strict=False):
        _rename_compartment(model, compartment["id"], name)
    _rename_resource(model, _live_regional(model)[0]["identifier"], "acme[/bold]")
    return [c["id"] for c in live[: len(MARKUP) - 1]]


def _terminal(monkeypatch: pytest.MonkeyPatch, stream: str) -> None:
    monkeypatch.setattr(getattr(sys, stream), "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_run_summary_on_a_terminal_prints_markup_literally(
    cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _hostile_tenancy(tenancy.emu.model)
    _terminal(monkeypatch, "stderr")
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--regions", "us-ashburn-1")
    assert result.code == 0, result.err
    assert "Inventory of [/]" in result.err, "the summary table was printed with the name as it is"
    assert "Traceback" not in result.err and "MarkupError" not in result.err
    names = {r["displayName"] for r in records(run_dir(result.out))}
    assert set(MARKUP[1:]) <= names


@pytest.mark.parametrize("stream_is_tty", [False, True])
def test_list_commands_print_markup_literally(
    cli, tenancy, monkeypatch: pytest.MonkeyPatch, stream_is_tty: bool
) -> None:  # type: ignore[no-untyped-def]
    _hostile_tenancy(tenancy.emu.model)
    if stream_is_tty:
        _terminal(monkeypatch, "stdout")
    compartments = cli("list-compartments", *tenancy.args)
    assert compartments.code == 0, compartments.err
    for name in MARKUP[1:]:
        assert f"/{name}" in compartments.out
    auth = cli("validate-auth", *tenancy.args)
    assert auth.code == 0, auth.err
    assert "[/]" in auth.out


def test_control_characters_in_names_are_shown_as_escapes(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = next(c for c in model.compartments if c["lifecycleState"] == "ACTIVE")
    _rename_compartment(model, target["id"], "evil\x1b[2J\nnext")
    result = cli("list-compartments", *tenancy.args)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out
    line = next(line for line in result.out.splitlines() if target["id"] in line)
    assert "evil\\x1b[2J\\nnext" in line, "one compartment stays on one line"
    exact = json.loads(cli("list-compartments", *tenancy.args, "--format", "json").out)
    assert {r["id"]: r["name"] for r in exact}[target["id"]] == "evil\x1b[2J\nnext", "JSON keeps the exact value"


def _ocids_whole(out: str, ocids: set[str]) -> None:
    tokens = {token for line in out.splitlines() for token in line.split()}
    missing = ocids - tokens
    assert not missing, f"{len(missing)} OCIDs not printed whole on one line, e.g. {sorted(missing)[:1]}"


def test_piped_list_compartments_prints_every_ocid_whole(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    model = shared_tenancy.emu.model
    result = cli("list-compartments", *shared_tenancy.args, "--include-deleted")
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if "ocid1.compartment" in line]  # `| grep ocid1.compartment`
    assert len(lines) == len(model.compartments), "one line per compartment"
    _ocids_whole(result.out, {c["id"] for c in model.compartments})
    assert max(len(line) for line in lines) > 80, "no folding to 80 columns"


def test_terminal_table_never_cuts_an_ocid_even_when_narrow(
    cli, shared_tenancy, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _terminal(monkeypatch, "stdout")
    monkeypatch.setenv("COLUMNS", "60")
    result = cli("list-compartments", *shared_tenancy.args)
    assert result.code == 0, result.err
    live = {c["id"] for c in shared_tenancy.emu.model.compartments if c["lifecycleState"] != "DELETED"}
    _ocids_whole(result.out.replace("│", " ").replace("┃", " "), live)
    auth = cli("validate-auth", *shared_tenancy.args)
    _ocids_whole(auth.out.replace("│", " "), {shared_tenancy.emu.model.tenancy_id})


def _csv(out: str) -> list[dict[str, str]]:
    assert "\r\n" in out, "RFC 4180 line ends"
    return list(csv.DictReader(io.StringIO(out, newline="")))


def test_list_commands_format_csv(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    args = shared_tenancy.args
    for command in (["list-compartments", "--include-deleted"], ["list-regions"]):
        as_json = json.loads(cli(*command, *args, "--format", "json").out)
        as_csv = cli(*command, *args, "--format", "csv")
        assert as_csv.code == 0, as_csv.err
        rows = _csv(as_csv.out)
        assert list(rows[0]) == [k for k in rows[0]] and set(rows[0]) == set(as_json[0])
        as_text = [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in r.items()}
                   for r in as_json]  # fmt: skip
        assert rows == as_text
    regions = _csv(cli("list-regions", *args, "--format", "csv").out)
    assert list(regions[0]) == ["name", "key", "home", "status"]
    assert {r["name"]: r["home"] for r in regions}["us-ashburn-1"] == "true"
    auth = _csv(cli("validate-auth", *args, "--format", "csv").out)
    assert len(auth) == 1 and auth[0]["tenancy_id"] == shared_tenancy.emu.model.tenancy_id
    settings = _csv(cli("config", "show", "--format", "csv").out)
    assert list(settings[0]) == ["setting", "value", "source"]
    assert {r["setting"]: r["value"] for r in settings}["csv_raw"] == "False"


def test_list_csv_is_protected_against_formulas(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = next(c for c in model.compartments if c["lifecycleState"] == "ACTIVE")
    _rename_compartment(model, target["id"], '=HYPERLINK("http://x")\x07')
    rows = _csv(cli("list-compartments", *tenancy.args, "--format", "csv").out)
    row = next(r for r in rows if r["id"] == target["id"])
    assert row["name"] == '\'=HYPERLINK("http://x")\ufffd'
    assert row["path"].endswith('/=HYPERLINK("http://x")\ufffd'), "a path starts with '/'"


HOSTILE = '=HYPERLINK("http://evil","click")'


def test_inventory_csv_is_safe_and_csv_raw_is_exact(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    first, second = _live_regional(model)[:2]
    _rename_resource(model, first["identifier"], HOSTILE)
    _rename_resource(model, second["identifier"], "-1\x00\x1b[31m")
    args = [*tenancy.args, "--quiet", "--regions", "us-ashburn-1"]
    safe = run_dir(cli("run", *args, "--outdir", str(tmp_path / "safe")).out)
    raw_result = cli("run", *args, "--outdir", str(tmp_path / "raw"), "--csv-raw")
    assert raw_result.code == 0, raw_result.err
    raw = run_dir(raw_result.out)

    def names(directory: Path) -> dict[str, str]:
        with open(directory / "inventory.csv", encoding="utf-8", newline="") as fh:
            return {r["ocid"]: r["displayName"] for r in csv.DictReader(fh)}

    assert names(safe)[first["identifier"]] == "'" + HOSTILE
    assert names(safe)[second["identifier"]] == "'-1\ufffd\ufffd[31m"
    assert names(raw)[first["identifier"]] == HOSTILE
    assert names(raw)[second["identifier"]] == "-1\x00\x1b[31m"
    exact = {r["ocid"]: r["displayName"] for r in records(safe)}
    assert exact[first["identifier"]] == HOSTILE and exact[second["identifier"]] == "-1\x00\x1b[31m", "JSONL is exact"
    assert json.loads((raw / "run_summary.json").read_text())["flags"]["csv_raw"] is True


def test_csv_raw_setting_from_environment(cli, tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = _live_regional(model)[0]
    _rename_resource(model, target["identifier"], "@x")

    def name_in_csv() -> str:
        result = cli("run", *tenancy.args, "--quiet", "--regions", "us-ashburn-1", "--outdir", str(tmp_path))
        assert result.code == 0, result.err
        with open(run_dir(result.out) / "inventory.csv", encoding="utf-8", newline="") as fh:
            return {r["ocid"]: r["displayName"] for r in csv.DictReader(fh)}[target["identifier"]]

    assert name_in_csv() == "'@x"
    monkeypatch.setenv("OCI_INV_CSV_RAW", "true")
    assert name_in_csv() == "@x"


def test_jsonl_line_separators_never_split_a_record(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = _live_regional(model)[0]
    name = "a\u2028b\u2029c\x85d"
    _rename_resource(model, target["identifier"], name)
    result = cli("run", *tenancy.args, "--quiet", "--regions", "us-ashburn-1", "--outdir", str(tmp_path))
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    text = (directory / "inventory.jsonl").read_text(encoding="utf-8")
    assert "\u2028" not in text and "\\u2028" in text
    total = json.loads((directory / "run_summary.json").read_text())["total_discovered"]
    assert len(text.splitlines()) == total, "str.splitlines sees exactly one line per record"
    assert {r["ocid"]: r["displayName"] for r in records(directory)}[target["identifier"]] == name
