"""Application-tier enrichers against the emulator: load balancers, functions, API gateways, file storage, DevOps
projects and Resource Manager stacks. Every type is OK with its wire fields, every edge resolves, functions and
deployments belong to applications and gateways of their region, and a mount target's exports are listed once per
compartment and region, not once per mount target."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from oci_inventory.enrich.relations import (
    ENCRYPTED_BY,
    IN_APPLICATION,
    IN_GATEWAY,
    IN_NSG,
    IN_SUBNET,
    MOUNTS,
    SENDS_TO,
)
from tests.enrich.conftest import DeepRun, edges_of
from tests.enrich.test_database import (
    check_edges_resolve,
    check_nsgs_in_subnet_vcn,
    check_ok_with_fields,
    enriched,
    gets_per_operation,
)

WIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "LoadBalancer": ("shapeName", "ipAddresses", "isPrivate", "subnetIds", "networkSecurityGroupIds", "listeners"),
    "NetworkLoadBalancer": ("ipAddresses", "isPrivate", "subnetId", "networkSecurityGroupIds", "backendSets"),
    "FunctionsApplication": ("subnetIds", "networkSecurityGroupIds", "shape", "config"),
    "FunctionsFunction": ("applicationId", "memoryInMBs", "timeoutInSeconds", "invokeEndpoint", "sourceDetails"),
    "ApiGateway": ("endpointType", "subnetId", "hostname", "ipAddresses", "networkSecurityGroupIds"),
    "ApiDeployment": ("gatewayId", "pathPrefix", "endpoint", "specification"),
    "FileSystem": ("availabilityDomain", "meteredBytes", "kmsKeyId", "sourceDetails"),
    "MountTarget": ("availabilityDomain", "exportSetId", "subnetId", "nsgIds", "privateIpIds", "exports"),
    "DevOpsProject": ("name", "namespace", "notificationConfig"),
    "OrmStack": ("configSource", "terraformVersion", "variables", "stackDriftStatus"),
}

EDGES = [
    ("LoadBalancer", IN_SUBNET, "Subnet"),
    ("LoadBalancer", IN_NSG, "NetworkSecurityGroup"),
    ("NetworkLoadBalancer", IN_SUBNET, "Subnet"),
    ("NetworkLoadBalancer", IN_NSG, "NetworkSecurityGroup"),
    ("FunctionsApplication", IN_SUBNET, "Subnet"),
    ("FunctionsApplication", IN_NSG, "NetworkSecurityGroup"),
    ("FunctionsFunction", IN_APPLICATION, "FunctionsApplication"),
    ("ApiGateway", IN_SUBNET, "Subnet"),
    ("ApiGateway", IN_NSG, "NetworkSecurityGroup"),
    ("ApiDeployment", IN_GATEWAY, "ApiGateway"),
    ("FileSystem", ENCRYPTED_BY, "Key"),
    ("MountTarget", IN_SUBNET, "Subnet"),
    ("MountTarget", IN_NSG, "NetworkSecurityGroup"),
    ("MountTarget", MOUNTS, "FileSystem"),
    ("DevOpsProject", SENDS_TO, "OnsTopic"),
]

#: (service host prefix, operation) of the one get each type costs.
GETS = {
    "LoadBalancer": ("iaas", "GetLoadBalancer"),
    "NetworkLoadBalancer": ("network-load-balancer-api", "GetNetworkLoadBalancer"),
    "FunctionsApplication": ("functions", "GetApplication"),
    "FunctionsFunction": ("functions", "GetFunction"),
    "ApiGateway": ("apigateway", "GetGateway"),
    "ApiDeployment": ("apigateway", "GetDeployment"),
    "FileSystem": ("filestorage", "GetFileSystem"),
    "MountTarget": ("filestorage", "GetMountTarget"),
    "DevOpsProject": ("devops", "GetProject"),
    "OrmStack": ("resourcemanager", "GetStack"),
}


@pytest.mark.parametrize("resource_type", sorted(WIRE_FIELDS))
def test_every_record_is_ok_with_its_wire_fields(deep_run: DeepRun, resource_type: str) -> None:
    check_ok_with_fields(deep_run, resource_type, WIRE_FIELDS[resource_type])


@pytest.mark.parametrize(("source", "relation", "target"), EDGES)
def test_every_edge_resolves_to_a_record_of_its_type(
    deep_run: DeepRun, source: str, relation: str, target: str
) -> None:
    check_edges_resolve(deep_run, source, relation, target)


@pytest.mark.parametrize(
    "resource_type", ["LoadBalancer", "NetworkLoadBalancer", "FunctionsApplication", "ApiGateway", "MountTarget"]
)
def test_nsgs_are_in_the_vcn_of_the_subnet(deep_run: DeepRun, resource_type: str) -> None:
    check_nsgs_in_subnet_vcn(deep_run, resource_type)


@pytest.mark.parametrize("resource_type", sorted(GETS))
def test_each_record_costs_one_get(deep_run: DeepRun, resource_type: str) -> None:
    service, operation = GETS[resource_type]
    assert gets_per_operation(deep_run)["GET", service, operation] == len(enriched(deep_run, resource_type))


def test_every_function_belongs_to_an_application(deep_run: DeepRun) -> None:
    for record in enriched(deep_run, "FunctionsFunction"):
        assert edges_of(record, IN_APPLICATION) == [record["details"]["applicationId"]]


def test_a_deployment_is_served_on_its_gateway_hostname(deep_run: DeepRun) -> None:
    for record in enriched(deep_run, "ApiDeployment"):
        (gateway,) = edges_of(record, IN_GATEWAY)
        hostname = deep_run.records[gateway]["details"]["hostname"]
        assert record["details"]["endpoint"] == f"https://{hostname}{record['details']['pathPrefix']}"


def test_a_mount_target_mounts_the_file_systems_of_its_exports(deep_run: DeepRun) -> None:
    """MOUNTS = the file systems of the exports of the mount target's export set (kept in details.exports); a file
    system and the mount target exporting it share an availability domain."""
    mounting = 0
    for record in enriched(deep_run, "MountTarget"):
        details = record["details"]
        assert {e["exportSetId"] for e in details["exports"]} <= {details["exportSetId"]}
        assert set(edges_of(record, MOUNTS)) == {e["fileSystemId"] for e in details["exports"]}
        for fs in edges_of(record, MOUNTS):
            assert deep_run.records[fs]["details"]["availabilityDomain"] == details["availabilityDomain"]
            mounting += 1
    assert mounting


def test_exports_are_listed_once_per_compartment_and_region(deep_run: DeepRun) -> None:
    listings = [e for e in deep_run.emu.journal.entries() if e.operation == "ListExports"]
    asked = sorted((e.region, parse_qs(urlsplit(e.path).query)["compartmentId"][0]) for e in listings)
    wanted = sorted({(r["region"], r["compartmentId"]) for r in enriched(deep_run, "MountTarget")})
    assert asked == wanted
    assert {e.method for e in listings} == {"GET"}


def run_inventory(cli: Any, args: list[str], out: Path) -> list[dict[str, Any]]:
    result = cli("run", *args, "--outdir", str(out), "--quiet")
    assert result.code in (0, 4), result.err
    run_dir = next(p for p in out.iterdir() if p.name[:1].isdigit())
    return [json.loads(line) for line in (run_dir / "inventory.jsonl").read_text(encoding="utf-8").splitlines()]


def mount_target_groups(records: list[dict[str, Any]], entries: list[Any]) -> dict[tuple[str, str], list[Any]]:
    """Mount target records whose get answered, by (region, compartment)."""
    answered = {e.path.rsplit("/", 1)[-1] for e in entries if e.operation == "GetMountTarget" and e.status == 200}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record["resourceType"] == "MountTarget" and record["ocid"] in answered:
            groups[record["region"], record["compartmentId"]].append(record)
    return groups


def listed_in(entry: Any) -> tuple[str, str]:
    return entry.region, parse_qs(urlsplit(entry.path).query)["compartmentId"][0]


def test_a_refused_export_listing_is_asked_once_for_all_mount_targets_of_its_compartment(
    cli: Any, tenancy: Any, tmp_path: Path
) -> None:
    """Every ListExports answers 404: each compartment and region is asked once (the failure is shared, not asked
    again for the next mount target), and every mount target becomes an ERROR record with the OCI code."""
    tenancy.emu.faults.fail_next(999, status=404, code="NotAuthorizedOrNotFound", operation="ListExports")
    records = run_inventory(cli, tenancy.args, tmp_path / "out")
    entries = tenancy.emu.journal.entries()
    groups = mount_target_groups(records, entries)
    assert max(len(members) for members in groups.values()) > 1  # a compartment that shares its listing
    assert sorted(listed_in(e) for e in entries if e.operation == "ListExports") == sorted(groups)
    for members in groups.values():
        assert all(r["enrichError"].startswith("404 NotAuthorizedOrNotFound:") for r in members)


def test_a_refused_export_listing_leaves_other_compartments_ok(cli: Any, tenancy: Any, tmp_path: Path) -> None:
    tenancy.emu.faults.fail_next(1, status=404, code="NotAuthorizedOrNotFound", operation="ListExports")
    records = run_inventory(cli, tenancy.args, tmp_path / "out")
    entries = tenancy.emu.journal.entries()
    (refused,) = [listed_in(e) for e in entries if e.operation == "ListExports" and e.status == 404]
    for key, members in mount_target_groups(records, entries).items():
        assert {r["enrichStatus"] for r in members} == ({"ERROR"} if key == refused else {"OK"}), key
