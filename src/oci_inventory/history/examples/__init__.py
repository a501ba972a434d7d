"""Named questions for ``oci-inv query --example NAME``: one documented SQL file each, in this directory.

Each file starts with ``-- NAME: one-line title``, then comment lines saying what it answers and how.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def names() -> list[str]:
    """The example names, sorted (file names without ``.sql``)."""
    return sorted(p.stem for p in HERE.glob("*.sql"))


def sql(name: str) -> str:
    """The SQL text of one example (its comments included; DuckDB skips them)."""
    return (HERE / f"{name}.sql").read_text(encoding="utf-8")


def title(name: str) -> str:
    """The one-line title on the first line of the example."""
    first = sql(name).splitlines()[0]
    return first.removeprefix("--").strip().removeprefix(f"{name}:").strip()
