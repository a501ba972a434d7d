"""Compute enrichers against the emulator: Instance (with its attachments), Image, InstancePool,
InstanceConfiguration, DedicatedVmHost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.enrich.conftest import DeepRun, edges_of
from tests.integration.helpers import records, run_dir

ATTACHMENT_KEYS = ("vnicAttachments", "bootVolumeAttachments", "volumeAttachments")


def wire_body(emu: Any, resource_type: str, ocid: str) -> dict[str, Any]:
    """What the emulator's ``get`` answers for a resource (the raw wire JSON)."""
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources import common_fields, rows

    row = next(r for r in rows() if r.resource_type == resource_type)
    refs = Refs(emu.model)
    summary = refs.get(ocid)
    assert summary is not None
    return {**common_fields(summary), **row.body(refs, summary)}


def assert_edges_resolve(deep_run: DeepRun, record: dict[str, Any], relation: str, target_type: str) -> int:
    targets = edges_of(record, relation)
    for target in targets:
        assert target in deep_run.records, (record["ocid"], relation, target)
        assert deep_run.records[target]["resourceType"] == target_type, (relation, target)
    typed = {e["targetType"] for e in record["relationships"] if e["relation"] == relation}
    assert typed <= {target_type}
    return len(targets)


def test_instances_end_ok_with_their_wire_fields_and_attached_attachments(deep_run: DeepRun) -> None:
    instances = deep_run.of_type("Instance")
    assert len(instances) > 100
    for record in instances:
        assert record["enrichStatus"] == "OK", record["enrichError"]
        details = record["details"]
        assert details["id"] == record["ocid"]
        assert details["shape"] and details["shapeConfig"]["ocpus"] > 0
        assert details["sourceDetails"]["sourceType"] == "image"
        assert details["availabilityDomain"] == details["searchSummary"]["availabilityDomain"]
        for key in ATTACHMENT_KEYS:
            for attachment in details[key]:
                assert attachment["instanceId"] == record["ocid"]
                assert attachment["lifecycleState"] == "ATTACHED"
                assert attachment["compartmentId"] == details["compartmentId"]
                assert attachment["availabilityDomain"] == details["availabilityDomain"]


def test_instance_details_are_the_raw_answer_with_unknown_fields_and_enum_values_kept(deep_run: DeepRun) -> None:
    """No SDK deserialization: a field the SDK model lacks and an enum value it does not know survive as sent."""
    future = []
    for record in deep_run.of_type("Instance"):
        details = {k: v for k, v in record["details"].items() if k not in (*ATTACHMENT_KEYS, "searchSummary")}
        assert details == wire_body(deep_run.emu, "Instance", record["ocid"])
        if "futureFeature" in details:
            future.append(details)
    assert future, "the emulator serves about one instance in 20 with newer fields"
    for details in future:
        assert details["futureFeature"] == {"enabled": True}
        assert details["launchMode"] == "QUANTUM"


def test_instance_edges_resolve_to_live_records_of_the_right_type(deep_run: DeepRun) -> None:
    totals: Counter[str] = Counter()
    expected = {
        "HAS_VNIC": "Vnic",
        "USES_BOOT_VOLUME": "BootVolume",
        "USES_VOLUME": "Volume",
        "USES_IMAGE": "Image",
        "ON_HOST": "DedicatedVmHost",
    }
    for record in deep_run.of_type("Instance"):
        for relation, target_type in expected.items():
            totals[relation] += assert_edges_resolve(deep_run, record, relation, target_type)
        details = record["details"]
        assert sorted(edges_of(record, "HAS_VNIC")) == sorted(a["vnicId"] for a in details["vnicAttachments"])
        assert edges_of(record, "USES_IMAGE") == [details["imageId"]]
        assert edges_of(record, "ON_HOST") == ([details["dedicatedVmHostId"]] if details["dedicatedVmHostId"] else [])
    assert all(totals[relation] > 0 for relation in expected), totals


