"""API Gateway enrichers, declared as table rows: gateways (GatewayClient) and deployments (DeploymentClient)."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import IN_GATEWAY, IN_NSG, IN_SUBNET

SPECS = (
    GetSpec(
        "ApiGateway",
        "oci.apigateway.GatewayClient",
        "get_gateway",
        edges=(
            EdgeSpec(IN_SUBNET, "subnetId", "Subnet"),
            EdgeSpec(IN_NSG, "networkSecurityGroupIds", "NetworkSecurityGroup"),
        ),
    ),
    GetSpec(
        "ApiDeployment",
        "oci.apigateway.DeploymentClient",
        "get_deployment",
        edges=(EdgeSpec(IN_GATEWAY, "gatewayId", "ApiGateway"),),
    ),
)

for _spec in SPECS:
    register_spec(_spec)
