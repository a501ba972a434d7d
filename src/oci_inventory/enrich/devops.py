"""DevOps projects (DevopsClient) and Resource Manager stacks (ResourceManagerClient), declared as table rows."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import SENDS_TO

SPECS = (
    GetSpec(
        "DevOpsProject",
        "oci.devops.DevopsClient",
        "get_project",
        edges=(EdgeSpec(SENDS_TO, "notificationConfig.topicId", "OnsTopic"),),
    ),
    GetSpec("OrmStack", "oci.resource_manager.ResourceManagerClient", "get_stack"),
)

for _spec in SPECS:
    register_spec(_spec)
