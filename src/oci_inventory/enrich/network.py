"""Networking enrichers (VirtualNetworkClient), declared as table rows: one ``get`` each, edges read from the answer.

Search publishes DHCP options as both ``DhcpOptions`` and ``DHCPOptions``; the registry matches types
case-insensitively, so the one row serves both and records keep the spelling Search returned.
"""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import (
    ASSIGNED_TO,
    ATTACHED_TO,
    IN_NSG,
    IN_SUBNET,
    IN_VCN,
    ROUTES_TO,
    USES_DHCP_OPTIONS,
    USES_ROUTE_TABLE,
    USES_SECURITY_LIST,
)

VIRTUAL_NETWORK = "oci.core.VirtualNetworkClient"

#: What a route rule's ``networkEntityId`` may name, by the OCID's type segment.
ROUTE_TARGETS = {
    "internetgateway": "InternetGateway",
    "natgateway": "NatGateway",
    "servicegateway": "ServiceGateway",
    "drg": "Drg",
    "localpeeringgateway": "LocalPeeringGateway",
    "privateip": "PrivateIp",
}

_IN_VCN = EdgeSpec(IN_VCN, "vcnId", "Vcn")


def _vcn_bound(resource_type: str, operation: str, *edges: EdgeSpec) -> GetSpec:
    return GetSpec(resource_type, VIRTUAL_NETWORK, operation, edges=(_IN_VCN, *edges))


SPECS = (
    GetSpec("Vcn", VIRTUAL_NETWORK, "get_vcn"),
    _vcn_bound(
        "Subnet",
        "get_subnet",
        EdgeSpec(USES_ROUTE_TABLE, "routeTableId", "RouteTable"),
        EdgeSpec(USES_SECURITY_LIST, "securityListIds", "SecurityList"),
        EdgeSpec(USES_DHCP_OPTIONS, "dhcpOptionsId", "DhcpOptions"),
    ),
    GetSpec(
        "Vnic",
        VIRTUAL_NETWORK,
        "get_vnic",
        edges=(EdgeSpec(IN_SUBNET, "subnetId", "Subnet"), EdgeSpec(IN_NSG, "nsgIds", "NetworkSecurityGroup")),
    ),
    _vcn_bound("SecurityList", "get_security_list"),
    _vcn_bound("RouteTable", "get_route_table", EdgeSpec(ROUTES_TO, "routeRules[].networkEntityId", ROUTE_TARGETS)),
    _vcn_bound("NetworkSecurityGroup", "get_network_security_group"),
    _vcn_bound("InternetGateway", "get_internet_gateway"),
    _vcn_bound("NatGateway", "get_nat_gateway"),
    _vcn_bound("ServiceGateway", "get_service_gateway"),
    _vcn_bound(
        "LocalPeeringGateway", "get_local_peering_gateway", EdgeSpec(ATTACHED_TO, "peerId", "LocalPeeringGateway")
    ),
    _vcn_bound("DhcpOptions", "get_dhcp_options"),
    GetSpec("Drg", VIRTUAL_NETWORK, "get_drg"),
    GetSpec(
        "DrgAttachment",
        VIRTUAL_NETWORK,
        "get_drg_attachment",
        edges=(
            EdgeSpec(ATTACHED_TO, "drgId", "Drg"),
            EdgeSpec(ATTACHED_TO, "vcnId", "Vcn"),  # deprecated, still sent for VCN attachments
            EdgeSpec(ATTACHED_TO, "networkDetails.id", "Vcn", only_if=("networkDetails.type", "VCN")),
        ),
    ),
    GetSpec(
        "PublicIp",
        VIRTUAL_NETWORK,
        "get_public_ip",
        # A private IP is not a Search resource: only NAT gateway assignments are edges.
        edges=(EdgeSpec(ASSIGNED_TO, "assignedEntityId", "NatGateway", only_if=("assignedEntityType", "NAT_GATEWAY")),),
    ),
)

for _spec in SPECS:
    register_spec(_spec)
