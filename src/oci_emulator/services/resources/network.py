"""Networking (``iaas``, VirtualNetworkClient): VCNs and what hangs off them, as one coherent topology.

Every VCN-bound resource (route table, security list, DHCP options, NSG, gateways, local peering gateway) picks
its VCN with :func:`vcn_of`. A subnet picks a VCN that has a route table, a security list and DHCP options (when
the region has one), then those among the VCN's own. A VNIC's subnet is :func:`vnic_subnet_id` (VNIC attachments
of the compute family must use it), and its NSGs belong to the subnet's VCN. A route table routes to gateways of
its VCN and to DRGs attached to it. A public IP in state ASSIGNED is assigned to a NAT gateway or to a private IP
(not a Search resource); the NAT gateway names it back. Local peering gateways are peered in pairs across VCNs.
Picks are remembered by the model (``model/refs.py``), so they stay the same across mutations; the pairing of
peers and which public IP a NAT gateway names back are derived views, recomputed after a mutation.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow

IAAS = "iaas"
BASE = "/20160918"
_PUBLIC_FIRST_OCTETS = (129, 130, 132, 138, 140, 141, 144, 150, 152, 158, 193)


# ----------------------------------------------------------------------------------------------- topology
def vcn_of(refs: Refs, s: Record) -> str | None:
    """The VCN of a VCN-bound resource other than a subnet."""
    return refs.pick(s, "Vcn", "vcn")


def members(refs: Refs, region: str | None, resource_type: str) -> dict[str, list[str]]:
    """VCN OCID → the live resources of ``resource_type`` (VCN-bound, not Subnet) that belong to it."""

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in refs.of_type(region, resource_type):
            vcn = vcn_of(refs, r)
            if vcn is not None:
                out.setdefault(vcn, []).append(r["identifier"])
        return out

    index: dict[str, list[str]] = refs.model.cached_view(("net:members", region, resource_type.lower()), build)
    return index


def in_vcn(refs: Refs, vcn: str | None) -> Callable[[Record], bool]:
    return lambda r: vcn is not None and vcn_of(refs, r) == vcn


def subnet_vcn(refs: Refs, s: Record) -> str | None:
    """A subnet's VCN: one that has the route table, security list and DHCP options a subnet needs."""
    region = region_of(s["identifier"])
    needs = ("RouteTable", "SecurityList", "DhcpOptions")

    def complete(v: Record) -> bool:
        return all(v["identifier"] in members(refs, region, t) for t in needs)

    return refs.pick(s, "Vcn", "subnet-vcn", where=complete) or vcn_of(refs, s)


def vnic_subnet_id(refs: Refs, vnic: Record) -> str | None:
    """The subnet of a VNIC (its ``subnetId``); the compute family's VNIC attachments use the same."""
    return refs.pick(vnic, "Subnet", "vnic-subnet")


def attached_drgs(refs: Refs, region: str | None) -> dict[str, set[str]]:
    """VCN OCID → the DRGs a live DRG attachment joins it to."""

    def build() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for att in refs.of_type(region, "DrgAttachment"):
            vcn, drg = vcn_of(refs, att), refs.pick(att, "Drg", "drg")
            if vcn is not None and drg is not None:
                out.setdefault(vcn, set()).add(drg)
        return out

    index: dict[str, set[str]] = refs.model.cached_view(("net:drgs", region), build)
    return index


def lpg_peers(refs: Refs, region: str | None) -> dict[str, str]:
    """Local peering gateway → its peer (both ways), pairing willing gateways of different VCNs in OCID order."""

    def build() -> dict[str, str]:
        willing = [g for g in refs.of_type(region, "LocalPeeringGateway") if refs.rng(g, "peer").random() < 0.7]
        peers: dict[str, str] = {}
        for a in willing:
            if a["identifier"] in peers:
                continue
            b = next(
                (
                    c
                    for c in willing
                    if c["identifier"] not in peers and c is not a and vcn_of(refs, c) != vcn_of(refs, a)
                ),
                None,
            )
            if b is not None:
                peers[a["identifier"]], peers[b["identifier"]] = b["identifier"], a["identifier"]
        return peers

    index: dict[str, str] = refs.model.cached_view(("net:lpg-peers", region), build)
    return index


