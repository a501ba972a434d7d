"""Database enrichers against the emulator: DB systems, DB nodes, Autonomous Databases and MySQL DB systems are OK
with their wire fields, every edge resolves, and each record costs one ``get`` on the right service.

The helpers at the top are shared with ``test_containers.py`` and ``test_apps.py``."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from oci_inventory.enrich.relations import ENCRYPTED_BY, HAS_VNIC, IN_DB_SYSTEM, IN_NSG, IN_SUBNET
from tests.enrich.conftest import DeepRun, edges_of

COMMON = ("id", "compartmentId", "lifecycleState", "searchSummary")


def enriched(run: DeepRun, resource_type: str) -> list[dict[str, Any]]:
    """The records of a type that were not SKIPPED (terminated), in OCID order; at least one."""
    records = sorted((r for r in run.of_type(resource_type) if r["enrichStatus"] != "SKIPPED"), key=lambda r: r["ocid"])
    assert records, f"the deep tenancy has no live {resource_type}"
    return records


def check_ok_with_fields(run: DeepRun, resource_type: str, fields: tuple[str, ...]) -> None:
    for record in enriched(run, resource_type):
        assert record["enrichStatus"] == "OK", (record["ocid"], record["enrichError"])
        details = record["details"]
        assert [f for f in (*COMMON, *fields) if f not in details] == [], record["ocid"]
        assert details["id"] == record["ocid"]
        assert details["searchSummary"]["identifier"] == record["ocid"]


def check_edges_resolve(run: DeepRun, source: str, relation: str, target: str) -> int:
    """Every ``relation`` edge of the source type's records names a record of type ``target`` in the same region,
    and the edge's targetType says so. Returns how many there are (at least one)."""
    found = 0
    for record in run.of_type(source):
        for edge in (e for e in record["relationships"] if e["relation"] == relation):
            other = run.records.get(edge["targetOcid"])
            assert other is not None, (record["ocid"], edge)
            assert other["resourceType"] == target == edge["targetType"], (record["ocid"], edge)
            assert other["region"] == record["region"], (record["ocid"], edge)
            found += 1
    assert found, f"no {source} has a {relation} edge"
    return found


def check_nsgs_in_subnet_vcn(run: DeepRun, resource_type: str) -> None:
    """A resource's NSGs belong to the VCN of its subnet(s)."""
    checked = 0
    for record in enriched(run, resource_type):
        vcns = {run.records[s]["details"].get("vcnId") for s in edges_of(record, IN_SUBNET)}
        for nsg in edges_of(record, IN_NSG):
            assert run.records[nsg]["details"].get("vcnId") in vcns, (record["ocid"], nsg)
            checked += 1
    assert checked, f"no {resource_type} has an NSG"


def gets_per_operation(run: DeepRun) -> Counter[tuple[str, str, str]]:
    return Counter((e.method, e.service, e.operation) for e in run.emu.journal.entries())


WIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "DbSystem": ("shape", "subnetId", "nsgIds", "availabilityDomain", "cpuCoreCount", "databaseEdition", "hostname"),
    "DbNode": ("dbSystemId", "vnicId", "hostname", "faultDomain", "hostIpId"),
    "AutonomousDatabase": ("dbName", "dbWorkload", "computeModel", "subnetId", "nsgIds", "isMtlsConnectionRequired"),
    "MysqlDbSystem": ("shapeName", "mysqlVersion", "subnetId", "nsgIds", "ipAddress", "port", "availabilityDomain"),
}

EDGES = [
    ("DbSystem", IN_SUBNET, "Subnet"),
    ("DbSystem", IN_NSG, "NetworkSecurityGroup"),
    ("DbSystem", ENCRYPTED_BY, "Key"),
    ("DbNode", IN_DB_SYSTEM, "DbSystem"),
    ("DbNode", HAS_VNIC, "Vnic"),
    ("AutonomousDatabase", IN_SUBNET, "Subnet"),
    ("AutonomousDatabase", IN_NSG, "NetworkSecurityGroup"),
    ("AutonomousDatabase", ENCRYPTED_BY, "Key"),
    ("MysqlDbSystem", IN_SUBNET, "Subnet"),
    ("MysqlDbSystem", IN_NSG, "NetworkSecurityGroup"),
]


@pytest.mark.parametrize("resource_type", sorted(WIRE_FIELDS))
def test_every_record_is_ok_with_its_wire_fields(deep_run: DeepRun, resource_type: str) -> None:
    check_ok_with_fields(deep_run, resource_type, WIRE_FIELDS[resource_type])


@pytest.mark.parametrize(("source", "relation", "target"), EDGES)
def test_every_edge_resolves_to_a_record_of_its_type(
    deep_run: DeepRun, source: str, relation: str, target: str
) -> None:
    check_edges_resolve(deep_run, source, relation, target)


@pytest.mark.parametrize("resource_type", ["DbSystem", "AutonomousDatabase", "MysqlDbSystem"])
def test_nsgs_are_in_the_vcn_of_the_subnet(deep_run: DeepRun, resource_type: str) -> None:
    check_nsgs_in_subnet_vcn(deep_run, resource_type)


def test_public_autonomous_databases_have_no_network_edges_and_private_ones_do(deep_run: DeepRun) -> None:
    public: list[dict[str, Any]] = []
    private: list[dict[str, Any]] = []
    for record in enriched(deep_run, "AutonomousDatabase"):
        subnet = record["details"]["subnetId"]
        (private if subnet else public).append(record)
        assert edges_of(record, IN_SUBNET) == ([subnet] if subnet else [])
        assert set(edges_of(record, IN_NSG)) == set(record["details"]["nsgIds"] or [])
    assert public and private
    assert all(not edges_of(r, IN_NSG) and r["details"]["isMtlsConnectionRequired"] for r in public)


def test_a_db_node_belongs_to_a_db_system_of_its_region(deep_run: DeepRun) -> None:
    for record in enriched(deep_run, "DbNode"):
        assert edges_of(record, IN_DB_SYSTEM) == [record["details"]["dbSystemId"]]
        assert edges_of(record, HAS_VNIC) == [record["details"]["vnicId"]]


def test_each_record_costs_one_get_on_its_own_service(deep_run: DeepRun) -> None:
    """MySQL and Database both answer ``GetDbSystem``, on different hosts and API versions: no record is sent to the
    other service, and nothing but GETs is asked."""
    calls = gets_per_operation(deep_run)
    assert calls["GET", "database", "GetDbSystem"] == len(enriched(deep_run, "DbSystem"))
    assert calls["GET", "mysql", "GetDbSystem"] == len(enriched(deep_run, "MysqlDbSystem"))
    assert calls["GET", "database", "GetDbNode"] == len(enriched(deep_run, "DbNode"))
    assert calls["GET", "database", "GetAutonomousDatabase"] == len(enriched(deep_run, "AutonomousDatabase"))
    assert {method for method, service, _ in calls if service in ("database", "mysql")} == {"GET"}
