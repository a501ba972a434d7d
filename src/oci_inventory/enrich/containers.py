"""Container enrichers, declared as table rows: OKE clusters and virtual node pools (ContainerEngineClient),
container instances, and container registry repositories (ArtifactsClient).

Search publishes OKE node pools only as ``ClustersVirtualNodePool``; managed node pools are not Search resources.
A container instance names its VNICs only (``vnics[].vnicId``); the subnet is the VNIC's own edge.
"""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import ENCRYPTED_BY, HAS_VNIC, IN_CLUSTER, IN_NSG, IN_SUBNET, IN_VCN

CONTAINER_ENGINE = "oci.container_engine.ContainerEngineClient"

SPECS = (
    GetSpec(
        "ClustersCluster",
        CONTAINER_ENGINE,
        "get_cluster",
        edges=(
            EdgeSpec(IN_VCN, "vcnId", "Vcn"),
            EdgeSpec(IN_SUBNET, "endpointConfig.subnetId", "Subnet"),
            EdgeSpec(IN_NSG, "endpointConfig.nsgIds", "NetworkSecurityGroup"),
            EdgeSpec(ENCRYPTED_BY, "kmsKeyId", "Key"),
        ),
    ),
    GetSpec(
        "ClustersVirtualNodePool",
        CONTAINER_ENGINE,
        "get_virtual_node_pool",
        edges=(
            EdgeSpec(IN_CLUSTER, "clusterId", "ClustersCluster"),
            EdgeSpec(IN_SUBNET, "placementConfigurations[].subnetId", "Subnet"),
            EdgeSpec(IN_NSG, "nsgIds", "NetworkSecurityGroup"),
        ),
    ),
    GetSpec(
        "ContainerInstance",
        "oci.container_instances.ContainerInstanceClient",
        "get_container_instance",
        edges=(EdgeSpec(HAS_VNIC, "vnics[].vnicId", "Vnic"),),
    ),
    GetSpec("ContainerRepo", "oci.artifacts.ArtifactsClient", "get_container_repository"),
)

for _spec in SPECS:
    register_spec(_spec)
