"""Container enrichers against the emulator: OKE clusters and virtual node pools, container instances and container
repositories are OK with their wire fields, every edge resolves, and a node pool sits in its cluster's VCN."""

from __future__ import annotations

import pytest

from oci_inventory.enrich.relations import ENCRYPTED_BY, HAS_VNIC, IN_CLUSTER, IN_NSG, IN_SUBNET, IN_VCN
from tests.enrich.conftest import DeepRun, edges_of
from tests.enrich.test_database import (
    check_edges_resolve,
    check_nsgs_in_subnet_vcn,
    check_ok_with_fields,
    enriched,
    gets_per_operation,
)

WIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "ClustersCluster": ("name", "vcnId", "endpointConfig", "kubernetesVersion", "endpoints", "options", "type"),
    "ClustersVirtualNodePool": ("clusterId", "kubernetesVersion", "size", "placementConfigurations", "nsgIds"),
    "ContainerInstance": ("availabilityDomain", "shape", "shapeConfig", "containers", "containerCount", "vnics"),
    "ContainerRepo": ("displayName", "imageCount", "isPublic", "isImmutable", "namespace", "readme"),
}

EDGES = [
    ("ClustersCluster", IN_VCN, "Vcn"),
    ("ClustersCluster", IN_SUBNET, "Subnet"),
    ("ClustersCluster", IN_NSG, "NetworkSecurityGroup"),
    ("ClustersCluster", ENCRYPTED_BY, "Key"),
    ("ClustersVirtualNodePool", IN_CLUSTER, "ClustersCluster"),
    ("ClustersVirtualNodePool", IN_SUBNET, "Subnet"),
    ("ClustersVirtualNodePool", IN_NSG, "NetworkSecurityGroup"),
    ("ContainerInstance", HAS_VNIC, "Vnic"),
]


@pytest.mark.parametrize("resource_type", sorted(WIRE_FIELDS))
def test_every_record_is_ok_with_its_wire_fields(deep_run: DeepRun, resource_type: str) -> None:
    check_ok_with_fields(deep_run, resource_type, WIRE_FIELDS[resource_type])


@pytest.mark.parametrize(("source", "relation", "target"), EDGES)
def test_every_edge_resolves_to_a_record_of_its_type(
    deep_run: DeepRun, source: str, relation: str, target: str
) -> None:
    check_edges_resolve(deep_run, source, relation, target)


@pytest.mark.parametrize("resource_type", ["ClustersCluster", "ClustersVirtualNodePool"])
def test_nsgs_are_in_the_vcn_of_the_subnet(deep_run: DeepRun, resource_type: str) -> None:
    check_nsgs_in_subnet_vcn(deep_run, resource_type)


def test_a_cluster_endpoint_subnet_is_in_the_cluster_vcn(deep_run: DeepRun) -> None:
    for record in enriched(deep_run, "ClustersCluster"):
        (vcn,) = edges_of(record, IN_VCN)
        for subnet in edges_of(record, IN_SUBNET):
            assert deep_run.records[subnet]["details"]["vcnId"] == vcn, record["ocid"]


def test_a_node_pool_places_its_nodes_in_its_cluster_vcn(deep_run: DeepRun) -> None:
    """An IN_SUBNET edge per subnet of the placement configurations (the list path
    ``placementConfigurations[].subnetId``), each a subnet of the VCN of the pool's cluster."""
    for record in enriched(deep_run, "ClustersVirtualNodePool"):
        placements = record["details"]["placementConfigurations"]
        assert set(edges_of(record, IN_SUBNET)) == {p["subnetId"] for p in placements}
        (cluster,) = edges_of(record, IN_CLUSTER)
        vcn = deep_run.records[cluster]["details"]["vcnId"]
        assert {deep_run.records[s]["details"]["vcnId"] for s in edges_of(record, IN_SUBNET)} == {vcn}


def test_a_container_instance_links_each_of_its_vnics(deep_run: DeepRun) -> None:
    for record in enriched(deep_run, "ContainerInstance"):
        assert set(edges_of(record, HAS_VNIC)) == {v["vnicId"] for v in record["details"]["vnics"]}


def test_each_record_costs_one_get(deep_run: DeepRun) -> None:
    calls = gets_per_operation(deep_run)
    assert calls["GET", "containerengine", "GetCluster"] == len(enriched(deep_run, "ClustersCluster"))
    assert calls["GET", "containerengine", "GetVirtualNodePool"] == len(enriched(deep_run, "ClustersVirtualNodePool"))
    assert calls["GET", "compute-containers", "GetContainerInstance"] == len(enriched(deep_run, "ContainerInstance"))
    assert calls["GET", "artifacts", "GetContainerRepository"] == len(enriched(deep_run, "ContainerRepo"))
