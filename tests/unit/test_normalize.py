from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from oci_inventory.normalize.schema import (
    CSV_FIELDS,
    ENRICH_STATUSES,
    RECORD_FIELDS,
    SCHEMA_VERSION,
    load_json_schema,
)
from oci_inventory.normalize.transform import normalize_record

COLLECTED = "2024-06-01T00:00:00.000Z"


def _full_summary() -> dict[str, Any]:
    return {
        "resourceType": "Instance",
        "identifier": "ocid1.instance.oc1.eu-frankfurt-1.aaa",
        "compartmentId": "ocid1.compartment.oc1..ccc",
        "timeCreated": "2024-05-01T10:11:12.123456789+00:00",
        "displayName": 'web, "1"\nü😀',
        "availabilityDomain": "xyz:EU-FRANKFURT-1-AD-1",
        "lifecycleState": "RUNNING",
        "freeformTags": {"env": "prod"},
        "definedTags": {"Ops": {"owner": "alice"}},
        "systemTags": {"orcl-cloud": {"free-tier-retained": "true"}},
        "identityContext": {},
        "searchContext": {"highlights": {"displayName": ["<h1>web</h1>"]}},
        "additionalDetails": {},
    }


def _normalize(summary: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "region": "eu-frankfurt-1",
        "collected_at": COLLECTED,
        "enrich_status": "OK",
        "enrich_error": None,
        "details": {"shape": "VM.Standard.E4.Flex"},
        "relationships": [],
    }
    kwargs.update(overrides)
    return normalize_record(summary, **kwargs)


def _validate(record: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(load_json_schema()).validate(record)


def test_constants() -> None:
    assert SCHEMA_VERSION == "1.1"
    assert len(RECORD_FIELDS) == 15
    assert RECORD_FIELDS.index("compartmentPath") == RECORD_FIELDS.index("compartmentId") + 1
    assert CSV_FIELDS.index("compartmentPath") == CSV_FIELDS.index("compartmentId") + 1
    assert ENRICH_STATUSES == ("OK", "NOT_IMPLEMENTED", "ERROR", "SKIPPED")
    assert load_json_schema()["properties"]["enrichStatus"]["enum"] == list(ENRICH_STATUSES)
    assert set(CSV_FIELDS) <= set(RECORD_FIELDS)


def test_schema_is_valid_draft_2020_12_and_matches_fields() -> None:
    schema = load_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert tuple(schema["required"]) == RECORD_FIELDS
    assert set(schema["properties"]) == set(RECORD_FIELDS)
    assert schema["additionalProperties"] is False


def test_full_summary_maps_every_field_and_validates() -> None:
    summary = _full_summary()
    before = copy.deepcopy(summary)
    rels = [
        {"relation": "in_vcn", "targetOcid": "ocid1.vcn..b", "targetType": "Vcn"},
        {"relation": "in_subnet", "targetOcid": "ocid1.subnet..z", "targetType": None},
        {"relation": "in_subnet", "targetOcid": "ocid1.subnet..a"},
    ]
    rec = _normalize(summary, relationships=rels, compartment_path="/prod/network")
    _validate(rec)
    assert summary == before, "input must not be modified"
    assert tuple(rec) == RECORD_FIELDS
    assert rec["ocid"] == "ocid1.instance.oc1.eu-frankfurt-1.aaa"
    assert rec["resourceType"] == "Instance"
    assert rec["compartmentPath"] == "/prod/network"
    assert rec["displayName"] == 'web, "1"\nü😀'
    assert rec["timeCreated"] == "2024-05-01T10:11:12.123Z"
    assert rec["collectedAt"] == COLLECTED
    assert rec["freeformTags"] == {"env": "prod"}
    assert rec["definedTags"] == {"Ops": {"owner": "alice"}}
    assert rec["details"]["shape"] == "VM.Standard.E4.Flex"
    assert rec["details"]["searchSummary"] == {
        "availabilityDomain": "xyz:EU-FRANKFURT-1-AD-1",
        "systemTags": {"orcl-cloud": {"free-tier-retained": "true"}},
        "identityContext": {},
        "additionalDetails": {},
    }
    assert [(r["relation"], r["targetOcid"]) for r in rec["relationships"]] == [
        ("in_subnet", "ocid1.subnet..a"),
        ("in_subnet", "ocid1.subnet..z"),
        ("in_vcn", "ocid1.vcn..b"),
    ]
    assert rec["relationships"][0]["targetType"] is None


def test_output_does_not_share_tag_dicts_with_input() -> None:
    summary = _full_summary()
    rec = _normalize(summary)
    rec["freeformTags"]["x"] = "y"
    rec["definedTags"]["Ops"]["x"] = "y"
    assert summary["freeformTags"] == {"env": "prod"}
    assert summary["definedTags"] == {"Ops": {"owner": "alice"}}


def test_minimal_summary_with_nulls_and_absent_fields() -> None:
    summary = {
        "resourceType": "Bucket",
        "identifier": "ocid1.bucket..b",
        "compartmentId": "ocid1.compartment..c",
        "displayName": None,
        "freeformTags": None,
        "definedTags": None,
        "timeCreated": None,
    }
    rec = _normalize(summary, enrich_status="NOT_IMPLEMENTED", details={})
    _validate(rec)
    assert rec["compartmentPath"] is None, "a compartment not in the tree has no path"
    assert rec["displayName"] is None
    assert rec["lifecycleState"] is None
    assert rec["timeCreated"] is None
    assert rec["freeformTags"] == {}
    assert rec["definedTags"] == {}
    assert rec["details"] == {}
    assert rec["relationships"] == []


def test_absent_compartment_becomes_empty_string() -> None:
    rec = _normalize({"identifier": "ocid1.tenancy..t", "resourceType": "Tenancy"})
    assert rec["compartmentId"] == ""
    _validate(rec)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2024-05-01T10:11:12.345Z", "2024-05-01T10:11:12.345Z"),
        ("2024-05-01T10:11:12Z", "2024-05-01T10:11:12.000Z"),
        ("2024-05-01T12:11:12+02:00", "2024-05-01T10:11:12.000Z"),
    ],
)
def test_time_created_forms(wire: str, expected: str) -> None:
    rec = _normalize({"identifier": "o", "resourceType": "T", "timeCreated": wire})
    assert rec["timeCreated"] == expected
    _validate(rec)


