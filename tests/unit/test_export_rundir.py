from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from oci_inventory.export.rundir import RunDirectory, atomic_write_bytes, find_runs
from oci_inventory.util.errors import ConfigError

STARTED = datetime(2024, 11, 28, 15, 40, 12, tzinfo=UTC)
NAME = "20241128T154012Z"


def _entries(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def test_create_makes_hidden_temp_dir_and_commit_renames(tmp_path: Path) -> None:
    outdir = tmp_path / "out" / "nested"
    rd = RunDirectory.create(outdir, STARTED)
    assert rd.tmp_path.parent == outdir
    assert rd.tmp_path.name.startswith(f".{NAME}.partial-")
    assert rd.file("inventory.jsonl") == rd.tmp_path / "inventory.jsonl"
    rd.write_bytes("inventory.jsonl", b"{}\n")
    rd.write_json("run_summary.json", {"b": 1, "a": [1]})
    assert find_runs(outdir) == []

    final = rd.commit()
    assert final == outdir / NAME == rd.final_path
    assert _entries(outdir) == [NAME]
    assert _entries(final) == ["inventory.jsonl", "run_summary.json"]
    assert (final / "run_summary.json").read_bytes() == b'{\n  "a": [\n    1\n  ],\n  "b": 1\n}\n'
    assert orjson.loads((final / "run_summary.json").read_bytes()) == {"a": [1], "b": 1}
    with pytest.raises(RuntimeError):
        rd.file("late.txt")


def test_collision_gets_suffix_and_earlier_runs_untouched(tmp_path: Path) -> None:
    first = RunDirectory.create(tmp_path, STARTED)
    first.write_bytes("inventory.jsonl", b"first\n")
    assert first.commit() == tmp_path / NAME

    paths = []
    for _ in range(2):
        rd = RunDirectory.create(tmp_path, STARTED)
        rd.write_bytes("inventory.jsonl", b"later\n")
        paths.append(rd.commit())
    assert paths == [tmp_path / f"{NAME}-2", tmp_path / f"{NAME}-3"]
    assert (tmp_path / NAME / "inventory.jsonl").read_bytes() == b"first\n"
    assert find_runs(tmp_path) == [tmp_path / NAME, *paths]


def test_existing_empty_directory_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    rd = RunDirectory.create(tmp_path, STARTED)
    assert rd.commit() == tmp_path / f"{NAME}-2"


def test_abort_removes_temp_dir(tmp_path: Path) -> None:
    rd = RunDirectory.create(tmp_path, STARTED)
    rd.write_bytes("x", b"data")
    rd.abort()
    rd.abort()
    assert _entries(tmp_path) == []


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_in_context_aborts(tmp_path: Path, exc: BaseException) -> None:
    earlier = RunDirectory.create(tmp_path, datetime(2024, 1, 1, tzinfo=UTC))
    earlier.write_bytes("inventory.jsonl", b"keep\n")
    earlier_path = earlier.commit()
    with pytest.raises(type(exc)), RunDirectory.create(tmp_path, STARTED) as rd:
        rd.write_bytes("inventory.jsonl", b"partial\n")
        raise exc
    assert _entries(tmp_path) == [earlier_path.name]
    assert (earlier_path / "inventory.jsonl").read_bytes() == b"keep\n"


def test_context_without_exception_keeps_committed_dir(tmp_path: Path) -> None:
    with RunDirectory.create(tmp_path, STARTED) as rd:
        rd.write_bytes("a", b"1")
        final = rd.commit()
    assert final.is_dir() and (final / "a").read_bytes() == b"1"


def test_file_rejects_paths(tmp_path: Path) -> None:
    rd = RunDirectory.create(tmp_path, STARTED)
    for bad in ("", "..", "a/b", "../x"):
        with pytest.raises(ValueError):
            rd.file(bad)
    rd.abort()


def test_outdir_that_is_a_file_is_config_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        RunDirectory.create(target, STARTED)


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    atomic_write_bytes(path, b"old")
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
    assert _entries(tmp_path) == ["f.json"]


def test_find_runs_ignores_partials_and_other_names(tmp_path: Path) -> None:
    for name in (f"{NAME}-10", NAME, f"{NAME}-2", f".{NAME}.partial-1-ab", "notes", "20240101T000000Z"):
        (tmp_path / name).mkdir()
    (tmp_path / "20230101T000000Z").write_text("a file, not a run")
    assert [p.name for p in find_runs(tmp_path)] == ["20240101T000000Z", NAME, f"{NAME}-2", f"{NAME}-10"]
    assert find_runs(tmp_path / "missing") == []
