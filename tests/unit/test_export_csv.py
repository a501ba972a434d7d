from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.export.csv import write_csv
from oci_inventory.normalize.schema import CSV_FIELDS

HAZARDOUS = [
    "plain",
    "a,b",
    'say "hi"',
    "line1\nline2",
    "cr\r\nlf",
    '=HYPERLINK("http://evil")',
    "+1+2",
    "-2",
    "@SUM(A1)",
    "\ttab",
    " leading space ",
    "ünïcödé 名前 😀",
    "",
]


def _record(i: int, name: str | None) -> dict[str, Any]:
    return {
        "ocid": f"ocid1.x..{i:03d}",
        "resourceType": "Instance",
        "displayName": name,
        "compartmentId": "ocid1.compartment..c",
        "region": "eu-frankfurt-1",
        "lifecycleState": None,
        "timeCreated": "2024-05-01T10:11:12.345Z",
        "enrichStatus": "ERROR",
        "enrichError": 'boom, "quoted"',
        "definedTags": {"Ops": {"b": "2", "a": "1"}},
        "freeformTags": {"z": "=1", "a": "ü"},
        "details": {"ignored": True},
        "relationships": [],
        "collectedAt": "2024-06-01T00:00:00.000Z",
    }


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    records = [_record(i, name) for i, name in enumerate(HAZARDOUS)] + [_record(99, None)]
    path = tmp_path / "inventory.csv"
    assert write_csv(path, records) == len(records)
    return path, records


#: What the spreadsheet protection makes of HAZARDOUS (see test_export_csv_safety.py for the rule itself).
PROTECTED = [("'" + n if n[:1] in ("=", "+", "-", "@", "\t") else n) for n in HAZARDOUS]


def _read(path: Path) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return tuple(reader.fieldnames or ()), list(reader)


def test_header_and_round_trip(written: tuple[Path, list[dict[str, Any]]]) -> None:
    path, records = written
    header, rows = _read(path)
    assert header == CSV_FIELDS
    assert [row["displayName"] for row in rows] == [*PROTECTED, ""]
    assert rows[0]["lifecycleState"] == ""
    assert rows[0]["enrichError"] == 'boom, "quoted"'
    assert rows[0]["definedTags"] == '{"Ops":{"a":"1","b":"2"}}'
    assert rows[0]["freeformTags"] == '{"a":"ü","z":"=1"}'
    assert len(rows) == len(records)


def test_raw_round_trip_is_exact(tmp_path: Path) -> None:
    records = [_record(i, name) for i, name in enumerate(HAZARDOUS)]
    path = tmp_path / "raw.csv"
    write_csv(path, records, raw=True)
    _, rows = _read(path)
    assert [row["displayName"] for row in rows] == HAZARDOUS


def test_rfc4180_bytes(written: tuple[Path, list[dict[str, Any]]]) -> None:
    path, _ = written
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert data.startswith(b"ocid,resourceType,displayName,")
    assert data.split(b"\r\n", 1)[0].count(b",") == len(CSV_FIELDS) - 1
    assert b'"a,b"' in data
    assert b'"say ""hi"""' in data
    assert b'"\'=HYPERLINK(""http://evil"")"' in data, "the formula is prefixed, then quoted as usual"


def test_empty_input_writes_header_only(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    assert write_csv(path, []) == 0
    assert path.read_bytes() == (",".join(CSV_FIELDS) + "\r\n").encode()


def test_deterministic_bytes(tmp_path: Path) -> None:
    records = [_record(i, name) for i, name in enumerate(HAZARDOUS)]
    write_csv(tmp_path / "a.csv", records)
    write_csv(tmp_path / "b.csv", records)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


_AWKWARD = ["", " ", ",", '"', '""', "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "\r\n", "tab\there", "'=1",
            "ü😀開発", "\u2028", "trailing ", ",\"\n\r,", "x" * 5000]  # fmt: skip


@pytest.mark.parametrize("width", [1, 2, 13])
def test_csv_line_is_what_csv_writer_writes(width: int) -> None:
    import csv as stdlib_csv
    import io
    import itertools

    from oci_inventory.export.csv import csv_line

    for cells in itertools.islice(itertools.product(_AWKWARD, repeat=min(width, 2)), 400):
        row = (list(cells) * width)[:width]
        if width == 1 and row == [""]:
            continue  # csv.writer quotes a row of one empty cell; inventory rows have 13 cells
        buffer = io.StringIO(newline="")
        stdlib_csv.writer(buffer, lineterminator="\r\n", quoting=stdlib_csv.QUOTE_MINIMAL).writerow(row)
        assert csv_line(row) == buffer.getvalue(), row
