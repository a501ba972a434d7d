"""File Storage enrichers: file systems as a table row; mount targets as a class, because a mount target's
``MOUNTS`` edges come from another listing.

A mount target names its export set (``exportSetId``); the exports of that set name the file systems it serves.
Exports are listed once per compartment and region (``list_exports(compartment_id=...)``, an export living in its
export set's compartment, which is the mount target's) and shared through the run context, so a compartment with
many mount targets costs one listing, not one per mount target. A refused listing makes its mount targets ERROR
records (the failure is cached: one call, not one per mount target).
"""

from __future__ import annotations

from typing import Any

from oci_inventory.enrich.base import (
    EdgeSpec,
    EnrichContext,
    Enricher,
    EnrichResult,
    EnrichStatus,
    GetSpec,
    Relationship,
    Summary,
    call_get,
    details_of,
    edges_from,
)
from oci_inventory.enrich.registry import register, register_spec
from oci_inventory.enrich.relations import ENCRYPTED_BY, IN_NSG, IN_SUBNET, MOUNTS
from oci_inventory.util.pagination import list_all

FILE_STORAGE = "oci.file_storage.FileStorageClient"

register_spec(
    GetSpec("FileSystem", FILE_STORAGE, "get_file_system", edges=(EdgeSpec(ENCRYPTED_BY, "kmsKeyId", "Key"),))
)

MOUNT_TARGET_EDGES = (
    EdgeSpec(IN_SUBNET, "subnetId", "Subnet"),
    EdgeSpec(IN_NSG, "nsgIds", "NetworkSecurityGroup"),
)


def exports_in(ctx: EnrichContext, compartment_id: str) -> list[dict[str, Any]]:
    """Every export of a compartment in the context's region, listed once per run."""

    def load() -> list[dict[str, Any]]:
        client = ctx.client(FILE_STORAGE)
        return [
            e for e in list_all(client.list_exports, compartment_id=compartment_id, limit=1000) if isinstance(e, dict)
        ]

    exports: list[dict[str, Any]] = ctx.run.once(("file_storage.list_exports", ctx.region, compartment_id), load)
    return exports


@register("MountTarget")
class MountTargetEnricher(Enricher):
    """get_mount_target, then the exports of its export set (from the shared per-compartment listing)."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        resource = call_get(ctx, FILE_STORAGE, "get_mount_target", summary["identifier"])
        compartment = resource.get("compartmentId") or summary["compartmentId"]
        export_set = resource.get("exportSetId")
        exports = [e for e in exports_in(ctx, compartment) if export_set and e.get("exportSetId") == export_set]
        mounts = sorted(
            {str(e["fileSystemId"]) for e in exports if str(e.get("fileSystemId", "")).startswith("ocid1.")}
        )
        edges = edges_from(resource, MOUNT_TARGET_EDGES) + [Relationship(MOUNTS, fs, "FileSystem") for fs in mounts]
        return EnrichResult(EnrichStatus.OK, details_of(summary, resource, exports=exports), edges)
