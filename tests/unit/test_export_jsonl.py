from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from oci_inventory.export.jsonl import dumps_record, iter_jsonl, write_jsonl
from oci_inventory.util.errors import InputError


def test_dumps_record_compact_sorted_utf8() -> None:
    out = dumps_record({"b": 1, "a": {"z": None, "y": "ü😀"}})
    assert out == '{"a":{"y":"ü😀","z":null},"b":1}'.encode()
    assert b"\n" not in out and b"\\u" not in out


def test_write_and_iter_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "inventory.jsonl"
    recs = [{"ocid": "a", "displayName": "x\ny"}, {"ocid": "b", "displayName": "名前"}]
    assert write_jsonl(path, (dumps_record(r) for r in recs)) == 2
    data = path.read_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == 2
    assert list(iter_jsonl(path)) == [(1, recs[0]), (2, recs[1])]


def test_identical_input_gives_identical_bytes(tmp_path: Path) -> None:
    rec = {"z": [3, 1], "a": {"b": 1, "a": 2}}
    reordered = {"a": {"a": 2, "b": 1}, "z": [3, 1]}
    write_jsonl(tmp_path / "1", [dumps_record(rec)])
    write_jsonl(tmp_path / "2", [dumps_record(reordered)])
    assert (tmp_path / "1").read_bytes() == (tmp_path / "2").read_bytes()


def test_blank_lines_are_skipped_with_true_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "i.jsonl"
    path.write_bytes(b'{"ocid":"a"}\n\n  \n{"ocid":"b"}\n')
    assert [n for n, _ in iter_jsonl(path)] == [1, 4]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"ocid":"a"}\n{"ocid": \n', "not a JSON object"),
        (b'{"ocid":"a"}\n[1,2]\n', "found a JSON list"),
        (b'{"ocid":"a"}\n"text"\n', "found a JSON str"),
        (b'{"ocid":"a"}\n\xff\xfe\n', "not a JSON object"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        list(iter_jsonl(path))
    msg = str(err.value)
    assert msg.startswith(f"{path}:2: not a JSON object")
    assert reason in msg
    assert "pass an inventory.jsonl written by oci-inv" in msg
    assert "\n" not in msg


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        list(iter_jsonl(tmp_path / "nope.jsonl"))


def test_reads_orjson_compatible_output(tmp_path: Path) -> None:
    path = tmp_path / "i.jsonl"
    path.write_bytes(orjson.dumps({"k": 1.5}) + b"\n")
    assert list(iter_jsonl(path)) == [(1, {"k": 1.5})]