def nat_public_ips(refs: Refs, region: str | None) -> dict[str, str]:
    """NAT gateway → the public IP assigned to it (the lowest OCID when several are)."""

    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        for ip in refs.of_type(region, "PublicIp"):
            entity, kind = assignment(refs, ip)
            if kind == "NAT_GATEWAY" and entity is not None:
                out.setdefault(entity, ip["identifier"])
        return out

    index: dict[str, str] = refs.model.cached_view(("net:nat-ips", region), build)
    return index


def assignment(refs: Refs, ip: Record) -> tuple[str | None, str | None]:
    """(assignedEntityId, assignedEntityType) of a public IP: only ASSIGNED ones are assigned."""
    if str(ip.get("lifecycleState")).upper() != "ASSIGNED":
        return None, None
    nat = refs.pick(ip, "NatGateway", "publicip-nat") if refs.rng(ip, "assign").random() < 0.6 else None
    if nat is not None:
        return nat, "NAT_GATEWAY"
    return synthetic_ocid(refs, ip, "privateip", "assigned"), "PRIVATE_IP"


# ----------------------------------------------------------------------------------------------- helpers
def synthetic_ocid(refs: Refs, s: Record, kind: str, salt: str) -> str:
    """A stable OCID of something that is not a Search resource (a private IP, a DRG route table)."""
    region_key = s["identifier"].split(".")[3]
    bits = refs.rng(s, f"ocid:{kind}:{salt}").getrandbits(260).to_bytes(33, "big")
    return f"ocid1.{kind}.oc1.{region_key}.aaaaaaaa" + base64.b32encode(bits).decode("ascii")[:52].lower()


def vcn_octet(refs: Refs, vcn: str) -> int:
    return refs.rng({"identifier": vcn}, "vcn").randrange(0, 256)


def vcn_cidr(refs: Refs, vcn: str | None) -> str | None:
    return None if vcn is None else f"10.{vcn_octet(refs, vcn)}.0.0/16"


def vcn_domain(refs: Refs, vcn: str | None) -> str | None:
    return None if vcn is None else f"vcn{vcn_octet(refs, vcn)}.oraclevcn.com"


def first_of(refs: Refs, s: Record, resource_type: str, vcn: str | None, salt: str) -> str | None:
    return refs.pick(s, resource_type, salt, where=in_vcn(refs, vcn))


def mac(rng_value: int) -> str:
    return "02:00:17:" + ":".join(f"{(rng_value >> shift) & 0xFF:02X}" for shift in (16, 8, 0))


def public_address(refs: Refs, s: Record, salt: str) -> str:
    rng = refs.rng(s, salt)
    return f"{rng.choice(_PUBLIC_FIRST_OCTETS)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


# ----------------------------------------------------------------------------------------------- bodies
def vcn(refs: Refs, s: Record) -> Record:
    ocid = s["identifier"]
    second = vcn_octet(refs, ocid)
    return {
        "cidrBlock": f"10.{second}.0.0/16",
        "cidrBlocks": [f"10.{second}.0.0/16"],
        "dnsLabel": f"vcn{second}",
        "vcnDomainName": f"vcn{second}.oraclevcn.com",
        "defaultRouteTableId": first_of(refs, s, "RouteTable", ocid, "vcn-default"),
        "defaultSecurityListId": first_of(refs, s, "SecurityList", ocid, "vcn-default"),
        "defaultDhcpOptionsId": first_of(refs, s, "DhcpOptions", ocid, "vcn-default"),
        "isIpv6Enabled": False,
    }


