"""``oci-inv runs prune`` and ``run --keep-runs``: remove old run directories, whole, never the newest complete one.

Rules, per tenancy (the runs of one tenancy are counted together, whichever directory they are in): a run is kept
when it is one of the ``keep`` newest, or started less than ``keep_days`` days ago, or is the tenancy's newest
complete run; every other run is removed, partial runs included. Runs in progress (hidden ``.partial-*``
directories) are never seen, so never removed. A run is first renamed to a hidden ``.<name>.pruned-<random>``
directory, then deleted: an interrupted prune never leaves a half-deleted directory that looks like a run.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oci_inventory.export.rundir import RUN_DIR_PATTERN
from oci_inventory.history.layout import Run, list_runs
from oci_inventory.util.errors import ConfigError, environment_error
from oci_inventory.util.time import iso_z, utc_now

COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "Run"),
    ("tenancy", "Tenancy"),
    ("status", "Status"),
    ("action", "Action"),
    ("reason", "Why"),
)


@dataclass(frozen=True)
class Decision:
    run: Run
    remove: bool
    reason: str

    def row(self, *, dry_run: bool) -> dict[str, Any]:
        action = ("would remove" if dry_run else "removed") if self.remove else "kept"
        return {
            "tenancy": self.run.tenancy,
            "run_id": self.run.run_id,
            "status": self.run.status,
            "action": action,
            "reason": self.reason,
            "path": str(self.run.path),
        }


def _started(run: Run) -> datetime:
    match = RUN_DIR_PATTERN.match(run.run_id)
    assert match is not None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def plan(runs: list[Run], *, keep: int | None, keep_days: float | None, now: datetime | None = None) -> list[Decision]:
    """What to keep and what to remove, newest first. ``runs`` oldest first, as :func:`list_runs` gives them."""
    if keep is None and keep_days is None:
        raise ConfigError("runs prune needs --keep N, --keep-days D or both", hint="e.g. --keep 30")
    now = now or utc_now()
    cutoff = now - timedelta(days=keep_days) if keep_days is not None else None
    by_tenancy: dict[str, list[Run]] = {}
    for run in reversed(runs):
        by_tenancy.setdefault(run.tenancy_key, []).append(run)
    decisions: list[Decision] = []
    for group in by_tenancy.values():
        newest_complete = next((r for r in group if r.status == "complete"), None)
        for index, run in enumerate(group):
            if keep is not None and index < keep:
                decisions.append(Decision(run, False, f"one of the {keep} newest"))
            elif cutoff is not None and _started(run) >= cutoff:
                decisions.append(Decision(run, False, f"started after {iso_z(cutoff)}"))
            elif run is newest_complete:
                decisions.append(Decision(run, False, "the newest complete run"))
            else:
                older = f"older than {keep_days:g} days" if cutoff is not None else ""
                beyond = f"beyond the {keep} newest" if keep is not None else ""
                decisions.append(Decision(run, True, " and ".join(x for x in (beyond, older) if x)))
    return sorted(decisions, key=lambda d: d.run.sort_key, reverse=True)


def remove_run(path: Path) -> None:
    """Rename ``path`` to a hidden name in the same directory, then delete it."""
    hidden = path.with_name(f".{path.name}.pruned-{secrets.token_hex(4)}")
    try:
        os.rename(path, hidden)
        shutil.rmtree(hidden)
    except OSError as exc:
        converted = environment_error(exc, path)
        if converted is not None:
            raise converted from None
        raise ConfigError(f"cannot remove {path}: {exc.strerror or exc}") from None


def prune(
    outdir: Path,
    *,
    keep: int | None,
    keep_days: float | None = None,
    dry_run: bool = False,
    tenancy_key: str | None = None,
) -> list[dict[str, Any]]:
    """Apply the rules to every run under ``outdir`` (only those of ``tenancy_key`` when given); return one row
    per run (newest first) saying what happened."""
    runs = [r for r in list_runs(outdir) if tenancy_key is None or r.tenancy_key == tenancy_key]
    decisions = plan(runs, keep=keep, keep_days=keep_days)
    for decision in decisions:
        if decision.remove and not dry_run:
            remove_run(decision.run.path)
    return [d.row(dry_run=dry_run) for d in decisions]
