"""Media Services enrichers (``MediaServicesClient``), declared as table rows."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import PRODUCED_BY

MEDIA_SERVICES = "oci.media_services.MediaServicesClient"

SPECS = (
    GetSpec(
        "MediaAsset",
        MEDIA_SERVICES,
        "get_media_asset",
        edges=(EdgeSpec(PRODUCED_BY, "sourceMediaWorkflowId", "MediaWorkflow"),),
    ),
    GetSpec("MediaWorkflow", MEDIA_SERVICES, "get_media_workflow"),
)

for _spec in SPECS:
    register_spec(_spec)
