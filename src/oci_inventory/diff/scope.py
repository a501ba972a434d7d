"""What each side of a diff covered: its run summary, scope and completed regions, and what two runs share.

A side is a run directory or an ``inventory.jsonl``; its ``run_summary.json`` (next to the inventory) says which
regions were selected, which failed, the query and compartment scope, and how many records were written. A bare
inventory without a summary is taken as complete over the regions found in it, with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.export.jsonl import iter_jsonl
from oci_inventory.export.rundir import find_runs
from oci_inventory.export.summary import RunScope
from oci_inventory.util.errors import InputError

INVENTORY_FILE = "inventory.jsonl"
RUN_SUMMARY_FILE = "run_summary.json"


@dataclass(frozen=True)
class RunInfo:
    """One side of a diff. ``scope`` is None for a bare inventory (its query and compartments are unknown)."""

    path: Path | None
    inventory: Path
    status: str
    started_at: str | None
    regions: frozenset[str]
    failed: Mapping[str, str] = field(default_factory=dict)
    total: int | None = None
    scope: RunScope | None = None

    @property
    def has_summary(self) -> bool:
        return self.scope is not None

    @property
    def completed(self) -> frozenset[str]:
        return self.regions - self.failed.keys()

    def meta(self) -> dict[str, Any]:
        """``prevRun``/``currRun`` in ``diff_summary.json``."""
        return {
            "path": str(self.path) if self.path is not None else None,
            "status": self.status,
            "started_at": self.started_at,
        }


def resolve_inventory_path(path: Path) -> Path:
    """A run directory → its ``inventory.jsonl``; a file → itself; anything else → :class:`InputError`."""
    if path.is_dir():
        inventory = path / INVENTORY_FILE
        if inventory.is_file():
            return inventory
        runs = find_runs(path)
        hint = f" (the latest run in it is {runs[-1]})" if runs else ""
        raise InputError(
            f"{path} is a directory without an {INVENTORY_FILE}{hint}; "
            f"pass a run directory or an {INVENTORY_FILE} written by oci-inv"
        )
    if path.is_file():
        return path
    raise InputError(f"{path} does not exist; pass a run directory or an {INVENTORY_FILE} written by oci-inv")


def read_summary(path: Path) -> dict[str, Any] | None:
    """The parsed ``run_summary.json`` at ``path``; None when there is none; :class:`InputError` when unreadable."""
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}; use an untouched run") from None
    except orjson.JSONDecodeError:
        raise InputError(f"{path} is not valid JSON: truncated or edited; use an untouched run") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a JSON object: truncated or edited; use an untouched run")
    return data


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _region_outcomes(data: Mapping[str, Any], where: Path) -> tuple[list[str], dict[str, str]]:
    regions: list[str] = []
    failed: dict[str, str] = {}
    outcomes = data.get("regions")
    if not isinstance(outcomes, list):
        raise InputError(f'{where} has no "regions" list: truncated or edited; use an untouched run')
    for outcome in outcomes:
        name = outcome.get("region") if isinstance(outcome, dict) else None
        if not isinstance(name, str):
            raise InputError(f"{where} has a region without a name: truncated or edited; use an untouched run")
        regions.append(name)
        if outcome.get("status") != "ok":
            failed[name] = str(outcome.get("error") or "failed")
    return regions, failed


def _scope(data: Mapping[str, Any], regions: list[str]) -> RunScope:
    """The run's scope; summaries written before ``scope`` existed give it through ``query`` and ``flags``."""
    raw = data.get("scope")
    if isinstance(raw, dict):
        return RunScope(
            regions=regions,
            query=str(raw.get("query") or ""),
            compartments=_str_list(raw.get("compartments")),
            subtree=raw.get("subtree") is not False,
            include_terminated=raw.get("include_terminated") is True,
        )
    flags = data.get("flags") if isinstance(data.get("flags"), dict) else {}
    assert isinstance(flags, dict)
    return RunScope(
        regions=regions,
        query=str(data.get("query") or ""),
        compartments=_str_list(flags.get("compartments")) or None,
        subtree=flags.get("no_subtree") is not True,
        include_terminated=flags.get("include_terminated") is True,
    )


def summary_status(data: Mapping[str, Any]) -> str:
    """``complete`` or ``partial``; summaries without ``status`` are complete when every region is ``ok``."""
    status = data.get("status")
    if status in ("complete", "partial"):
        return str(status)
    outcomes = data.get("regions")
    if isinstance(outcomes, list) and all(isinstance(o, dict) and o.get("status") == "ok" for o in outcomes):
        return "complete"
    return "partial"


def from_summary(path: Path | None, inventory: Path, data: Mapping[str, Any], where: Path) -> RunInfo:
    regions, failed = _region_outcomes(data, where)
    total = data.get("total_discovered")
    if not isinstance(total, int) or isinstance(total, bool):
        raise InputError(f'{where} has no "total_discovered" count: truncated or edited; use an untouched run')
    started = data.get("started_at")
    return RunInfo(
        path=path,
        inventory=inventory,
        status=summary_status(data),
        started_at=started if isinstance(started, str) else None,
        regions=frozenset(regions),
        failed=failed,
        total=total,
        scope=_scope(data, regions),
    )


