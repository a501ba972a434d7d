"""The digest of a run: every figure the reports show (and the GenAI prompt is made from), never raw records.

Built from a run directory (finished, or the hidden one before commit): ``run_summary.json`` for the totals, one
streamed pass over ``inventory.jsonl`` for records by region, compartment path and lifecycle state (made by the
run's export process as it writes the file, see :class:`InventoryScan`, or read here),
``compartments.jsonl`` for compartment names, ``diff_summary.json`` and the ``changed`` lines of ``diff.json`` (one
entry per line, read until the section ends) for the diff. Memory holds counters, not records.

Every count read from the inventory is checked against ``run_summary.json`` (``reconciliation``): a report whose
totals do not agree with the summary says so instead of showing numbers that quietly differ.

The digest also collects what is *sensitive* (tenancy name, Object Storage namespaces, compartment names, the names
of the resources it shows, tag values that look like secrets): the GenAI redactor masks them before a prompt leaves
the machine. They are never rendered from here except where the report itself shows a name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.util.errors import InputError

INVENTORY_JSONL = "inventory.jsonl"
COMPARTMENTS_JSONL = "compartments.jsonl"
RUN_SUMMARY = "run_summary.json"
DIFF_JSON = "diff.json"
DIFF_SUMMARY = "diff_summary.json"
#: Rows of the "top N" tables (types, compartments) and changes listed with before/after values.
TOP_N = 15
CHANGES_SHOWN = 20
#: Tag keys whose values are secrets whatever they look like, and values that look like one whatever the key.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|auth", re.I)
_SECRET_VALUE = re.compile(r"^(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9+/=_\-.]{24,}$")
_JUDGED_KEYS = 10_000  # tag keys whose verdict a scan remembers
_MAX_SENSITIVE = 100_000  # bounded: names of very large tenancies beyond this are still caught by the patterns
_SECTION = re.compile(rb'"(added|changed|removed|unchanged)":\[')


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class CoverageRow:
    resource_type: str
    count: int
    enricher: bool
    ok: int
    error: int
    not_implemented: int
    skipped: int

    @property
    def gap(self) -> int:
        """Records not enriched OK (as ``oci-inv enrich-coverage`` counts it)."""
        return self.count - self.ok


@dataclass(frozen=True, slots=True)
class ChangeRow:
    ocid: str
    resource_type: str
    display_name: str
    region: str
    changed_fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(slots=True)
class DiffDigest:
    added: int
    removed: int
    changed: int
    unchanged: int
    by_type: list[tuple[str, int, int, int]]  # (type, added, removed, changed), types with a change, biggest first
    changes: list[ChangeRow]
    not_compared: list[dict[str, Any]]
    notes: list[str]
    scope_change: dict[str, Any] | None
    prev_run: str | None


@dataclass(slots=True)
class GenAiSection:
    """The executive summary as the report shows it: restored text, or why there is none."""

    model: str | None
    text: str | None
    error: str | None = None
    redactions: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Sensitive:
    """Literal values a prompt must never carry (see ``oci_inventory.genai.redact``)."""

    tenancy_name: str | None = None
    namespaces: set[str] = field(default_factory=set)
    compartment_names: set[str] = field(default_factory=set)
    resource_names: set[str] = field(default_factory=set)
    secret_values: set[str] = field(default_factory=set)

    def add(self, kind: set[str], value: Any) -> None:
        if isinstance(value, str) and value.strip() and len(kind) < _MAX_SENSITIVE:
            kind.add(value)


@dataclass(slots=True)
class RunDigest:
    run_name: str
    summary: dict[str, Any]
    by_region: list[Count]
    by_type: list[Count]
    by_compartment: list[Count]
    lifecycle: list[Count]
    coverage: list[CoverageRow]
    errors_by_code: list[Count]
    diff: DiffDigest | None
    sensitive: Sensitive
    reconciliation: list[str]  # problems; [] when every figure agrees with run_summary.json
    genai: GenAiSection | None = None

    @property
    def total(self) -> int:
        return int(self.summary.get("total_discovered") or 0)

    @property
    def tenancy_label(self) -> str:
        return str(self.summary.get("tenancy_name") or self.summary.get("tenancy_id") or "(unknown tenancy)")


def load_summary(directory: Path) -> dict[str, Any]:
    path = directory / RUN_SUMMARY
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(
            f"{directory} is not a run directory: cannot read {RUN_SUMMARY} ({exc.strerror or exc})",
            hint="pass a directory that oci-inv run wrote",
        ) from None
    except orjson.JSONDecodeError:
        raise InputError(f"{path} is not valid JSON", hint="pass a directory that oci-inv run wrote") from None
    if not isinstance(data, dict) or "total_discovered" not in data:
        raise InputError(f"{path} is not an oci-inv run summary", hint="pass a directory that oci-inv run wrote")
    return data


def _lines(path: Path) -> Iterator[bytes]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed in finally; a generator owns the handle
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        yield from fh
    finally:
        fh.close()


def _sorted_counts(counter: Mapping[str, int]) -> list[Count]:
    return [Count(k, v) for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def _secret_tags(record: Mapping[str, Any], sensitive: Sensitive, keys: dict[str, bool]) -> None:
    """The tag values of ``record`` that look like secrets, by their key or their shape, into ``sensitive``.
    ``keys`` remembers what the key pattern said of each key (tag keys repeat across a tenancy; values do not):
    up to :data:`_JUDGED_KEYS` of them."""
    tags: list[tuple[str, Any]] = list((record.get("freeformTags") or {}).items())
    for namespace in (record.get("definedTags") or {}).values():
        if isinstance(namespace, dict):
            tags.extend(namespace.items())
    for key, value in tags:
        if not isinstance(value, str):
            continue
        secret_key = keys.get(key)
        if secret_key is None:
            secret_key = _SECRET_KEY.search(str(key)) is not None
            if len(keys) < _JUDGED_KEYS:
                keys[key] = secret_key
        # _SECRET_VALUE matches 24 characters or more: most values are shorter
        if secret_key or (len(value) >= 24 and _SECRET_VALUE.match(value)):
            sensitive.add(sensitive.secret_values, value)


class InventoryScan:
    """The figures of the inventory the digest counts, one record at a time (:meth:`add`): records by region,
    type, compartment path and lifecycle state, and the sensitive values records carry (Object Storage
    namespaces, tag values that look like secrets, compartment path segments).

    The digest scans ``inventory.jsonl`` itself (:func:`scan_inventory`); a run's export process, which parses
    every line as it writes the file, keeps one and hands it over (:meth:`as_json`, :meth:`from_json`), so the
    report does not read a file of a million lines a second time. Either way the figures come from the file's
    lines, not from the counters of ``run_summary.json`` they are reconciled with."""

    def __init__(self) -> None:
        self.by_region: Counter[str] = Counter()
        self.by_type: Counter[str] = Counter()
        self.by_compartment: Counter[str] = Counter()
        self.lifecycle: Counter[str] = Counter()
        self.compartment_paths: set[str] = set()  # their names are collected once per path, not once per record
        self.sensitive = Sensitive()  # namespaces and secret_values only
        self._secret_keys: dict[str, bool] = {}  # tag key -> does it name a secret (_secret_tags)

    def add(self, record: Mapping[str, Any]) -> None:
        self.by_region[str(record.get("region") or "(none)")] += 1
        self.by_type[str(record.get("resourceType") or "")] += 1
        compartment_path = record.get("compartmentPath")
        self.by_compartment[str(compartment_path or "(unknown)")] += 1
        if isinstance(compartment_path, str):
            self.compartment_paths.add(compartment_path)
        self.lifecycle[str(record.get("lifecycleState") or "(none)")] += 1
        details = record.get("details")
        if record.get("resourceType") == "Bucket" and isinstance(details, dict):
            self.sensitive.add(self.sensitive.namespaces, details.get("namespace"))
        if record.get("freeformTags") or record.get("definedTags"):
            _secret_tags(record, self.sensitive, self._secret_keys)

    def into(self, sensitive: Sensitive) -> tuple[Counter[str], ...]:
        """Add the sensitive values to ``sensitive``; the four counters."""
        for value in sorted(self.sensitive.namespaces):
            sensitive.add(sensitive.namespaces, value)
        for value in sorted(self.sensitive.secret_values):
            sensitive.add(sensitive.secret_values, value)
        for compartment_path in sorted(self.compartment_paths):
            for segment in compartment_path.split("/"):
                sensitive.add(sensitive.compartment_names, segment)
        return self.by_region, self.by_type, self.by_compartment, self.lifecycle

    def as_json(self) -> dict[str, Any]:
        return {
            "by_region": dict(self.by_region),
            "by_type": dict(self.by_type),
            "by_compartment": dict(self.by_compartment),
            "lifecycle": dict(self.lifecycle),
            "compartment_paths": sorted(self.compartment_paths),
            "namespaces": sorted(self.sensitive.namespaces),
            "secret_values": sorted(self.sensitive.secret_values),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InventoryScan:
        scan = cls()
        for name in ("by_region", "by_type", "by_compartment", "lifecycle"):
            getattr(scan, name).update({str(k): int(v) for k, v in data[name].items()})
        scan.compartment_paths = {str(p) for p in data["compartment_paths"]}
        scan.sensitive.namespaces = {str(v) for v in data["namespaces"]}
        scan.sensitive.secret_values = {str(v) for v in data["secret_values"]}
        return scan


def scan_inventory(directory: Path) -> InventoryScan:
    """:class:`InventoryScan` of the run's ``inventory.jsonl``; a line that is not a JSON object is an
    :class:`InputError` naming it."""
    scan = InventoryScan()
    path = directory / INVENTORY_JSONL
    if not path.exists():
        raise InputError(f"{directory} has no {INVENTORY_JSONL}", hint="pass a directory that oci-inv run wrote")
    for lineno, raw in enumerate(_lines(path), start=1):
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise InputError(f"{path}:{lineno}: not valid JSON") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{lineno}: not a JSON object")
        scan.add(record)
    return scan


def _compartment_names(directory: Path, sensitive: Sensitive) -> None:
    for raw in _lines(directory / COMPARTMENTS_JSONL):
        try:
            item = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if isinstance(item, dict):
            sensitive.add(sensitive.compartment_names, item.get("name"))


def _coverage(summary: Mapping[str, Any]) -> list[CoverageRow]:
    rows = []
    for rtype, entry in (summary.get("coverage_by_type") or {}).items():
        if not isinstance(entry, dict):
            continue
        rows.append(
            CoverageRow(
                str(rtype),
                int(entry.get("count") or 0),
                bool(entry.get("enricher")),
                int(entry.get("OK") or 0),
                int(entry.get("ERROR") or 0),
                int(entry.get("NOT_IMPLEMENTED") or 0),
                int(entry.get("SKIPPED") or 0),
            )
        )
    return sorted(rows, key=lambda r: (-r.gap, -r.count, r.resource_type))


def changed_entries(path: Path, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The first ``limit`` entries of the ``changed`` list of a ``diff.json`` written by oci-inv (one entry per
    line), read as a stream; (entries, readable). Lines of other sections are skipped without being parsed."""
    found: list[dict[str, Any]] = []
    section = b""
    for raw in _lines(path):
        line = raw.strip()
        markers = _SECTION.findall(line)
        if markers:
            if section == b"changed" and markers[-1] != b"changed":
                break
            section = markers[-1]
            continue
        if section != b"changed" or not line.startswith(b"{"):
            if section == b"changed" and line.startswith(b"]"):
                break
            continue
        try:
            entry = orjson.loads(line.rstrip(b","))
        except orjson.JSONDecodeError:
            return found, False
        if isinstance(entry, dict):
            found.append(entry)
        if len(found) >= limit:
            break
    return found, True