def test_each_vnic_and_boot_volume_is_attached_to_one_instance_and_attachments_agree_with_the_vnic(
    deep_run: DeepRun,
) -> None:
    holders: dict[str, list[str]] = {}
    for record in deep_run.of_type("Instance"):
        assert len(record["details"]["bootVolumeAttachments"]) <= 1
        for relation in ("HAS_VNIC", "USES_BOOT_VOLUME", "USES_VOLUME"):
            for target in edges_of(record, relation):
                holders.setdefault(target, []).append(record["ocid"])
        for attachment in record["details"]["vnicAttachments"]:
            vnic = deep_run.records[attachment["vnicId"]]
            assert vnic["enrichStatus"] == "OK", vnic["enrichError"]
            assert attachment["subnetId"] == vnic["details"]["subnetId"] is not None
    assert all(len(instances) == 1 for instances in holders.values())


def test_detached_attachments_the_emulator_lists_are_not_kept(deep_run: DeepRun) -> None:
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.compute_attachments import LISTINGS, attachments_of

    refs = Refs(deep_run.emu.model)
    detached = 0
    for record in deep_run.of_type("Instance"):
        summary = refs.get(record["ocid"])
        assert summary is not None
        for listing, key in zip(LISTINGS, ATTACHMENT_KEYS, strict=True):
            listed = attachments_of(refs, listing, summary)
            detached += sum(a["lifecycleState"] == "DETACHED" for a in listed)
            kept = sorted((a for a in listed if a["lifecycleState"] == "ATTACHED"), key=lambda a: a["id"])
            assert record["details"][key] == kept
    assert detached > 0


@pytest.mark.parametrize(
    ("resource_type", "field"),
    [
        ("Image", "operatingSystem"),
        ("InstancePool", "instanceConfigurationId"),
        ("InstanceConfiguration", "instanceDetails"),
        ("DedicatedVmHost", "dedicatedVmHostShape"),
    ],
)
def test_compute_rows_end_ok_with_the_wire_answer(deep_run: DeepRun, resource_type: str, field: str) -> None:
    found = deep_run.of_type(resource_type)
    assert found
    for record in found:
        assert record["enrichStatus"] == "OK", record["enrichError"]
        details = {k: v for k, v in record["details"].items() if k != "searchSummary"}
        assert details == wire_body(deep_run.emu, resource_type, record["ocid"])
        assert field in details


def test_pool_and_configuration_edges_resolve(deep_run: DeepRun) -> None:
    pools = sum(
        assert_edges_resolve(deep_run, r, "USES_CONFIGURATION", "InstanceConfiguration")
        for r in deep_run.of_type("InstancePool")
    )
    images = sum(
        assert_edges_resolve(deep_run, r, "USES_IMAGE", "Image") for r in deep_run.of_type("InstanceConfiguration")
    )
    assert pools and images


def test_each_attachment_listing_is_made_once_per_compartment_and_region_not_per_instance(
    tenancy: Any, cli: Any, tmp_path: Path
) -> None:
    emu = tenancy.emu
    result = cli(
        "run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet", "--query", "query Instance resources"
    )
    assert result.code in (0, 4), result.err
    found = [r for r in records(run_dir(result.out)) if r["resourceType"] == "Instance"]
    instances = [r for r in found if r["enrichStatus"] == "OK"]  # a stale instance's get fails before any listing
    assert len(instances) > 20
    first_pages: Counter[tuple[str, ...]] = Counter()
    for entry in emu.journal.entries():
        if entry.operation.endswith("Attachments"):
            query = {k: v[0] for k, v in parse_qs(urlsplit(entry.path).query).items()}
            assert "instanceId" not in query
            if "page" not in query:
                first_pages[
                    (entry.operation, entry.region, query["compartmentId"], query.get("availabilityDomain", ""))
                ] += 1
    assert set(first_pages.values()) == {1}, "each listing once per compartment and region (and AD)"
    places = {(r["region"], r["compartmentId"]) for r in instances}
    ad_places = {
        (r["region"], r["compartmentId"], r["details"]["searchSummary"]["availabilityDomain"]) for r in instances
    }
    by_operation = Counter(key[0] for key in first_pages)
    assert by_operation["ListVnicAttachments"] == by_operation["ListVolumeAttachments"] == len(places)
    assert by_operation["ListBootVolumeAttachments"] == len(ad_places)
    assert len(places) < len(instances)
