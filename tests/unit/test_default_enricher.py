from __future__ import annotations

from typing import Any

from oci_inventory.enrich.default import DefaultEnricher
from oci_inventory.normalize.transform import normalize_record

SUMMARY: dict[str, Any] = {
    "resourceType": "Widget",
    "identifier": "ocid1.widget.oc1.iad.aaaa",
    "compartmentId": "ocid1.compartment.oc1..bbbb",
    "displayName": 'w, "1"',
    "lifecycleState": "ACTIVE",
    "timeCreated": "2024-05-01T10:11:12.345Z",
    "availabilityDomain": None,
    "freeformTags": None,
    "definedTags": {"Ops": {"owner": "me"}},
}


def test_default_enricher_keeps_the_wire_summary_and_calls_nothing() -> None:
    enricher = DefaultEnricher()
    result = enricher.enrich(SUMMARY, None)
    assert enricher.calls_api is False
    assert result.status == "NOT_IMPLEMENTED"
    assert result.error is None
    assert result.relationships == []
    assert result.details == {"searchSummary": SUMMARY}
    assert result.details["searchSummary"] is not SUMMARY  # a copy: later changes can't leak in


def test_default_enricher_never_raises_on_odd_input() -> None:
    for summary in ({}, {"identifier": None}, {"identifier": "x", "definedTags": "not-a-dict"}):
        assert DefaultEnricher().enrich(summary, None).status == "NOT_IMPLEMENTED"


def test_default_record_shape() -> None:
    result = DefaultEnricher().enrich(SUMMARY, None)
    record = normalize_record(
        SUMMARY,
        region="us-ashburn-1",
        collected_at="2026-01-01T00:00:00.000Z",
        enrich_status=result.status,
        enrich_error=result.error,
        details=result.details,
        relationships=[],
    )
    assert record["enrichStatus"] == "NOT_IMPLEMENTED" and record["enrichError"] is None
    assert record["freeformTags"] == {} and record["relationships"] == []
    assert record["details"]["searchSummary"]["displayName"] == 'w, "1"'