def _diff(directory: Path, sensitive: Sensitive) -> DiffDigest | None:
    path = directory / DIFF_SUMMARY
    if not path.exists():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    by_type = []
    for rtype, counts in (data.get("by_resource_type") or {}).items():
        a, r, c = (int(counts.get(k) or 0) for k in ("added", "removed", "changed"))
        if a or r or c:
            by_type.append((str(rtype), a, r, c))
    by_type.sort(key=lambda t: (-(t[1] + t[2] + t[3]), t[0]))
    entries, _ = changed_entries(directory / DIFF_JSON, CHANGES_SHOWN)
    changes = []
    for e in entries:
        sensitive.add(sensitive.resource_names, e.get("displayName"))
        changes.append(
            ChangeRow(
                str(e.get("ocid") or ""),
                str(e.get("resourceType") or ""),
                str(e.get("displayName") or ""),
                str(e.get("region") or ""),
                [str(f) for f in e.get("changedFields") or []],
                dict(e.get("before") or {}),
                dict(e.get("after") or {}),
            )
        )
    prev = data.get("prevRun")
    prev_name = None
    if isinstance(prev, dict):
        prev_name = str(prev.get("path") or prev.get("inventory") or "") or None
    return DiffDigest(
        added=int(data.get("added") or 0),
        removed=int(data.get("removed") or 0),
        changed=int(data.get("changed") or 0),
        unchanged=int(data.get("unchanged") or 0),
        by_type=by_type,
        changes=changes,
        not_compared=[e for e in data.get("notCompared") or [] if isinstance(e, dict)],
        notes=[str(n) for n in data.get("notes") or []],
        scope_change=data.get("scopeChange") or None,
        prev_run=prev_name,
    )