def test_unparseable_time_created_becomes_null_and_is_kept_raw() -> None:
    rec = _normalize({"identifier": "o", "resourceType": "T", "timeCreated": "not a time"}, details={})
    assert rec["timeCreated"] is None
    assert rec["details"]["searchSummary"]["timeCreated"] == "not a time"
    _validate(rec)


def test_caller_search_summary_wins() -> None:
    rec = _normalize(_full_summary(), details={"searchSummary": {"mine": True}})
    assert rec["details"]["searchSummary"] == {"mine": True}


def test_error_status_validates() -> None:
    rec = _normalize(_full_summary(), enrich_status="ERROR", enrich_error="NotAuthorizedOrNotFound (404)")
    _validate(rec)
    assert rec["enrichError"] == "NotAuthorizedOrNotFound (404)"


def test_programming_errors_raise_value_error() -> None:
    with pytest.raises(ValueError, match="identifier"):
        _normalize({"resourceType": "T"})
    with pytest.raises(ValueError, match="enrich status"):
        _normalize(_full_summary(), enrich_status="MAYBE")
    with pytest.raises(ValueError, match="collected_at"):
        _normalize(_full_summary(), collected_at="later")


def test_schema_rejects_bad_records() -> None:
    rec = _normalize(_full_summary())
    validator = jsonschema.Draft202012Validator(load_json_schema())
    assert validator.is_valid(rec)
    for bad in (
        dict(rec, extra=1),
        dict(rec, timeCreated="2024-05-01T10:11:12Z"),
        dict(rec, enrichStatus="MAYBE"),
        dict(rec, freeformTags={"a": 1}),
        dict(rec, relationships=[{"relation": "r", "targetOcid": "o", "targetType": None, "x": 1}]),
        {k: v for k, v in rec.items() if k != "details"},
    ):
        assert not validator.is_valid(bad)


@pytest.mark.parametrize("path", ["/", "/prod", "/prod/network", "/ünï 😀/a b"])
def test_compartment_path_validates(path: str) -> None:
    _validate(_normalize(_full_summary(), compartment_path=path))


def test_compartment_path_must_be_absolute() -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validate(_normalize(_full_summary(), compartment_path="prod/network"))


def test_search_context_is_dropped_from_a_whole_summary_given_by_an_enricher() -> None:
    summary = _full_summary()
    rec = _normalize(summary, details={"searchSummary": dict(summary)})
    kept = rec["details"]["searchSummary"]
    assert "searchContext" not in kept
    assert kept == {k: v for k, v in summary.items() if k != "searchContext"}
    assert summary["searchContext"], "the input is not modified"


# summary_record: the fast form for summary-only enrichers must give the very bytes normalize_record gives.

_SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("common", {}),
    ("long fraction", {"timeCreated": "2024-05-01T10:11:12.123456789+00:00"}),
    ("no time", {"timeCreated": None}),
    ("empty time", {"timeCreated": ""}),
    ("bad time", {"timeCreated": "yesterday"}),
    ("time not text", {"timeCreated": 1714558272}),
    ("no compartment", {"compartmentId": None}),
    ("empty compartment", {"compartmentId": ""}),
    ("compartment not text", {"compartmentId": 7}),
    ("null tags", {"definedTags": None, "freeformTags": None}),
    ("null namespace", {"definedTags": {"Ops": None}}),
    ("tags not objects", {"freeformTags": ["x"]}),
    ("no type", {"resourceType": None}),
    ("no search context", {"searchContext": None}),
    ("markup name", {"displayName": "[bold]x[/bold] =HYPERLINK(1) \u2028 \x07"}),
]


def _summary_only_pair(overrides: dict[str, Any], status: str) -> tuple[bytes, bytes | None]:
    from oci_inventory.enrich.base import EnrichStatus
    from oci_inventory.enrich.default import DefaultEnricher, SkippedEnricher
    from oci_inventory.enrich.relations import IN_COMPARTMENT
    from oci_inventory.export.jsonl import dumps_record
    from oci_inventory.normalize.transform import summary_record

    summary = {**_full_summary(), "timeCreated": "2024-05-01T10:11:12.123Z", **overrides}
    fast: dict[str, Any] | None
    enricher = DefaultEnricher() if status == "NOT_IMPLEMENTED" else SkippedEnricher()
    result = enricher.enrich(summary)
    cid = summary.get("compartmentId")
    edges = [{"relation": IN_COMPARTMENT, "targetOcid": str(cid), "targetType": "Compartment"}] if cid else []
    fast = summary_record(
        summary,
        region="eu-frankfurt-1",
        collected_at=COLLECTED,
        enrich_status=EnrichStatus(status),
        compartment_path="/prod",
        compartment_relation=IN_COMPARTMENT,
    )
    try:
        slow = normalize_record(
            summary,
            region="eu-frankfurt-1",
            collected_at=COLLECTED,
            enrich_status=result.status,
            enrich_error=None,
            details=result.details,
            relationships=edges,
            compartment_path="/prod",
        )
    except (TypeError, ValueError):  # a shape normalize_record refuses: the fast form must decline it too
        assert fast is None
        return b"", None
    return dumps_record(slow), None if fast is None else dumps_record(fast)


@pytest.mark.parametrize("status", ["NOT_IMPLEMENTED", "SKIPPED"])
@pytest.mark.parametrize(("label", "overrides"), _SHAPES, ids=[label for label, _ in _SHAPES])
def test_summary_record_is_normalize_record_or_declines(label: str, overrides: dict[str, Any], status: str) -> None:
    slow, fast = _summary_only_pair(overrides, status)
    if fast is not None:
        assert fast == slow
    # the shapes the fast form must take (the common wire forms), and those it must leave to normalize_record
    takes = label in {"common", "no time", "no compartment", "empty compartment", "null tags", "no type",
                      "no search context", "markup name"}  # fmt: skip
    assert (fast is not None) == takes, label


def test_summary_record_changes_the_summary_only_when_it_is_owned() -> None:
    """Not owned (the main process's page): the summary is left as it was. Owned (an intake process's item,
    decoded for that record alone): the record takes it without a copy. The same bytes either way."""
    from oci_inventory.enrich.base import EnrichStatus
    from oci_inventory.enrich.relations import IN_COMPARTMENT
    from oci_inventory.export.jsonl import dumps_record
    from oci_inventory.normalize.transform import summary_record

    summary = {"identifier": "ocid1.vcn.oc1.iad.a", "resourceType": "Vcn", "compartmentId": "ocid1.compartment.oc1..c",
               "searchContext": {"highlights": {}}, "timeCreated": "2024-05-01T10:11:12.123Z"}  # fmt: skip
    records = []
    for owned in (False, True):
        given = dict(summary)
        record = summary_record(
            given,
            region="us-ashburn-1",
            collected_at=COLLECTED,
            enrich_status=EnrichStatus.NOT_IMPLEMENTED,
            compartment_path="/c",
            compartment_relation=IN_COMPARTMENT,
            owned=owned,
        )
        assert record is not None
        assert (record["details"]["searchSummary"] is given) is owned
        assert ("searchContext" in given) is not owned
        records.append(dumps_record(record))
    assert records[0] == records[1] and b"searchContext" not in records[0]
