"""Networking (``iaas``, VirtualNetworkClient): VCNs and what hangs off them."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow

IAAS = "iaas"
BASE = "/20160918"


def vcn(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "vcn")
    second = rng.randrange(0, 256)
    return {
        "cidrBlock": f"10.{second}.0.0/16",
        "cidrBlocks": [f"10.{second}.0.0/16"],
        "dnsLabel": f"vcn{second}",
        "vcnDomainName": f"vcn{second}.oraclevcn.com",
        "defaultRouteTableId": refs.pick(s, "RouteTable", "default"),
        "defaultSecurityListId": refs.pick(s, "SecurityList", "default"),
        "defaultDhcpOptionsId": refs.pick(s, "DhcpOptions", "default"),
        "isIpv6Enabled": False,
    }


ROWS = (GetRow("Vcn", IAAS, f"{BASE}/vcns/{{vcnId}}", "GetVcn", vcn),)
