"""Networking enrichers against the emulator: every type OK with its wire fields, every edge resolving, and a
coherent topology (a subnet's route table and security lists in its VCN, routes to gateways of the same VCN)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.enrich.base import EdgeSpec, edges_from, read_path
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
from tests.enrich.conftest import DeepRun, edges_of

#: Search type -> wire fields its details must carry (besides the common ones).
WIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "Vcn": ("cidrBlock", "cidrBlocks", "dnsLabel", "defaultRouteTableId"),
    "Subnet": ("cidrBlock", "vcnId", "routeTableId", "securityListIds", "dhcpOptionsId", "prohibitPublicIpOnVnic"),
    "Vnic": ("subnetId", "nsgIds", "privateIp", "publicIp", "macAddress", "isPrimary", "availabilityDomain"),
    "SecurityList": ("vcnId", "ingressSecurityRules", "egressSecurityRules"),
    "RouteTable": ("vcnId", "routeRules"),
    "NetworkSecurityGroup": ("vcnId",),
    "InternetGateway": ("vcnId", "isEnabled"),
    "NatGateway": ("vcnId", "natIp", "publicIpId", "blockTraffic"),
    "ServiceGateway": ("vcnId", "services", "blockTraffic"),
    "Drg": ("defaultDrgRouteTables",),
    "DrgAttachment": ("drgId", "vcnId", "networkDetails", "drgRouteTableId"),
    "LocalPeeringGateway": ("vcnId", "peerId", "peeringStatus", "peerAdvertisedCidr"),
    "DhcpOptions": ("vcnId", "options", "domainNameType"),
    "PublicIp": ("ipAddress", "lifetime", "scope", "assignedEntityId", "assignedEntityType"),
}
COMMON = ("id", "compartmentId", "displayName", "lifecycleState", "searchSummary")
GATEWAYS = {"internetgateway", "natgateway", "servicegateway", "localpeeringgateway"}

#: (source type, relation, allowed target types) for every edge the networking rows declare.
EDGES = [
    ("Subnet", IN_VCN, {"Vcn"}),
    ("Subnet", USES_ROUTE_TABLE, {"RouteTable"}),
    ("Subnet", USES_SECURITY_LIST, {"SecurityList"}),
    ("Subnet", USES_DHCP_OPTIONS, {"DhcpOptions"}),
    ("Vnic", IN_SUBNET, {"Subnet"}),
    ("Vnic", IN_NSG, {"NetworkSecurityGroup"}),
    ("SecurityList", IN_VCN, {"Vcn"}),
    ("RouteTable", IN_VCN, {"Vcn"}),
    ("RouteTable", ROUTES_TO, {"InternetGateway", "NatGateway", "ServiceGateway", "Drg", "LocalPeeringGateway"}),
    ("NetworkSecurityGroup", IN_VCN, {"Vcn"}),
    ("InternetGateway", IN_VCN, {"Vcn"}),
    ("NatGateway", IN_VCN, {"Vcn"}),
    ("ServiceGateway", IN_VCN, {"Vcn"}),
    ("DrgAttachment", ATTACHED_TO, {"Drg", "Vcn"}),
    ("LocalPeeringGateway", IN_VCN, {"Vcn"}),
    ("LocalPeeringGateway", ATTACHED_TO, {"LocalPeeringGateway"}),
    ("DhcpOptions", IN_VCN, {"Vcn"}),
    ("PublicIp", ASSIGNED_TO, {"NatGateway"}),
]


def resource(record: dict[str, Any]) -> dict[str, Any]:
    return record["details"]


def vcn_id(run: DeepRun, ocid: str) -> Any:
    return resource(run.records[ocid]).get("vcnId")


# ----------------------------------------------------------------------------------------------- edge paths
def test_read_path_steps_into_every_item_of_a_list() -> None:
    answer = {"routeRules": [{"networkEntityId": "a"}, {"other": 1}, "not an object", {"networkEntityId": "b"}]}
    assert read_path(answer, "routeRules[].networkEntityId") == ["a", None, None, "b"]
    assert read_path({"a": [{"ids": ["x", "y"]}, {"ids": ["z"]}]}, "a[].ids") == ["x", "y", "z"]
    assert read_path({"routeRules": None}, "routeRules[].networkEntityId") is None
    assert read_path({"a": {"b": "c"}}, "a.b") == "c"


def test_edge_types_by_ocid_segment_and_conditions() -> None:
    spec = EdgeSpec(ROUTES_TO, "rules[].id", {"internetgateway": "InternetGateway", "drg": "Drg"})
    answer = {"rules": [{"id": "ocid1.internetgateway.oc1.iad.a"}, {"id": "ocid1.drg.oc1.iad.b"}, {"id": "x"}]}
    assert [(e.target_ocid, e.target_type) for e in edges_from(answer, [spec])] == [
        ("ocid1.internetgateway.oc1.iad.a", "InternetGateway"),
        ("ocid1.drg.oc1.iad.b", "Drg"),
    ]
    nat = EdgeSpec(ASSIGNED_TO, "assignedEntityId", "NatGateway", only_if=("assignedEntityType", "NAT_GATEWAY"))
    private = {"assignedEntityId": "ocid1.privateip.oc1.iad.p", "assignedEntityType": "PRIVATE_IP"}
    assert edges_from(private, [nat]) == []
    assigned = {"assignedEntityId": "ocid1.natgateway.oc1.iad.n", "assignedEntityType": "NAT_GATEWAY"}
    assert [e.target_type for e in edges_from(assigned, [nat])] == ["NatGateway"]


# ----------------------------------------------------------------------------------------------- every type
@pytest.mark.parametrize("resource_type", sorted(WIRE_FIELDS))
def test_records_are_ok_with_wire_fields(deep_run: DeepRun, resource_type: str) -> None:
    records = deep_run.of_type(resource_type)
    assert records, resource_type
    for record in records:
        assert record["enrichStatus"] == "OK", (record["ocid"], record["enrichError"])
        details = resource(record)
        assert details["id"] == record["ocid"]
        missing = [key for key in (*COMMON, *WIRE_FIELDS[resource_type]) if key not in details]
        assert not missing, (record["ocid"], missing)


@pytest.mark.parametrize("resource_type", sorted(WIRE_FIELDS))
def test_one_get_per_resource(deep_run: DeepRun, resource_type: str) -> None:
    calls = deep_run.summary["api_calls"]["by_type"]
    assert calls[resource_type] == len(deep_run.of_type(resource_type))


def test_networking_is_read_only(deep_run: DeepRun) -> None:
    operations = {f"Get{name}" for name in WIRE_FIELDS} | {"GetDrgAttachment"}
    network = [e for e in deep_run.emu.journal.entries() if e.operation in operations]
    assert {e.operation for e in network} == operations
    assert {(e.method, e.service, e.status) for e in network} == {("GET", "iaas", 200)}


@pytest.mark.parametrize(("source", "relation", "targets"), EDGES, ids=[f"{s}-{r}" for s, r, _ in EDGES])
def test_edges_exist_and_resolve(deep_run: DeepRun, source: str, relation: str, targets: set[str]) -> None:
    edges = [e for r in deep_run.of_type(source) for e in r["relationships"] if e["relation"] == relation]
    assert edges, f"no {relation} edge from any {source}"
    for edge in edges:
        target = deep_run.records.get(edge["targetOcid"])
        assert target is not None, edge
        assert target["resourceType"] in targets and edge["targetType"] == target["resourceType"], edge


# ----------------------------------------------------------------------------------------------- coherence
def test_subnet_route_table_security_lists_and_dhcp_are_in_its_vcn(deep_run: DeepRun) -> None:
    for subnet in deep_run.of_type("Subnet"):
        details = resource(subnet)
        vcn = details["vcnId"]
        assert edges_of(subnet, IN_VCN) == [vcn]
        parts = edges_of(subnet, USES_ROUTE_TABLE) + edges_of(subnet, USES_SECURITY_LIST)
        assert parts and {vcn_id(deep_run, ocid) for ocid in parts + edges_of(subnet, USES_DHCP_OPTIONS)} == {vcn}
        network = ipaddress.ip_network(resource(deep_run.records[vcn])["cidrBlock"])
        assert ipaddress.ip_network(details["cidrBlock"]).subnet_of(network)  # type: ignore[arg-type]


def test_vnic_address_and_nsgs_are_of_its_subnet(deep_run: DeepRun) -> None:
    with_nsg = 0
    for vnic in deep_run.of_type("Vnic"):
        details = resource(vnic)
        subnet = resource(deep_run.records[details["subnetId"]])
        assert ipaddress.ip_address(details["privateIp"]) in ipaddress.ip_network(subnet["cidrBlock"])
        assert {vcn_id(deep_run, nsg) for nsg in details["nsgIds"]} <= {subnet["vcnId"]}
        with_nsg += bool(details["nsgIds"])
        if subnet["prohibitPublicIpOnVnic"]:
            assert details["publicIp"] is None
    assert with_nsg


def test_routes_go_to_gateways_of_the_vcn_or_an_attached_drg(deep_run: DeepRun) -> None:
    attached = {(resource(a)["vcnId"], resource(a)["drgId"]) for a in deep_run.of_type("DrgAttachment")}
    seen: set[str] = set()
    for table in deep_run.of_type("RouteTable"):
        vcn = resource(table)["vcnId"]
        for target in edges_of(table, ROUTES_TO):
            kind = deep_run.records[target]["resourceType"].lower()
            seen.add(kind)
            if kind == "drg":
                assert (vcn, target) in attached
            else:
                assert kind in GATEWAYS and vcn_id(deep_run, target) == vcn
    assert {"internetgateway", "drg"} <= seen


def test_local_peering_is_symmetric_across_vcns(deep_run: DeepRun) -> None:
    peered = [g for g in deep_run.of_type("LocalPeeringGateway") if resource(g)["peerId"]]
    assert peered
    for lpg in peered:
        details, peer = resource(lpg), resource(deep_run.records[resource(lpg)["peerId"]])
        assert peer["peerId"] == lpg["ocid"] and details["peeringStatus"] == "PEERED"
        assert peer["vcnId"] != details["vcnId"]
        assert details["peerAdvertisedCidr"] == resource(deep_run.records[peer["vcnId"]])["cidrBlock"]


def test_public_ips_assigned_to_nat_gateways_are_named_back(deep_run: DeepRun) -> None:
    assigned = [ip for ip in deep_run.of_type("PublicIp") if edges_of(ip, ASSIGNED_TO)]
    assert assigned
    for ip in assigned:
        nat = resource(deep_run.records[resource(ip)["assignedEntityId"]])
        named = resource(deep_run.records[nat["publicIpId"]])
        assert named["assignedEntityId"] == nat["id"]
    for ip in deep_run.of_type("PublicIp"):  # private IPs are not Search resources: no edge to them
        if resource(ip)["assignedEntityType"] != "NAT_GATEWAY":
            assert not edges_of(ip, ASSIGNED_TO)


def test_drg_attachment_joins_a_drg_and_a_vcn(deep_run: DeepRun) -> None:
    for attachment in deep_run.of_type("DrgAttachment"):
        details = resource(attachment)
        assert set(edges_of(attachment, ATTACHED_TO)) == {details["drgId"], details["vcnId"]}
        assert details["networkDetails"] == {
            "type": "VCN",
            "id": details["vcnId"],
            "routeTableId": None,
            "vcnRouteType": "SUBNET_CIDRS",
        }
        drg = resource(deep_run.records[details["drgId"]])
        assert details["drgRouteTableId"] == drg["defaultDrgRouteTables"]["vcn"]


def test_vcn_defaults_are_its_own(deep_run: DeepRun) -> None:
    for vcn in deep_run.of_type("Vcn"):
        details = resource(vcn)
        for key in ("defaultRouteTableId", "defaultSecurityListId", "defaultDhcpOptionsId"):
            if details[key] is not None:
                assert vcn_id(deep_run, details[key]) == vcn["ocid"]


# ----------------------------------------------------------------------------------------------- DHCPOptions
def test_dhcp_options_spelled_as_search_returns_them_are_enriched(tenancy: Any, tmp_path: Path, cli: Any) -> None:
    from oci_emulator.model.refs import is_stale
    from oci_emulator.model.tenancy import region_of

    model = tenancy.emu.model
    target = next(
        r
        for r in model.resources
        if r["resourceType"] == "DhcpOptions"
        and r["lifecycleState"] == "AVAILABLE"
        and not is_stale(model, r["identifier"])
    )
    model.resources = [
        {**r, "resourceType": "DHCPOptions"} if r is target else r for r in model.resources
    ]  # replace, never edit: readers may hold the old record
    model.touch()
    region = str(region_of(target["identifier"]))
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet", "--regions", region)
    assert result.code in (0, 4), result.err
    run_dir = next(p for p in (tmp_path / "out").iterdir() if p.name[:1].isdigit())
    lines = (run_dir / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
    record = next(r for r in map(json.loads, lines) if r["ocid"] == target["identifier"])
    assert record["resourceType"] == "DHCPOptions"
    assert record["enrichStatus"] == "OK"
    assert record["details"]["searchSummary"]["resourceType"] == "DHCPOptions"
    assert edges_of(record, IN_VCN) == [record["details"]["vcnId"]]
