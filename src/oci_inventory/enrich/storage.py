"""Block storage enrichers (BlockstorageClient), declared as table rows."""

from __future__ import annotations

from oci_inventory.enrich.base import (
    EdgeSpec,
    EnrichContext,
    EnrichResult,
    GetSpec,
    Relationship,
    SpecEnricher,
    Summary,
)
from oci_inventory.enrich.registry import REGISTRY, register_spec
from oci_inventory.enrich.relations import BACKUP_OF, ENCRYPTED_BY, IN_VOLUME_GROUP, USES_IMAGE

BLOCKSTORAGE = "oci.core.BlockstorageClient"

KMS_KEY = EdgeSpec(ENCRYPTED_BY, "kmsKeyId", "Key")

SPECS = (
    GetSpec("Volume", BLOCKSTORAGE, "get_volume", edges=(KMS_KEY,)),
    GetSpec("BootVolume", BLOCKSTORAGE, "get_boot_volume", edges=(KMS_KEY, EdgeSpec(USES_IMAGE, "imageId", "Image"))),
    GetSpec("VolumeBackup", BLOCKSTORAGE, "get_volume_backup", edges=(EdgeSpec(BACKUP_OF, "volumeId", "Volume"),)),
    GetSpec(
        "BootVolumeBackup",
        BLOCKSTORAGE,
        "get_boot_volume_backup",
        edges=(EdgeSpec(BACKUP_OF, "bootVolumeId", "BootVolume"),),
    ),
)

VOLUME_GROUP = GetSpec(
    "VolumeGroup", BLOCKSTORAGE, "get_volume_group", edges=(EdgeSpec(IN_VOLUME_GROUP, "volumeIds", "Volume"),)
)


class VolumeGroupEnricher(SpecEnricher):
    """The row, plus one fix a row cannot say: ``volumeIds`` holds block *and* boot volumes, so each edge's target
    type is read from the OCID (``ocid1.bootvolume.…`` is a BootVolume)."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        result = super().enrich(summary, ctx)
        result.relationships = [retyped(edge) for edge in result.relationships]
        return result


def retyped(edge: Relationship) -> Relationship:
    if edge.target_ocid.startswith("ocid1.bootvolume."):
        return Relationship(edge.relation, edge.target_ocid, "BootVolume")
    return edge


for _spec in SPECS:
    register_spec(_spec)
REGISTRY.add(VOLUME_GROUP.resource_type, VolumeGroupEnricher(VOLUME_GROUP))
