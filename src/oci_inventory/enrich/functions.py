"""Functions enrichers, declared as table rows (FunctionsManagementClient): applications and functions."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import IN_APPLICATION, IN_NSG, IN_SUBNET

FUNCTIONS = "oci.functions.FunctionsManagementClient"

SPECS = (
    GetSpec(
        "FunctionsApplication",
        FUNCTIONS,
        "get_application",
        edges=(
            EdgeSpec(IN_SUBNET, "subnetIds", "Subnet"),
            EdgeSpec(IN_NSG, "networkSecurityGroupIds", "NetworkSecurityGroup"),
        ),
    ),
    GetSpec(
        "FunctionsFunction",
        FUNCTIONS,
        "get_function",
        edges=(EdgeSpec(IN_APPLICATION, "applicationId", "FunctionsApplication"),),
    ),
)

for _spec in SPECS:
    register_spec(_spec)
