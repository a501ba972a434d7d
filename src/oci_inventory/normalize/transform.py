"""Turn one Resource Search ``ResourceSummary`` (raw wire dict) plus enrichment into a canonical record.

This runs once per resource (up to a million times per run), so it is a plain function with no validation
beyond what keeps the output inside the JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from oci_inventory.enrich.base import EnrichStatus
from oci_inventory.normalize.schema import ENRICH_STATUSES, Record
from oci_inventory.util.time import CANONICAL_TIMESTAMP, is_canonical_timestamp, normalize_timestamp

#: Summary keys that have no top-level field; kept under ``details["searchSummary"]`` when present.
#: ``searchContext`` is left out on purpose: it holds query highlights, which would make records differ
#: between runs that use different queries.
SEARCH_SUMMARY_EXTRA_KEYS: tuple[str, ...] = (
    "availabilityDomain",
    "systemTags",
    "identityContext",
    "additionalDetails",
)

_ENRICH_STATUSES = frozenset(ENRICH_STATUSES)
_CANONICAL_MATCH = CANONICAL_TIMESTAMP.fullmatch


def normalize_record(
    summary: Mapping[str, Any],
    *,
    region: str,
    collected_at: str,
    enrich_status: EnrichStatus,
    enrich_error: str | None,
    details: Mapping[str, Any],
    relationships: Sequence[Mapping[str, Any]],
    compartment_path: str | None = None,
) -> Record:
    """Build the canonical record (see ``docs/schema.md``). Inputs are not modified.

    * ``identifier`` becomes ``ocid``; a missing ``compartmentId`` becomes ``""``.
    * ``compartment_path`` (the caller looks ``compartmentId`` up in the compartment tree) becomes
      ``compartmentPath``; ``None`` (not in the tree) stays ``null``.
    * ``timeCreated`` and ``collected_at`` are normalized to ``2024-05-01T10:11:12.345Z``. An unparseable
      ``timeCreated`` becomes ``null`` and its raw text is kept in ``details.searchSummary.timeCreated``.
    * absent or null tags become ``{}``.
    * summary keys without a top-level field (availabilityDomain, systemTags, identityContext,
      additionalDetails) go to ``details["searchSummary"]`` unless the caller's details already has one
      (every enricher of oci-inv passes the whole summary there); ``searchContext`` is never kept.
    * relationships are sorted by (relation, targetOcid) for deterministic output.

    Raises ``ValueError`` for programming errors: no identifier, unknown enrich status, bad collected_at.
    """
    ocid = summary.get("identifier")
    if not ocid:
        raise ValueError("ResourceSummary has no identifier")
    if enrich_status not in _ENRICH_STATUSES:
        raise ValueError(f"unknown enrich status {enrich_status!r}; expected one of {ENRICH_STATUSES}")
    status = EnrichStatus(enrich_status).value
    collected = normalize_timestamp(collected_at)
    if not is_canonical_timestamp(collected):
        raise ValueError(f"collected_at is not a timestamp: {collected_at!r}")

    out_details = dict(details)
    given = out_details.get("searchSummary")
    if isinstance(given, Mapping) and "searchContext" in given:  # query highlights differ between queries
        out_details["searchSummary"] = {key: value for key, value in given.items() if key != "searchContext"}
    extra = {key: summary[key] for key in SEARCH_SUMMARY_EXTRA_KEYS if summary.get(key) is not None}
    raw_created = summary.get("timeCreated")
    # Search results are untrusted: a timestamp or tags of the wrong JSON type become null / {} on the record
    # (the raw value stays in details.searchSummary) instead of failing the run.
    time_created = normalize_timestamp(raw_created) if isinstance(raw_created, str | datetime) else None
    if (time_created is None and raw_created not in (None, "")) or (
        time_created is not None and not is_canonical_timestamp(time_created)
    ):
        extra["timeCreated"] = raw_created
        time_created = None
    if extra and "searchSummary" not in out_details:
        out_details["searchSummary"] = extra

    defined = _mapping(summary.get("definedTags"))
    freeform = _mapping(summary.get("freeformTags"))
    rels = [
        {"relation": r["relation"], "targetOcid": r["targetOcid"], "targetType": r.get("targetType")}
        for r in relationships
    ]
    if len(rels) > 1:  # sorted, and each (relation, target) once: an enricher may also name the compartment edge
        unique = {(r["relation"], r["targetOcid"]): r for r in rels}
        rels = [unique[key] for key in sorted(unique)]

    return {
        "ocid": ocid,
        "resourceType": summary.get("resourceType") or "",
        "displayName": summary.get("displayName"),
        "compartmentId": summary.get("compartmentId") or "",
        "compartmentPath": compartment_path,
        "region": region,
        "lifecycleState": summary.get("lifecycleState"),
        "timeCreated": time_created,
        "definedTags": {ns: dict(_mapping(values)) for ns, values in defined.items()},
        "freeformTags": dict(freeform),
        "collectedAt": collected,
        "enrichStatus": status,
        "enrichError": enrich_error,
        "details": out_details,
        "relationships": rels,
    }


def _mapping(value: Any) -> Mapping[Any, Any]:
    """A JSON object as is; anything else (null, a list, a string) as ``{}``."""
    return value if isinstance(value, Mapping) else {}


def summary_record(
    summary: Mapping[str, Any],
    *,
    region: str,
    collected_at: str,
    enrich_status: EnrichStatus,
    compartment_path: str | None,
    compartment_relation: str,
    owned: bool = False,
) -> Record | None:
    """The record :func:`normalize_record` builds for a resource whose enricher keeps only its Search summary
    (the ``DefaultEnricher``, every record of ``--no-enrich``): ``details`` is ``{"searchSummary": <summary
    without searchContext>}``, the only relationship is ``compartment_relation`` to ``compartmentId`` (when set),
    no error. About half the cost: nothing is copied or checked that the common wire shape does not need.

    ``owned``: ``summary`` is the caller's to change (an intake process's, decoded from its frame for this record
    alone): the record's ``details`` takes it as it is instead of a copy.

    ``collected_at`` must already be canonical (``MillisClock.now``). Returns ``None`` for any summary of another
    shape (a timestamp to rewrite, tags that are not objects, a non-string OCID or compartment): the caller then
    builds it with :func:`normalize_record`, which handles every case. ``tests/unit/test_normalize.py`` holds the
    two to the same bytes.
    """
    ocid = summary.get("identifier")
    compartment_id = summary.get("compartmentId")
    created = summary.get("timeCreated")
    defined = summary.get("definedTags") or {}
    freeform = summary.get("freeformTags") or {}
    if (
        type(ocid) is not str
        or not ocid
        or (compartment_id is not None and type(compartment_id) is not str)
        or (created is not None and (type(created) is not str or _CANONICAL_MATCH(created) is None))
        or type(defined) is not dict
        or type(freeform) is not dict
        or any(type(values) is not dict for values in defined.values())
    ):
        return None
    kept = summary if owned and type(summary) is dict else dict(summary)
    kept.pop("searchContext", None)
    edges = (
        [{"relation": compartment_relation, "targetOcid": compartment_id, "targetType": "Compartment"}]
        if compartment_id
        else []
    )
    return {
        "ocid": ocid,
        "resourceType": summary.get("resourceType") or "",
        "displayName": summary.get("displayName"),
        "compartmentId": compartment_id or "",
        "compartmentPath": compartment_path,
        "region": region,
        "lifecycleState": summary.get("lifecycleState"),
        "timeCreated": created,
        "definedTags": defined,
        "freeformTags": freeform,
        "collectedAt": collected_at,
        "enrichStatus": enrich_status.value,
        "enrichError": None,
        "details": {"searchSummary": kept},
        "relationships": edges,
    }
