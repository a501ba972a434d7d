"""Load balancer enrichers, declared as table rows: load balancers (LoadBalancerClient) and network load balancers
(NetworkLoadBalancerClient)."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import IN_NSG, IN_SUBNET

NSGS = EdgeSpec(IN_NSG, "networkSecurityGroupIds", "NetworkSecurityGroup")

SPECS = (
    GetSpec(
        "LoadBalancer",
        "oci.load_balancer.LoadBalancerClient",
        "get_load_balancer",
        edges=(EdgeSpec(IN_SUBNET, "subnetIds", "Subnet"), NSGS),
    ),
    GetSpec(
        "NetworkLoadBalancer",
        "oci.network_load_balancer.NetworkLoadBalancerClient",
        "get_network_load_balancer",
        edges=(EdgeSpec(IN_SUBNET, "subnetId", "Subnet"), NSGS),
    ),
)

for _spec in SPECS:
    register_spec(_spec)