def _reconcile(summary: Mapping[str, Any], by_type: Counter[str], total: int) -> list[str]:
    problems = []
    expected = int(summary.get("total_discovered") or 0)
    if total != expected:
        problems.append(f"{INVENTORY_JSONL} holds {total:,} records, {RUN_SUMMARY} says {expected:,}")
    arithmetic = (
        int(summary.get("search_results") or 0)
        - int(summary.get("duplicates_merged") or 0)
        - int(summary.get("terminated_dropped") or 0)
        - int(summary.get("out_of_scope_dropped") or 0)
    )
    if "search_results" in summary and arithmetic != expected:
        problems.append(f"search results minus what was dropped is {arithmetic:,}, not {expected:,}")
    statuses = summary.get("counts_by_enrich_status") or {}
    if statuses and sum(int(v or 0) for v in statuses.values()) != expected:
        problems.append("the enrichment status counts do not add up to the records written")
    if dict(by_type) != {k: int(v) for k, v in (summary.get("counts_by_resource_type") or {}).items()}:
        problems.append(f"the counts by resource type differ from {RUN_SUMMARY}")
    return problems


def _genai(summary: Mapping[str, Any]) -> GenAiSection | None:
    data = summary.get("genai_summary")
    if not isinstance(data, dict):
        return None
    redactions = data.get("redactions")
    return GenAiSection(
        model=str(data["model"]) if data.get("model") else None,
        text=str(data["text"]) if data.get("text") else None,
        error=str(data["error"]) if data.get("error") else None,
        redactions={str(k): int(v) for k, v in redactions.items()} if isinstance(redactions, dict) else {},
    )


