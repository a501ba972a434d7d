"""``run_summary.json``: what a run did, in numbers a person or a script can check."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from oci_inventory import __version__
from oci_inventory.normalize.schema import ENRICH_STATUSES, SCHEMA_VERSION
from oci_inventory.util.time import normalize_timestamp


@dataclass(slots=True)
class RegionOutcome:
    """How discovery went in one region."""

    region: str
    status: Literal["ok", "failed"]
    records: int = 0
    pages: int = 0
    duration_s: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "status": self.status,
            "records": self.records,
            "pages": self.pages,
            "duration_s": round(self.duration_s, 3),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class RunScope:
    """What a run set out to inventory; two runs are comparable only when their scopes agree (see ``diff``)."""

    regions: list[str]
    query: str
    compartments: list[str] | None = None
    subtree: bool = True
    include_terminated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "regions": sorted(self.regions),
            "query": self.query,
            "compartments": sorted(self.compartments) if self.compartments is not None else None,
            "subtree": self.subtree,
            "include_terminated": self.include_terminated,
        }


def _sorted_dict(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping)}


def _timestamp(value: str | datetime | None) -> str | None:
    return normalize_timestamp(value)


@dataclass(kw_only=True, slots=True)
class RunSummary:
    """Everything in ``run_summary.json``. Timestamps may be given as datetimes or ISO strings."""

    started_at: str | datetime
    finished_at: str | datetime
    duration_s: float
    tenancy_id: str | None = None
    tenancy_name: str | None = None
    home_region: str | None = None
    query: str = ""
    flags: dict[str, Any] = field(default_factory=dict)
    regions: list[RegionOutcome] = field(default_factory=list)
    total_discovered: int = 0
    enriched_ok: int = 0
    not_implemented: int = 0
    errors: int = 0
    errors_by_code: dict[str, int] = field(default_factory=dict)
    counts_by_resource_type: dict[str, int] = field(default_factory=dict)
    counts_by_enrich_status: dict[str, int] = field(default_factory=dict)
    coverage_by_type: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_calls: dict[str, Any] = field(default_factory=lambda: api_call_figures({}, {}, 0))
    enrichment_s: float = 0.0
    terminated_dropped: int = 0
    duplicates_merged: int = 0
    out_of_scope_dropped: int = 0
    files: list[str] = field(default_factory=list)
    scope: RunScope | None = None
    schema_version: str = SCHEMA_VERSION
    tool_version: str = __version__

    def apply_counts(self, counter: SummaryCounter, has_enricher: Callable[[str], bool] | None = None) -> None:
        """Copy the record counts of ``counter`` into this summary; ``has_enricher(resource_type)`` fills the
        ``enricher`` flag of ``coverage_by_type`` (all False when not given)."""
        snap = counter.snapshot()
        self.coverage_by_type = counter.coverage(has_enricher or (lambda _: False))
        self.total_discovered = snap["total_discovered"]
        self.enriched_ok = snap["enriched_ok"]
        self.not_implemented = snap["not_implemented"]
        self.errors = snap["errors"]
        self.errors_by_code = snap["errors_by_code"]
        self.counts_by_resource_type = snap["counts_by_resource_type"]
        self.counts_by_enrich_status = snap["counts_by_enrich_status"]

    @property
    def search_results(self) -> int:
        """What Search returned in all regions, before de-duplication and filtering. It reconciles:
        ``search_results - duplicates_merged - terminated_dropped - out_of_scope_dropped == total_discovered``."""
        return sum(r.records for r in self.regions)

    @property
    def status(self) -> Literal["complete", "partial"]:
        """``complete`` when every selected region's discovery finished ok, else ``partial``."""
        return "complete" if all(r.status == "ok" for r in self.regions) else "partial"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with snake_case keys, sorted dict keys, regions sorted by name."""
        return {
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "started_at": _timestamp(self.started_at),
            "finished_at": _timestamp(self.finished_at),
            "duration_s": round(self.duration_s, 3),
            "tenancy_id": self.tenancy_id,
            "tenancy_name": self.tenancy_name,
            "home_region": self.home_region,
            "query": self.query,
            "flags": _sorted_dict(self.flags),
            "regions": [r.to_dict() for r in sorted(self.regions, key=lambda r: r.region)],
            "search_results": self.search_results,
            "total_discovered": self.total_discovered,
            "enriched_ok": self.enriched_ok,
            "not_implemented": self.not_implemented,
            "errors": self.errors,
            "errors_by_code": _sorted_dict(self.errors_by_code),
            "counts_by_resource_type": _sorted_dict(self.counts_by_resource_type),
            "counts_by_enrich_status": _sorted_dict(self.counts_by_enrich_status),
            "coverage_by_type": _sorted_dict(self.coverage_by_type),
            "api_calls": self.api_calls,
            "enrichment_s": round(self.enrichment_s, 3),
            "terminated_dropped": self.terminated_dropped,
            "duplicates_merged": self.duplicates_merged,
            "out_of_scope_dropped": self.out_of_scope_dropped,
            "files": sorted(self.files),
            "status": self.status,
            "scope": self.scope.to_dict() if self.scope is not None else None,
        }


def api_call_figures(calls: Mapping[str, Any], by_type: Mapping[str, int], records: int) -> dict[str, Any]:
    """``api_calls`` of the summary from ``CallCounter.as_dict()`` and ``for_types()``: every logical API call
    of the run (discovery and identity included; retries not), and the mean per record written (3 decimals)."""
    total = int(calls.get("total") or 0)
    return {
        "total": total,
        "by_operation": _sorted_dict(calls.get("by_operation") or {}),
        "by_service": _sorted_dict(calls.get("by_service") or {}),
        "by_type": _sorted_dict(by_type),
        "per_resource": round(total / records, 3) if records else 0.0,
    }


_SERVICE_ERROR = re.compile(r"^(?:\w*ServiceError: )?\d{3} (\w+)")
_EXCEPTION = re.compile(r"^(\w+):")


def error_code(enrich_error: Any) -> str:
    """The OCI error code of an ``enrichError`` (``404 NotAuthorizedOrNotFound: ...`` ->
    ``NotAuthorizedOrNotFound``), else the exception type (``RuntimeError: ...`` -> ``RuntimeError``)."""
    text = str(enrich_error or "")
    match = _SERVICE_ERROR.match(text) or _EXCEPTION.match(text)
    return match.group(1) if match else "unknown"


class SummaryCounter:
    """Counts records as they stream past. Thread-safe: ``add`` may be called from worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_type: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._by_error: Counter[str] = Counter()
        self._by_type_status: Counter[tuple[str, str]] = Counter()
        self._total = 0

    def add(self, record: Mapping[str, Any]) -> None:
        rtype = record.get("resourceType") or ""
        status = record.get("enrichStatus") or ""
        with self._lock:
            self._total += 1
            self._by_type[rtype] += 1
            self._by_status[status] += 1
            self._by_type_status[(rtype, status)] += 1
            if status == "ERROR":
                self._by_error[error_code(record.get("enrichError"))] += 1

    def add_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        """:meth:`add` for many records without an error at once: ``(resourceType, enrichStatus) -> count``."""
        with self._lock:
            for (rtype, status), n in counts.items():
                if status == "ERROR":
                    raise ValueError("add_counts takes no ERROR records: their error codes are counted by add")
                self._total += n
                self._by_type[rtype] += n
                self._by_status[status] += n
                self._by_type_status[(rtype, status)] += n

    @property
    def total(self) -> int:
        return self._total

    def snapshot(self) -> dict[str, Any]:
        """The counts as ``RunSummary`` fields. Every known enrich status is present, zero if unseen."""
        with self._lock:
            by_status = {status: self._by_status.get(status, 0) for status in ENRICH_STATUSES}
            by_status.update(self._by_status)
            return {
                "total_discovered": self._total,
                "enriched_ok": by_status["OK"],
                "not_implemented": by_status["NOT_IMPLEMENTED"],
                "errors": by_status["ERROR"],
                "errors_by_code": _sorted_dict(self._by_error),
                "counts_by_resource_type": _sorted_dict(self._by_type),
                "counts_by_enrich_status": _sorted_dict(by_status),
            }

    def coverage(self, has_enricher: Callable[[str], bool]) -> dict[str, dict[str, Any]]:
        """``{resourceType: {"count", "enricher", "OK", "ERROR", "NOT_IMPLEMENTED", "SKIPPED"}}``, types sorted;
        every status present (0 if unseen); ``enricher`` is ``has_enricher(resourceType)``."""
        with self._lock:
            by_type = dict(self._by_type)
            by_type_status = dict(self._by_type_status)
        out: dict[str, dict[str, Any]] = {}
        for rtype in sorted(by_type):
            entry: dict[str, Any] = {"count": by_type[rtype], "enricher": bool(has_enricher(rtype))}
            entry.update({status: by_type_status.get((rtype, status), 0) for status in ENRICH_STATUSES})
            out[rtype] = entry
        return out
