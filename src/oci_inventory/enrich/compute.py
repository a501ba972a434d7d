"""Compute enrichers: ``Instance`` with its attachments (a class), and images, pools, configurations and
dedicated VM hosts (table rows).

An instance's VNICs and volumes are not in its ``get`` answer; OCI lists them as attachments. Listing them per
instance would cost three calls per instance, so each listing is made once per run for a whole compartment and
region (boot volume attachments: also per availability domain, which that API requires), shared through the run
context, and read for every instance of that compartment. Only ``ATTACHED`` attachments are kept: a detached one
names a VNIC or volume that is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from oci_inventory.enrich.relations import (
    HAS_VNIC,
    ON_HOST,
    USES_BOOT_VOLUME,
    USES_CONFIGURATION,
    USES_IMAGE,
    USES_VOLUME,
)
from oci_inventory.util.pagination import list_all

COMPUTE = "oci.core.ComputeClient"
COMPUTE_MANAGEMENT = "oci.core.ComputeManagementClient"
IMAGE = "Image"

SPECS = (
    GetSpec(IMAGE, COMPUTE, "get_image"),
    GetSpec(
        "InstancePool",
        COMPUTE_MANAGEMENT,
        "get_instance_pool",
        edges=(EdgeSpec(USES_CONFIGURATION, "instanceConfigurationId", "InstanceConfiguration"),),
    ),
    GetSpec(
        "InstanceConfiguration",
        COMPUTE_MANAGEMENT,
        "get_instance_configuration",
        edges=(EdgeSpec(USES_IMAGE, "instanceDetails.launchDetails.sourceDetails.imageId", IMAGE),),
    ),
    GetSpec("DedicatedVmHost", COMPUTE, "get_dedicated_vm_host"),
)

INSTANCE_EDGES = (
    EdgeSpec(USES_IMAGE, "imageId", IMAGE),
    EdgeSpec(USES_IMAGE, "sourceDetails.imageId", IMAGE),
    EdgeSpec(ON_HOST, "dedicatedVmHostId", "DedicatedVmHost"),
)

Attachments = Mapping[str, Sequence[Mapping[str, Any]]]  # instance OCID -> its ATTACHED attachments, by id


@dataclass(frozen=True)
class Listing:
    """One attachment listing: where it goes in ``details`` and which edge each attachment gives."""

    details_key: str
    operation: str  # ComputeClient list operation
    per_ad: bool  # the operation takes (availability_domain, compartment_id)
    edge: EdgeSpec  # read from each attachment


LISTINGS = (
    Listing("vnicAttachments", "list_vnic_attachments", False, EdgeSpec(HAS_VNIC, "vnicId", "Vnic")),
    Listing(
        "bootVolumeAttachments",
        "list_boot_volume_attachments",
        True,
        EdgeSpec(USES_BOOT_VOLUME, "bootVolumeId", "BootVolume"),
    ),
    Listing("volumeAttachments", "list_volume_attachments", False, EdgeSpec(USES_VOLUME, "volumeId", "Volume")),
)


def by_instance(items: Sequence[Any]) -> dict[str, list[Mapping[str, Any]]]:
    """The ATTACHED attachments of a listing by instance OCID, each list ordered by attachment id."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        if isinstance(item, Mapping) and item.get("lifecycleState") == "ATTACHED":
            out.setdefault(str(item.get("instanceId")), []).append(item)
    for attachments in out.values():
        attachments.sort(key=lambda a: str(a.get("id")))
    return out


def attachments(ctx: EnrichContext, listing: Listing, compartment_id: str, ad: str | None) -> Attachments:
    """The listing of one compartment in this region (and AD), made once per run and shared."""
    if listing.per_ad and not ad:
        return {}
    args = (ad, compartment_id) if listing.per_ad else (compartment_id,)

    def load() -> Attachments:
        return by_instance(list_all(getattr(ctx.client(COMPUTE), listing.operation), *args))

    return ctx.run.once((listing.operation, ctx.region, *args), load)


def unique(edges: Sequence[Relationship]) -> list[Relationship]:
    return list(dict.fromkeys(edges))


@register("Instance")
class InstanceEnricher(Enricher):
    """``get_instance``, plus its attachments from the shared per-compartment listings."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        ocid = summary["identifier"]
        data = call_get(ctx, COMPUTE, "get_instance", ocid)
        resource: dict[str, Any] = data if isinstance(data, dict) else {"value": data}
        compartment_id = str(resource.get("compartmentId") or summary["compartmentId"])
        ad = resource.get("availabilityDomain") or summary.get("availabilityDomain")
        extra: dict[str, list[Mapping[str, Any]]] = {}
        edges = edges_from(resource, INSTANCE_EDGES)
        for listing in LISTINGS:
            mine = list(attachments(ctx, listing, compartment_id, ad).get(ocid, ()))
            extra[listing.details_key] = mine
            edges.extend(edge for item in mine for edge in edges_from(item, (listing.edge,)))
        return EnrichResult(EnrichStatus.OK, details_of(summary, resource, **extra), unique(edges))


for _spec in SPECS:
    register_spec(_spec)