def build_digest(
    directory: Path,
    summary: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    scan: InventoryScan | None = None,
) -> RunDigest:
    """The digest of the run in ``directory``; ``summary`` is its ``run_summary.json`` (read when not given),
    ``scan`` the :class:`InventoryScan` of its ``inventory.jsonl`` when the export kept one (else it is read)."""
    summary = load_summary(directory) if summary is None else summary
    sensitive = Sensitive(tenancy_name=str(summary.get("tenancy_name") or "") or None)
    by_region, by_type, by_compartment, lifecycle = (scan or scan_inventory(directory)).into(sensitive)
    _compartment_names(directory, sensitive)
    sensitive.compartment_names.discard("")
    by_code = {str(k): int(v) for k, v in (summary.get("errors_by_code") or {}).items()}
    return RunDigest(
        run_name=name or directory.name,
        summary=summary,
        by_region=_sorted_counts(by_region),
        by_type=_sorted_counts(by_type),
        by_compartment=_sorted_counts(by_compartment),
        lifecycle=_sorted_counts(lifecycle),
        coverage=_coverage(summary),
        errors_by_code=_sorted_counts(by_code),
        diff=_diff(directory, sensitive),
        sensitive=sensitive,
        reconciliation=_reconcile(summary, by_type, sum(by_type.values())),
        genai=_genai(summary),
    )


def top(counts: list[Count], n: int = TOP_N) -> tuple[list[Count], int]:
    """The first ``n`` rows and the sum of the rest (shown as one "other" row)."""
    return counts[:n], sum(c.count for c in counts[n:])
