"""Where the runs of an outdir are: directly in it, or one subdirectory per tenancy (``<outdir>/<tenancy>/<run>``).

A tenancy directory is any visible subdirectory of the outdir that holds at least one run directory. Both layouts
may be mixed in one outdir (runs written before ``--per-tenancy-dirs`` stay where they are). Only committed run
directories are ever seen: a run in progress is a hidden ``.<name>.partial-*`` directory and is never listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_inventory.diff.diff import DIFF_FILE, DIFF_SUMMARY_FILE
from oci_inventory.diff.scope import INVENTORY_FILE, RUN_SUMMARY_FILE, read_summary, summary_status
from oci_inventory.export.rundir import RUN_DIR_PATTERN, find_runs
from oci_inventory.util.errors import InputError

PARQUET_FILE = "inventory.parquet"
RELATIONSHIPS_FILE = "relationships.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Run:
    """One committed run directory and what its files say about it."""

    path: Path
    tenancy_dir: str | None  # the tenancy subdirectory it is in; None when directly in the outdir
    summary: dict[str, Any] | None  # run_summary.json; None when missing or unreadable
    diff_summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        """``complete``, ``partial`` (some region failed) or ``unreadable`` (no valid run_summary.json)."""
        if self.summary is None or not (self.path / INVENTORY_FILE).is_file():
            return "unreadable"
        return summary_status(self.summary)

    @property
    def tenancy(self) -> str:
        """The tenancy's name as the run recorded it, else its directory, else its OCID, else ``""``."""
        s = self.summary or {}
        for value in (s.get("tenancy_name"), self.tenancy_dir, s.get("tenancy_id")):
            if isinstance(value, str) and value:
                return value
        return ""

    @property
    def tenancy_key(self) -> str:
        """What groups the runs of one tenancy (its OCID when known)."""
        s = self.summary or {}
        tid = s.get("tenancy_id")
        return tid if isinstance(tid, str) and tid else f"name:{self.tenancy}"

    @property
    def started_at(self) -> str | None:
        value = (self.summary or {}).get("started_at")
        return value if isinstance(value, str) else None

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """Oldest first: the UTC start time in the name, then the ``-N`` suffix, then the tenancy."""
        match = RUN_DIR_PATTERN.match(self.path.name)
        assert match is not None
        return match.group(1), int(match.group(2) or 1), self.tenancy

    @property
    def has_parquet(self) -> bool:
        return (self.path / PARQUET_FILE).is_file()

    @property
    def has_diff(self) -> bool:
        return (self.path / DIFF_FILE).is_file()


def _summary(path: Path) -> dict[str, Any] | None:
    try:
        return read_summary(path)
    except InputError:
        return None


def tenancy_dirs(outdir: Path) -> list[Path]:
    """The visible subdirectories of ``outdir`` that hold run directories, sorted by name."""
    try:
        entries = sorted(outdir.iterdir())
    except OSError:
        return []
    return [
        p
        for p in entries
        if not p.name.startswith(".") and not RUN_DIR_PATTERN.match(p.name) and p.is_dir() and find_runs(p)
    ]


def list_runs(outdir: Path) -> list[Run]:
    """Every committed run under ``outdir`` (both layouts), oldest first. A missing outdir is an InputError."""
    if not outdir.is_dir():
        raise InputError(f"--outdir {outdir} is not a directory; pass the directory runs were written to")
    located: list[tuple[Path, str | None]] = [(p, None) for p in find_runs(outdir)]
    for sub in tenancy_dirs(outdir):
        located += [(p, sub.name) for p in find_runs(sub)]
    runs = []
    for path, group in located:
        diff_summary = _summary(path / DIFF_SUMMARY_FILE) if (path / DIFF_SUMMARY_FILE).is_file() else None
        runs.append(Run(path, group, _summary(path / RUN_SUMMARY_FILE), diff_summary))
    return sorted(runs, key=lambda r: r.sort_key)


def newest_complete(runs: list[Run]) -> dict[str, Run]:
    """The newest complete run of each tenancy (``runs`` oldest first), keyed by ``tenancy_key``."""
    out: dict[str, Run] = {}
    for run in runs:
        if run.status == "complete":
            out[run.tenancy_key] = run
    return out


def tenancy_dir_name(name: str) -> str:
    """A tenancy name as a directory name: letters, digits, ``.``, ``_`` and ``-`` kept, others become ``_``;
    never hidden, never empty and never shaped like a run directory."""
    text = _UNSAFE.sub("_", name).strip("._") or "tenancy"
    return f"tenancy-{text}" if RUN_DIR_PATTERN.match(text) else text


def run_id_of(path_text: Any) -> str | None:
    """The run id a path names (``out/20261128T120000Z`` or its ``inventory.jsonl``), else the path as given."""
    if not isinstance(path_text, str) or not path_text:
        return None
    path = Path(path_text)
    if path.name == INVENTORY_FILE and RUN_DIR_PATTERN.match(path.parent.name):
        return path.parent.name
    return path.name if RUN_DIR_PATTERN.match(path.name) else path_text
