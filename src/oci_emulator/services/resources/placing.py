"""Helpers for body builders that place a resource in the network: a subnet, NSGs of the same VCN, an address.

Coherence comes from reading the other families' answers: :func:`wire` computes a resource's ``get`` body with the
row that serves its type, so a database's NSGs are chosen among the NSGs whose ``vcnId`` is its subnet's VCN,
whatever the network family decides. When a type has no row yet, the filters fall back to any candidate.
"""

from __future__ import annotations

import ipaddress
import random
from functools import cache
from typing import TYPE_CHECKING, Any

from oci_emulator.model.refs import Refs, stable
from oci_emulator.model.tenancy import Record

if TYPE_CHECKING:
    from oci_emulator.services.resources import GetRow


@cache
def _rows_by_type() -> dict[str, GetRow]:
    from oci_emulator.services.resources import rows

    return {row.resource_type.lower(): row for row in rows()}


def wire(refs: Refs, ocid: str | None, field: str) -> Any:
    """One field of the ``get`` answer of ``ocid`` (None when unknown or its type has no row)."""
    summary = refs.get_any(ocid) if ocid else None
    if summary is None:
        return None
    row = _rows_by_type().get(str(summary.get("resourceType", "")).lower())
    return row.body(refs, summary).get(field) if row is not None else None


def subnet_in(refs: Refs, asking: Record, salt: str, vcn: str | None = None) -> str | None:
    """A subnet for ``asking``: one of VCN ``vcn`` when given (and one exists), else any of its region."""
    if vcn is not None:
        inside = refs.pick(
            asking, "Subnet", f"{salt}:in:{vcn}", where=lambda r: wire(refs, r["identifier"], "vcnId") == vcn
        )
        if inside is not None:
            return inside
    return refs.pick(asking, "Subnet", salt)


def nsgs_of_subnet(refs: Refs, asking: Record, subnet: str | None, salt: str, count: int = 1) -> list[str]:
    """Up to ``count`` NSGs of the subnet's VCN (none when the subnet's VCN has none)."""
    vcn = wire(refs, subnet, "vcnId")
    if subnet is None or vcn is None:
        return refs.pick_many(asking, "NetworkSecurityGroup", count, salt) if subnet else []
    return refs.pick_many(
        asking,
        "NetworkSecurityGroup",
        count,
        f"{salt}:in:{vcn}",
        where=lambda r: wire(refs, r["identifier"], "vcnId") == vcn,
    )


def near(refs: Refs, asking: Record, resource_type: str, salt: str) -> str | None:
    """A live resource of ``resource_type`` in the asking resource's availability domain when there is one."""
    ad = asking.get("availabilityDomain")
    same_ad = refs.pick(asking, resource_type, f"{salt}:ad", where=lambda r: r.get("availabilityDomain") == ad)
    return same_ad or refs.pick(asking, resource_type, salt)


def address_in(refs: Refs, subnet: str | None, rng: random.Random) -> str:
    """A host address inside the subnet's CIDR block (10.x.y.z when the CIDR is not known)."""
    cidr = wire(refs, subnet, "cidrBlock")
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(2, 255)}"
    hosts = max(network.num_addresses - 4, 1)
    return str(network.network_address + 2 + rng.randrange(hosts))


def child_ocid(asking: Record, ocid_type: str, salt: str = "") -> str:
    """A deterministic OCID for a sub-object that Search does not list (export set, private IP, container)."""
    parts = str(asking["identifier"]).split(".")
    key = parts[3] if len(parts) > 4 else ""
    digest = f"{stable(asking['identifier'], ocid_type, salt):020d}{stable(salt, asking['identifier']):020d}"
    return f"ocid1.{ocid_type}.oc1.{key}.aaaaaaaa{digest[:40]}"


def region_key(asking: Record) -> str:
    """The lower-case region key of the asking resource's OCID (``iad``)."""
    parts = str(asking["identifier"]).split(".")
    return parts[3] if len(parts) > 4 else ""


def tenancy_namespace(refs: Refs) -> str:
    """The tenancy's Object Storage namespace, as the container registry and DevOps show it."""
    from oci_emulator.services.resources.objectstorage import namespace_of

    return namespace_of(refs.model)