def subnet(refs: Refs, s: Record) -> Record:
    vcn_id = subnet_vcn(refs, s)
    rng = refs.rng(s, "subnet")
    third, public = rng.randrange(256), rng.random() < 0.4
    prefix = f"10.{vcn_octet(refs, vcn_id)}.{third}" if vcn_id else f"10.0.{third}"
    where = in_vcn(refs, vcn_id)
    domain = vcn_domain(refs, vcn_id)
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "cidrBlock": f"{prefix}.0/24",
        "ipv4CidrBlocks": [f"{prefix}.0/24"],
        "dhcpOptionsId": refs.pick(s, "DhcpOptions", "subnet-dhcp", where=where),
        "dnsLabel": f"sub{third}",
        "ipv6CidrBlock": None,
        "ipv6CidrBlocks": [],
        "prohibitInternetIngress": not public,
        "prohibitPublicIpOnVnic": not public,
        "routeTableId": refs.pick(s, "RouteTable", "subnet-rt", where=where),
        "securityListIds": refs.pick_many(s, "SecurityList", rng.randint(1, 2), "subnet-sl", where=where),
        "subnetDomainName": f"sub{third}.{domain}" if domain else None,
        "vcnId": vcn_id,
        "virtualRouterIp": f"{prefix}.1",
        "virtualRouterMac": "00:00:17:" + ":".join(f"{rng.randrange(256):02X}" for _ in range(3)),
    }


def vnic(refs: Refs, s: Record) -> Record:
    subnet_id = vnic_subnet_id(refs, s)
    sub = refs.get_any(subnet_id) if subnet_id else None
    net = subnet(refs, sub) if sub else {}
    rng = refs.rng(s, "vnic")
    cidr = ipaddress.ip_network(net.get("cidrBlock") or "10.0.0.0/24")
    public = not net.get("prohibitPublicIpOnVnic", True) and rng.random() < 0.7
    count = rng.randint(0, 2)
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "hostnameLabel": f"host-{rng.randrange(10_000):04d}" if rng.random() < 0.8 else None,
        "isPrimary": rng.random() < 0.8,
        "macAddress": mac(rng.getrandbits(24)),
        "nsgIds": refs.pick_many(s, "NetworkSecurityGroup", count, "vnic-nsg", where=in_vcn(refs, net.get("vcnId"))),
        "vlanId": None,
        "privateIp": str(cidr[rng.randrange(2, 255)]),
        "publicIp": public_address(refs, s, "vnic-public") if public else None,
        "skipSourceDestCheck": False,
        "subnetId": subnet_id,
        "ipv6Addresses": [],
        "routeTableId": None,
        "securityAttributes": {},
    }


def _ingress(protocol: str, source: str, **options: object) -> Record:
    return {"protocol": protocol, "source": source, "sourceType": "CIDR_BLOCK", "isStateless": False, **options}


def _tcp(port: int) -> Record:
    return {"tcpOptions": {"destinationPortRange": {"min": port, "max": port}, "sourcePortRange": None}}


def security_list(refs: Refs, s: Record) -> Record:
    vcn_id = vcn_of(refs, s)
    rng = refs.rng(s, "seclist")
    ingress = [
        _ingress("6", "0.0.0.0/0", **_tcp(22), description=None),
        _ingress("1", "0.0.0.0/0", icmpOptions={"type": 3, "code": 4}, description=None),
        _ingress("1", vcn_cidr(refs, vcn_id) or "10.0.0.0/16", icmpOptions={"type": 3, "code": None}),
    ]
    if rng.random() < 0.5:
        ingress.append(_ingress("6", "0.0.0.0/0", **_tcp(443), description="HTTPS"))
    egress = {"protocol": "all", "destination": "0.0.0.0/0", "destinationType": "CIDR_BLOCK", "isStateless": False}
    return {"vcnId": vcn_id, "ingressSecurityRules": ingress, "egressSecurityRules": [egress]}


def _rule(destination: str, entity: str, kind: str = "CIDR_BLOCK") -> Record:
    return {
        "cidrBlock": destination if kind == "CIDR_BLOCK" else None,
        "destination": destination,
        "destinationType": kind,
        "networkEntityId": entity,
        "description": None,
        "routeType": "STATIC",
    }


