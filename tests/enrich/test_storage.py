"""Block storage enrichers against the emulator: Volume, BootVolume, VolumeBackup, BootVolumeBackup, VolumeGroup."""

from __future__ import annotations

import pytest

from tests.enrich.conftest import DeepRun, edges_of
from tests.enrich.test_compute import assert_edges_resolve, wire_body

TYPES = ("Volume", "BootVolume", "VolumeBackup", "BootVolumeBackup", "VolumeGroup")


@pytest.mark.parametrize("resource_type", TYPES)
def test_block_storage_records_end_ok_with_the_wire_answer(deep_run: DeepRun, resource_type: str) -> None:
    found = deep_run.of_type(resource_type)
    assert found
    for record in found:
        assert record["enrichStatus"] == "OK", record["enrichError"]
        details = {k: v for k, v in record["details"].items() if k != "searchSummary"}
        assert details == wire_body(deep_run.emu, resource_type, record["ocid"])
        assert isinstance(details["sizeInGBs"], int)


@pytest.mark.parametrize(
    ("resource_type", "relation", "field", "target_type"),
    [
        ("Volume", "ENCRYPTED_BY", "kmsKeyId", "Key"),
        ("BootVolume", "ENCRYPTED_BY", "kmsKeyId", "Key"),
        ("BootVolume", "USES_IMAGE", "imageId", "Image"),
        ("VolumeBackup", "BACKUP_OF", "volumeId", "Volume"),
        ("BootVolumeBackup", "BACKUP_OF", "bootVolumeId", "BootVolume"),
    ],
)
def test_block_storage_edges_resolve_and_follow_the_field(
    deep_run: DeepRun, resource_type: str, relation: str, field: str, target_type: str
) -> None:
    total = 0
    for record in deep_run.of_type(resource_type):
        total += assert_edges_resolve(deep_run, record, relation, target_type)
        value = record["details"][field]
        assert edges_of(record, relation) == ([value] if value else [])
    assert total > 0


def test_volume_groups_link_block_and_boot_volumes_and_each_member_names_its_group(deep_run: DeepRun) -> None:
    member_types = set()
    for group in deep_run.of_type("VolumeGroup"):
        members = edges_of(group, "IN_VOLUME_GROUP")
        assert sorted(members) == sorted(group["details"]["volumeIds"])
        for edge in group["relationships"]:
            if edge["relation"] == "IN_VOLUME_GROUP":
                target = deep_run.records[edge["targetOcid"]]
                assert target["resourceType"] == edge["targetType"]
                assert target["details"]["volumeGroupId"] == group["ocid"]
                assert target["details"]["availabilityDomain"] == group["details"]["availabilityDomain"]
                member_types.add(edge["targetType"])
    assert member_types == {"Volume", "BootVolume"}


def test_a_boot_volume_was_made_from_the_image_of_the_instance_it_boots(deep_run: DeepRun) -> None:
    checked = 0
    for instance in deep_run.of_type("Instance"):
        for boot_volume in edges_of(instance, "USES_BOOT_VOLUME"):
            assert deep_run.records[boot_volume]["details"]["imageId"] == instance["details"]["imageId"]
            checked += 1
    assert checked > 0
