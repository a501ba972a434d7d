"""The prompt: a redacted digest of a run (counts, coverage, the diff, errors; never raw records) plus the task.

Every string of the digest is redacted *before* it is serialized, so a name holding quotes or newlines is masked as
it is, not as its JSON escape. Diff changes are sent as changed field paths and counts only: before/after values
and resource names stay on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from oci_inventory.genai.redact import Redactor
from oci_inventory.report.digest import TOP_N, RunDigest

SYSTEM = (
    "You are an assistant for cloud operations managers and auditors. You receive a digest of one inventory run of "
    "an Oracle Cloud Infrastructure (OCI) tenancy as JSON: counts by resource type, region, compartment and "
    "lifecycle state, enrichment coverage, errors by OCI error code and, when there is one, the diff against the "
    "previous run. Identifiers and names are masked as placeholders such as <instance-1>, <compartment-name-2> or "
    "<tenancy>: keep every placeholder exactly as written and never guess what it stands for. Use only the figures "
    "given; do not invent resources, costs or causes."
)
SUMMARY_TASK = (
    "Write an executive summary of this run in at most 5 short paragraphs of plain text (no Markdown, no tables): "
    "what was inventoried and whether the run is complete, the largest resource types, regions and compartments, "
    "the enrichment gaps and errors that need attention, and what changed since the previous run."
)


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str

    @property
    def text(self) -> str:
        """Both messages as a person reads them (what ``--genai-dry-run`` prints)."""
        return f"[system]\n{self.system}\n\n[user]\n{self.user}\n"


def redactor_for(digest: RunDigest) -> Redactor:
    """A redactor that knows the run's sensitive values."""
    s = digest.sensitive
    redactor = Redactor()
    redactor.sensitive("tenancy", [s.tenancy_name])
    redactor.sensitive("namespace", sorted(s.namespaces))
    redactor.sensitive("compartment", sorted(s.compartment_names))
    redactor.sensitive("name", sorted(s.resource_names))
    redactor.sensitive("secret", sorted(s.secret_values))
    return redactor


def _redacted(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, dict):
        return {_redacted(str(k), redactor): _redacted(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, redactor) for v in value]
    return value


def digest_data(digest: RunDigest) -> dict[str, Any]:
    """What the model is told about a run (before redaction)."""
    s = digest.summary
    data: dict[str, Any] = {
        "run": {
            "tenancy": s.get("tenancy_name") or s.get("tenancy_id"),
            "status": s.get("status"),
            "started_at": s.get("started_at"),
            "duration_s": s.get("duration_s"),
            "query": s.get("query"),
            "regions": [
                {"region": r.get("region"), "status": r.get("status"), "error": r.get("error")}
                for r in s.get("regions") or []
            ],
        },
        "totals": {
            "search_results": s.get("search_results"),
            "duplicates_merged": s.get("duplicates_merged"),
            "terminated_dropped": s.get("terminated_dropped"),
            "out_of_scope_dropped": s.get("out_of_scope_dropped"),
            "records_written": digest.total,
            "enrichment": s.get("counts_by_enrich_status") or {},
        },
        "records_by_region": {c.label: c.count for c in digest.by_region},
        "records_by_type_top": {c.label: c.count for c in digest.by_type[:TOP_N]},
        "resource_types": len(digest.by_type),
        "records_by_compartment_top": {c.label: c.count for c in digest.by_compartment[:TOP_N]},
        "lifecycle_states": {c.label: c.count for c in digest.lifecycle},
        "enrichment_gaps_top": [
            {
                "type": r.resource_type,
                "records": r.count,
                "has_enricher": r.enricher,
                "ok": r.ok,
                "error": r.error,
                "not_implemented": r.not_implemented,
                "skipped": r.skipped,
            }
            for r in digest.coverage[:TOP_N]
            if r.gap
        ],
        "errors_by_code": {c.label: c.count for c in digest.errors_by_code},
    }
    if digest.diff is not None:
        d = digest.diff
        fields: dict[str, dict[str, int]] = {}
        for change in d.changes:
            per_type = fields.setdefault(change.resource_type, {})
            for path in change.changed_fields:
                per_type[path] = per_type.get(path, 0) + 1
        data["diff"] = {
            "added": d.added,
            "removed": d.removed,
            "changed": d.changed,
            "unchanged": d.unchanged,
            "by_type_top": [{"type": t, "added": a, "removed": r, "changed": c} for t, a, r, c in d.by_type[:TOP_N]],
            "changed_fields_sample": fields,
            "not_compared": [
                {
                    "region": e.get("region"),
                    "why": e.get("reason"),
                    "previous": e.get("prevRecords"),
                    "current": e.get("currRecords"),
                }
                for e in d.not_compared
                if e.get("reason")
            ],
        }
    return data


def _masked_path(path: str, redactor: Redactor) -> str:
    """``/prod/network`` -> ``/<compartment-name-1>/<compartment-name-2>``, whatever the names' length."""
    if not path.startswith("/"):
        return path  # "(unknown)"
    return "/".join(redactor.mask("compartment", segment) if segment else "" for segment in path.split("/"))


def build_prompt(
    digest: RunDigest, task: str = SUMMARY_TASK, redactor: Redactor | None = None
) -> tuple[Prompt, Redactor]:
    """The redacted prompt for ``task`` (itself redacted: a question may name things) and the redactor holding the
    mapping that restores the answer."""
    redactor = redactor or redactor_for(digest)
    raw = digest_data(digest)
    raw["records_by_compartment_top"] = {
        _masked_path(path, redactor): count for path, count in raw["records_by_compartment_top"].items()
    }
    if digest.sensitive.tenancy_name:
        raw["run"]["tenancy"] = redactor.mask("tenancy", digest.sensitive.tenancy_name)
    data = _redacted(raw, redactor)
    body = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    user = f"Inventory digest:\n{body}\n\n{redactor.redact(task)}"
    return Prompt(SYSTEM, user), redactor