def route_rules(refs: Refs, s: Record, vcn_id: str | None) -> list[Record]:
    rng = refs.rng(s, "routes")
    region = region_of(s["identifier"])
    rules: list[Record] = []
    if rng.random() < 0.5:
        igw = first_of(refs, s, "InternetGateway", vcn_id, "rt-igw")
        rules += [_rule("0.0.0.0/0", igw)] if igw else []
    else:
        nat = first_of(refs, s, "NatGateway", vcn_id, "rt-nat")
        sgw = first_of(refs, s, "ServiceGateway", vcn_id, "rt-sgw")
        key = s["identifier"].split(".")[3]
        rules += [_rule("0.0.0.0/0", nat)] if nat else []
        rules += [_rule(f"all-{key}-services-in-oracle-services-network", sgw, "SERVICE_CIDR_BLOCK")] if sgw else []
    drgs = attached_drgs(refs, region).get(vcn_id or "", set())
    drg = refs.pick(s, "Drg", "rt-drg", where=lambda d: d["identifier"] in drgs) if drgs else None
    rules += [_rule("192.168.0.0/16", drg)] if drg else []
    peers, mine = lpg_peers(refs, region), in_vcn(refs, vcn_id)
    lpg = refs.pick(s, "LocalPeeringGateway", "rt-lpg", where=lambda g: mine(g) and g["identifier"] in peers)
    peer = refs.get_any(peers[lpg]) if lpg else None
    peer_cidr = vcn_cidr(refs, vcn_of(refs, peer)) if peer else None
    rules += [_rule(peer_cidr, lpg)] if lpg and peer_cidr else []
    return rules


def route_table(refs: Refs, s: Record) -> Record:
    vcn_id = vcn_of(refs, s)
    return {"vcnId": vcn_id, "routeRules": route_rules(refs, s, vcn_id)}


def nsg(refs: Refs, s: Record) -> Record:
    return {"vcnId": vcn_of(refs, s)}


def internet_gateway(refs: Refs, s: Record) -> Record:
    return {"vcnId": vcn_of(refs, s), "isEnabled": True, "routeTableId": None}


def nat_gateway(refs: Refs, s: Record) -> Record:
    ip = nat_public_ips(refs, region_of(s["identifier"])).get(s["identifier"])
    ip_summary = refs.get_any(ip) if ip else None
    address = public_address(refs, ip_summary, "address") if ip_summary else public_address(refs, s, "nat")
    return {"vcnId": vcn_of(refs, s), "blockTraffic": False, "natIp": address, "publicIpId": ip, "routeTableId": None}


def service_gateway(refs: Refs, s: Record) -> Record:
    key = s["identifier"].split(".")[3]
    service = {
        "serviceId": synthetic_ocid(refs, s, "service", "all"),
        "serviceName": f"All {key.upper()} Services In Oracle Services Network",
    }
    return {"vcnId": vcn_of(refs, s), "blockTraffic": False, "services": [service], "routeTableId": None}


def drg(refs: Refs, s: Record) -> Record:
    tables = {kind: synthetic_ocid(refs, s, "drgroutetable", kind) for kind in ("vcn", "ipsecTunnel")}
    tables.update(virtualCircuit=tables["ipsecTunnel"], remotePeeringConnection=tables["ipsecTunnel"])
    return {
        "defaultDrgRouteTables": tables,
        "defaultExportDrgRouteDistributionId": synthetic_ocid(refs, s, "drgroutedistribution", "export"),
    }


def drg_attachment(refs: Refs, s: Record) -> Record:
    vcn_id, drg_id = vcn_of(refs, s), refs.pick(s, "Drg", "drg")
    drg_summary = refs.get_any(drg_id) if drg_id else None
    network = {"type": "VCN", "id": vcn_id, "routeTableId": None, "vcnRouteType": "SUBNET_CIDRS"}
    return {
        "drgId": drg_id,
        "vcnId": vcn_id,
        "networkDetails": network if vcn_id else None,
        "drgRouteTableId": drg(refs, drg_summary)["defaultDrgRouteTables"]["vcn"] if drg_summary else None,
        "routeTableId": None,
        "exportDrgRouteDistributionId": None,
        "isCrossTenancy": False,
    }


