"""inventory.csv is the spreadsheet report: formula prefixes and control characters, and --csv-raw."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.export.csv import REPLACEMENT, csv_cell, csv_row, write_csv
from oci_inventory.normalize.schema import CSV_FIELDS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+49 30", "'+49 30"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rcr", "'\rcr"),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("'already", "'already"),
        ("", ""),
        ("ünï 😀", "ünï 😀"),
    ],
)
def test_formula_prefix(value: str, expected: str) -> None:
    assert csv_cell(value) == expected
    assert csv_cell(value, raw=True) == value


def test_control_characters_are_replaced_except_tab_newline_cr() -> None:
    every_c0 = "".join(chr(c) for c in range(0x20)) + "\x7f"
    safe = csv_cell("x" + every_c0)
    kept = {"\t", "\n", "\r"}
    assert safe == "x" + "".join(c if c in kept else REPLACEMENT for c in every_c0)
    assert csv_cell("a\x1b[31mred\x00") == f"a{REPLACEMENT}[31mred{REPLACEMENT}"
    assert csv_cell("\x85 \u2028 \x9b") == "\x85 \u2028 \x9b", "only C0 and DEL are replaced"


def test_a_replaced_control_character_at_the_start_is_not_a_formula() -> None:
    assert csv_cell("\x00=1") == f"{REPLACEMENT}=1"


def _record(name: str, **overrides: Any) -> dict[str, Any]:
    record = {
        "ocid": "ocid1.instance.oc1..a",
        "resourceType": "Instance",
        "displayName": name,
        "compartmentId": "ocid1.compartment.oc1..c",
        "compartmentPath": "/-ops",
        "region": "us-ashburn-1",
        "lifecycleState": "RUNNING",
        "timeCreated": None,
        "enrichStatus": "ERROR",
        "enrichError": "=cmd|' /C calc'!A0",
        "definedTags": {"Ops": {"owner": "=evil"}},
        "freeformTags": {"x": "\x07bell"},
    }
    record.update(overrides)
    return record


def test_every_text_column_is_protected_and_tags_stay_json() -> None:
    row = dict(zip(CSV_FIELDS, csv_row(_record("@name")), strict=True))
    assert row["displayName"] == "'@name"
    assert row["enrichError"] == "'=cmd|' /C calc'!A0"
    assert row["compartmentPath"] == "/-ops", "a path starts with '/', never a formula"
    assert row["definedTags"] == '{"Ops":{"owner":"=evil"}}', "JSON text starts with '{'"
    assert row["freeformTags"] == '{"x":"\\u0007bell"}', "JSON already escapes control characters"


def test_write_csv_raw_and_protected(tmp_path: Path) -> None:
    records = [_record("=1+2\x00")]
    write_csv(tmp_path / "safe.csv", records)
    write_csv(tmp_path / "raw.csv", records, raw=True)
    with open(tmp_path / "safe.csv", encoding="utf-8", newline="") as fh:
        safe = next(csv.DictReader(fh))
    with open(tmp_path / "raw.csv", encoding="utf-8", newline="") as fh:
        raw = next(csv.DictReader(fh))
    assert safe["displayName"] == f"'=1+2{REPLACEMENT}"
    assert raw["displayName"] == "=1+2\x00"


_FORMULA_CHARS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("field", [f for f in CSV_FIELDS if f not in ("definedTags", "freeformTags")])
def test_the_row_scan_finds_a_formula_or_control_character_in_any_column(field: str) -> None:
    """csv_row looks at the whole row at once and changes cells only when that finds something: a formula start or
    a control character in any one column, first or last, is still caught; a newline then ``=`` inside a cell is
    not a formula and stays as it is."""
    plain = {f: f"v{i}" for i, f in enumerate(CSV_FIELDS)} | {"definedTags": None, "freeformTags": None}
    assert csv_row(plain) == [plain[f] or "" for f in CSV_FIELDS]
    for start in _FORMULA_CHARS:
        row = dict(zip(CSV_FIELDS, csv_row(plain | {field: start + "x"}), strict=True))
        assert row[field] == "'" + start + "x"
        assert all(row[f] == (plain[f] or "") for f in CSV_FIELDS if f != field)
    row = dict(zip(CSV_FIELDS, csv_row(plain | {field: "a\x1bb"}), strict=True))
    assert row[field] == f"a{REPLACEMENT}b"
    row = dict(zip(CSV_FIELDS, csv_row(plain | {field: "a\n=b", "region": 7}), strict=True))
    assert row[field] == ("7" if field == "region" else "a\n=b") and row["region"] == "7"