def record_region(record: Mapping[str, Any]) -> str:
    """The region a record belongs to: its ``region`` field (``""`` when that is not a string)."""
    region = record.get("region")
    return region if isinstance(region, str) else ""


def scan_inventory(inventory: Path) -> set[str]:
    """The regions named by the records of an inventory (a bare one has no summary to say so)."""
    return {record_region(record) for _, record in iter_jsonl(inventory)}


def load_run(path: Path) -> RunInfo:
    """Describe a run directory or inventory file for a diff (reads the summary, or scans a bare inventory)."""
    inventory = resolve_inventory_path(path)
    summary_path = inventory.parent / RUN_SUMMARY_FILE
    data = read_summary(summary_path)
    if data is not None:
        return from_summary(path, inventory, data, summary_path)
    found = frozenset(scan_inventory(inventory))
    return RunInfo(path=path, inventory=inventory, status="complete", started_at=None, regions=found)


def check_total(info: RunInfo, count: int) -> None:
    """The inventory must hold exactly the records its own summary counted."""
    if info.total is not None and count != info.total:
        raise InputError(
            f"{info.inventory} has {count} records but its {RUN_SUMMARY_FILE} says {info.total}: "
            "truncated or edited; use an untouched run"
        )


def find_latest_complete(outdir: Path) -> Path | None:
    """The newest run directory in ``outdir`` whose summary says it is complete; None if there is none."""
    for run in reversed(find_runs(outdir)):
        try:
            data = read_summary(run / RUN_SUMMARY_FILE)
        except InputError:
            continue
        if data is not None and (run / INVENTORY_FILE).is_file() and summary_status(data) == "complete":
            return run
    return None


def _query_key(query: str) -> str:
    return " ".join(query.split())


def scope_changes(prev: RunInfo, curr: RunInfo) -> dict[str, dict[str, Any]]:
    """What differs between the two runs' scopes (regions excepted: they are handled region by region).

    Unknown on either side (a bare inventory) means nothing to compare. ``subtree`` matters only with compartments.
    """
    if prev.scope is None or curr.scope is None:
        return {}
    a, b = prev.scope, curr.scope
    pairs: dict[str, tuple[Any, Any]] = {
        "query": (a.query, b.query),
        "compartments": (
            sorted(a.compartments) if a.compartments is not None else None,
            sorted(b.compartments) if b.compartments is not None else None,
        ),
        "include_terminated": (a.include_terminated, b.include_terminated),
    }
    if a.compartments is not None or b.compartments is not None:
        pairs["subtree"] = (a.subtree, b.subtree)
    changes: dict[str, dict[str, Any]] = {}
    for name, (before, after) in pairs.items():
        same = _query_key(before) == _query_key(after) if name == "query" else before == after
        if not same:
            changes[name] = {"previous": before, "current": after}
    return dict(sorted(changes.items()))


def _shown(value: Any) -> str:
    if value is None:
        return "whole tenancy"
    if isinstance(value, list):
        return ",".join(value)
    return repr(value)


def check_scope(prev: RunInfo, curr: RunInfo, *, allow_change: bool) -> dict[str, dict[str, Any]]:
    """The scope changes; a change is an :class:`InputError` (exit 2) unless ``allow_change``."""
    changes = scope_changes(prev, curr)
    if changes and not allow_change:
        parts = [
            f"{name} differs: previous {_shown(c['previous'])}, current {_shown(c['current'])}"
            for name, c in changes.items()
        ]
        raise InputError(
            f"the runs cover different scopes ({'; '.join(parts)}): a diff would report resources of the "
            "other scope as added or removed; compare runs of the same scope, or pass --allow-scope-change"
        )
    return changes


@dataclass(frozen=True)
class Coverage:
    """Which regions a diff compares, and why each other region is not compared."""

    compared: frozenset[str]
    prev: RunInfo
    curr: RunInfo

    def reasons(self, region: str) -> list[tuple[str, str | None]]:
        """(short reason, error detail) pairs for a region that is not compared."""
        out: list[tuple[str, str | None]] = []
        for side, info in (("current", self.curr), ("previous", self.prev)):
            if region in info.failed:
                out.append((f"failed in the {side} run", info.failed[region]))
            elif region not in info.regions:
                out.append((f"not in the {side} run's regions", None))
        return out or [("not compared", None)]

    def candidates(self) -> set[str]:
        """Regions either run selected that are not compared (records may name more)."""
        return set((self.prev.regions | self.curr.regions) - self.compared)


def coverage(prev: RunInfo, curr: RunInfo) -> Coverage:
    return Coverage(compared=prev.completed & curr.completed, prev=prev, curr=curr)