def local_peering_gateway(refs: Refs, s: Record) -> Record:
    peer = lpg_peers(refs, region_of(s["identifier"])).get(s["identifier"])
    peer_summary = refs.get_any(peer) if peer else None
    cidr = vcn_cidr(refs, vcn_of(refs, peer_summary)) if peer_summary else None
    return {
        "vcnId": vcn_of(refs, s),
        "peerId": peer,
        "peeringStatus": "PEERED" if peer else "NEW",
        "peeringStatusDetails": "Connected to a peer." if peer else "Not connected to a peer.",
        "peerAdvertisedCidr": cidr,
        "peerAdvertisedCidrDetails": [cidr] if cidr else None,
        "isCrossTenancyPeering": False,
        "routeTableId": None,
    }


def dhcp_options(refs: Refs, s: Record) -> Record:
    vcn_id = vcn_of(refs, s)
    domain = vcn_domain(refs, vcn_id)
    return {
        "vcnId": vcn_id,
        "domainNameType": "VCN_DOMAIN",
        "options": [
            {"type": "DomainNameServer", "serverType": "VcnLocalPlusInternet", "customDnsServers": []},
            {"type": "SearchDomain", "searchDomainNames": [domain] if domain else []},
        ],
    }


def public_ip(refs: Refs, s: Record) -> Record:
    entity, kind = assignment(refs, s)
    ephemeral = kind == "PRIVATE_IP" and refs.rng(s, "lifetime").random() < 0.5
    return {
        "assignedEntityId": entity,
        "assignedEntityType": kind,
        "availabilityDomain": None,
        "ipAddress": public_address(refs, s, "address"),
        "lifetime": "EPHEMERAL" if ephemeral else "RESERVED",
        "privateIpId": entity if kind == "PRIVATE_IP" else None,
        "scope": "REGION",
        "publicIpPoolId": None,
    }


ROWS = (
    GetRow("Vcn", IAAS, f"{BASE}/vcns/{{vcnId}}", "GetVcn", vcn),
    GetRow("Subnet", IAAS, f"{BASE}/subnets/{{subnetId}}", "GetSubnet", subnet),
    GetRow("Vnic", IAAS, f"{BASE}/vnics/{{vnicId}}", "GetVnic", vnic),
    GetRow("SecurityList", IAAS, f"{BASE}/securityLists/{{securityListId}}", "GetSecurityList", security_list),
    GetRow("RouteTable", IAAS, f"{BASE}/routeTables/{{rtId}}", "GetRouteTable", route_table),
    GetRow(
        "NetworkSecurityGroup",
        IAAS,
        f"{BASE}/networkSecurityGroups/{{networkSecurityGroupId}}",
        "GetNetworkSecurityGroup",
        nsg,
    ),
    GetRow("InternetGateway", IAAS, f"{BASE}/internetGateways/{{igId}}", "GetInternetGateway", internet_gateway),
    GetRow("NatGateway", IAAS, f"{BASE}/natGateways/{{natGatewayId}}", "GetNatGateway", nat_gateway),
    GetRow(
        "ServiceGateway", IAAS, f"{BASE}/serviceGateways/{{serviceGatewayId}}", "GetServiceGateway", service_gateway
    ),
    GetRow("Drg", IAAS, f"{BASE}/drgs/{{drgId}}", "GetDrg", drg),
    GetRow("DrgAttachment", IAAS, f"{BASE}/drgAttachments/{{drgAttachmentId}}", "GetDrgAttachment", drg_attachment),
    GetRow(
        "LocalPeeringGateway",
        IAAS,
        f"{BASE}/localPeeringGateways/{{localPeeringGatewayId}}",
        "GetLocalPeeringGateway",
        local_peering_gateway,
    ),
    GetRow("DhcpOptions", IAAS, f"{BASE}/dhcps/{{dhcpId}}", "GetDhcpOptions", dhcp_options),
    GetRow("PublicIp", IAAS, f"{BASE}/publicIps/{{publicIpId}}", "GetPublicIp", public_ip),
)
