"""Untrusted text: visible escapes for people, and JSONL lines that no line-based tool splits."""

from __future__ import annotations

import orjson
import pytest

from oci_inventory.export.jsonl import dumps_record
from oci_inventory.util.text import visible


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain ünï 😀 [/] [bold]", "plain ünï 😀 [/] [bold]"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b[2J\x07\x00\x7f", "\\x1b[2J\\x07\\x00\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),
        ("x\u2028y\u2029z", "x\\u2028y\\u2029z"),
        ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),
    ],
)
def test_visible(value: str, expected: str) -> None:
    assert visible(value) == expected


@pytest.mark.parametrize("name", ["a\u2028b", "a\u2029b", "a\x85b", "\u2028\u2029\x85" * 3, "\x0b\x0c\x1c\x1d\x1e"])
def test_dumps_record_never_contains_a_line_break(name: str) -> None:
    record = {"displayName": name, "details": {"nested": [name]}, "ü": "é"}
    line = dumps_record(record)
    assert len(line.decode("utf-8").splitlines()) == 1
    assert orjson.loads(line) == record
    assert "é".encode() in line, "other non-ASCII stays as UTF-8"


def test_dumps_record_is_unchanged_without_line_breakers() -> None:
    record = {"b": "ü😀 \u2027 \u202a", "a": 1}
    assert dumps_record(record) == orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
