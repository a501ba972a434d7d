"""The history commands keep ``oci-inv --help`` light: no DuckDB, Rich or OCI SDK until a command runs."""

from __future__ import annotations

import pytest

from tests.cli.test_startup_imports import _loaded

HEAVY = ("duckdb", "rich", "oci", "oci_inventory.history.query", "oci_inventory.pipeline")


@pytest.mark.parametrize("args", [("--help",), ("query", "--help"), ("runs", "--help"), ("runs", "prune", "--help")])
def test_help_imports_nothing_heavy(args: tuple[str, ...]) -> None:
    assert _loaded(*args, heavy=HEAVY) == ["0"]


def test_listing_runs_never_imports_duckdb_or_the_sdk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _loaded("runs", "--outdir", str(tmp_path), "--format", "json", heavy=("duckdb", "oci")) == ["0"]
