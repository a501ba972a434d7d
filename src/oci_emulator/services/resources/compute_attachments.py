"""Compute attachments: which instance holds which VNIC, boot volume and volume, and the paged listings of them.

Attachments are derived, not stored. Each live VNIC, boot volume and (three in four) block volume of an
availability domain belongs to at most one live instance of that AD, chosen by :func:`assign` (the least loaded
instance, ties in OCID order; at most one boot volume per instance) and remembered in ``model.picks``, so an
attachment never moves because other resources were added, changed or removed. The same mechanism puts volumes
into volume groups (``storage.py``).

One instance in ten also lists a ``DETACHED`` VNIC and volume attachment whose VNIC/volume is gone (OCI lists
detached attachments for a while): an inventory must keep only the ``ATTACHED`` ones. A VNIC attachment's
``subnetId`` is the one the Vnic's own ``get`` answers (``network.vnic_subnet_id``).
"""

from __future__ import annotations

import base64
import hashlib
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs, live, stable
from oci_emulator.model.regions import REGIONS
from oci_emulator.model.tenancy import Record, TenancyModel, region_of
from oci_emulator.services.resources.network import vnic_subnet_id

ModelRef = Callable[[], TenancyModel]
BASE = "/20160918"
DEFAULT_LIMIT = 100


def ocid_like(ocid_type: str, region: str | None, *parts: str) -> str:
    """A stable OCID for a derived object (an attachment), from the parts that identify it."""
    digest = base64.b32encode(hashlib.sha256("\x00".join(parts).encode()).digest()).decode("ascii")
    key = REGIONS[region].lower() if region in REGIONS else ""
    return f"ocid1.{ocid_type}.oc1.{key}.aaaaaaaa{digest[:52].lower()}"


def has_detached(instance: Record) -> bool:
    """One instance in 10 also lists a DETACHED VNIC and volume attachment (to a resource that is gone)."""
    return stable("detached", instance["identifier"]) % 10 == 0


@dataclass(frozen=True)
class Policy:
    """Which targets of a type an owner type takes (``wanted``) and how many one owner holds at most."""

    owner_type: str
    target_type: str
    cap: int | None = None
    wanted: Callable[[Record], bool] = field(default=lambda r: True)


VNICS = Policy("Instance", "Vnic")
BOOT_VOLUMES = Policy("Instance", "BootVolume", cap=1)
VOLUMES = Policy("Instance", "Volume", wanted=lambda r: stable("attach", r["identifier"]) % 4 != 0)


@dataclass(frozen=True)
class Assignment:
    owner_of: dict[str, str]  # target OCID -> owner OCID
    targets_of: dict[str, list[str]]  # owner OCID -> target OCIDs, sorted


def assign(refs: Refs, policy: Policy, region: str | None, ad: str | None) -> Assignment:
    """Who holds which target in one (region, AD): each wanted live target goes to at most one live owner of the
    same AD (the least loaded, ties in OCID order).

    The assignment is made once, when first asked, and remembered in ``model.picks``: after a mutation, the
    resources it did not touch answer as before (a removed VNIC is still named by its instance's attachment, as
    a removed subnet is still named by its VNIC), and resources added later hold and are held by nothing."""

    def build() -> Assignment:
        key = ("assignment", policy.owner_type.lower(), policy.target_type.lower(), region, ad)
        pairs = refs.model.picks.get(key)
        if pairs is None:
            pairs = refs.model.picks.setdefault(key, _fresh(refs, policy, region, ad))
        owner_of = dict(pair.split(" ", 1)[::-1] for pair in pairs)  # "owner target"
        targets_of: dict[str, list[str]] = {}
        for target_id, owner in sorted(owner_of.items()):
            targets_of.setdefault(owner, []).append(target_id)
        return Assignment(owner_of, targets_of)

    result: Assignment = refs.model.cached_view(("assign", policy.owner_type, policy.target_type, region, ad), build)
    return result


def _fresh(refs: Refs, policy: Policy, region: str | None, ad: str | None) -> list[str]:
    """A new assignment as ``"owner target"`` pairs: each target to the least loaded owner, up to the cap."""
    owners = [r["identifier"] for r in refs.of_type(region, policy.owner_type) if r.get("availabilityDomain") == ad]
    targets = [
        r["identifier"]
        for r in refs.of_type(region, policy.target_type)
        if r.get("availabilityDomain") == ad and policy.wanted(r)
    ]
    heap = [(0, n, owner) for n, owner in enumerate(owners)]
    pairs: list[str] = []
    for target_id in targets:
        if not heap or (policy.cap is not None and heap[0][0] >= policy.cap):
            break
        count, n, owner = heapq.heappop(heap)
        pairs.append(f"{owner} {target_id}")
        heapq.heappush(heap, (count + 1, n, owner))
    return pairs


def attached(refs: Refs, policy: Policy, owner: Record) -> list[str]:
    """The targets ``owner`` holds (empty for an owner that is not live)."""
    if not live(owner):
        return []
    return assign(refs, policy, region_of(owner["identifier"]), owner.get("availabilityDomain")).targets_of.get(
        owner["identifier"], []
    )


def owner_of(refs: Refs, policy: Policy, target: Record) -> str | None:
    """The owner holding ``target``, if any."""
    region, ad = region_of(target["identifier"]), target.get("availabilityDomain")
    return assign(refs, policy, region, ad).owner_of.get(target["identifier"])


# ----------------------------------------------------------------------------------------------- attachment bodies
def _common(instance: Record, kind: str, target_id: str, state: str = "ATTACHED") -> Record:
    region = region_of(instance["identifier"])
    ocid_type = "instance" if kind == "bootvolumeattachment" else kind  # OCI names boot attachments so
    return {
        "id": ocid_like(ocid_type, region, kind, instance["identifier"], target_id),
        "availabilityDomain": instance.get("availabilityDomain"),
        "compartmentId": instance.get("compartmentId"),
        "instanceId": instance["identifier"],
        "lifecycleState": state,
        "timeCreated": instance.get("timeCreated"),
    }


def vnic_subnet(refs: Refs, vnic_id: str) -> str | None:
    """The subnet the Vnic's own ``get`` names (``network.py``), so the two answers agree (remembered, so the
    same after the VNIC is removed)."""
    return vnic_subnet_id(refs, refs.get_any(vnic_id) or {"identifier": vnic_id})


def vnic_attachment(refs: Refs, instance: Record, vnic_id: str, index: int, state: str = "ATTACHED") -> Record:
    return {
        **_common(instance, "vnicattachment", vnic_id, state),
        "displayName": None,
        "nicIndex": 0,
        "subnetId": vnic_subnet(refs, vnic_id) if state == "ATTACHED" else None,
        "vlanId": None,
        "vlanTag": 1000 + index,
        "vnicId": vnic_id,
    }


def boot_volume_attachment(
    refs: Refs, instance: Record, boot_volume_id: str, index: int, state: str = "ATTACHED"
) -> Record:
    return {
        **_common(instance, "bootvolumeattachment", boot_volume_id, state),
        "bootVolumeId": boot_volume_id,
        "displayName": f"Remote boot attachment for instance {index}",
        "timeUpdated": None,
        "isPvEncryptionInTransitEnabled": False,
        "isEncryptionInTransitEnabled": False,
        "encryptionInTransitType": "NONE",
    }


def volume_attachment(refs: Refs, instance: Record, volume_id: str, index: int, state: str = "ATTACHED") -> Record:
    return {
        **_common(instance, "volumeattachment", volume_id, state),
        "attachmentType": "paravirtualized",
        "device": f"/dev/oracleoci/oraclevd{chr(ord('b') + index % 24)}",
        "displayName": f"volumeattachment{index}",
        "isReadOnly": False,
        "isShareable": False,
        "volumeId": volume_id,
        "isPvEncryptionInTransitEnabled": False,
        "isMultipath": None,
        "iscsiLoginState": None,
        "isVolumeCreatedDuringLaunch": False,
    }


# ----------------------------------------------------------------------------------------------- listings
@dataclass(frozen=True)
class Listing:
    operation: str
    path: str
    policy: Policy
    build: Callable[..., Record]  # (refs, instance, target OCID, index, state) -> attachment
    target_field: str  # the attachment's field naming the target, also a query filter
    ad_required: bool = False
    gone_type: str | None = None  # OCID type of the gone target of a DETACHED attachment, if listed


LISTINGS = (
    Listing("ListVnicAttachments", f"{BASE}/vnicAttachments", VNICS, vnic_attachment, "vnicId", gone_type="vnic"),
    Listing(
        "ListBootVolumeAttachments",
        f"{BASE}/bootVolumeAttachments",
        BOOT_VOLUMES,
        boot_volume_attachment,
        "bootVolumeId",
        ad_required=True,
    ),
    Listing(
        "ListVolumeAttachments", f"{BASE}/volumeAttachments", VOLUMES, volume_attachment, "volumeId", gone_type="volume"
    ),
)


def attachments_of(refs: Refs, listing: Listing, instance: Record) -> list[Record]:
    """The attachments OCI lists for one instance: its attached targets, plus a detached one for some."""
    out = [listing.build(refs, instance, t, n) for n, t in enumerate(attached(refs, listing.policy, instance))]
    if listing.gone_type and has_detached(instance):
        gone = ocid_like(listing.gone_type, region_of(instance["identifier"]), "gone", instance["identifier"])
        out.append(listing.build(refs, instance, gone, len(out), "DETACHED"))
    return out


def by_compartment(refs: Refs, listing: Listing, region: str) -> dict[str, list[Record]]:
    """Every attachment of the region by the compartment it is listed in (its instance's), sorted by id."""

    def build() -> dict[str, list[Record]]:
        index: dict[str, list[Record]] = {}
        for instance in refs.of_type(region, "Instance"):
            for item in attachments_of(refs, listing, instance):
                index.setdefault(str(instance.get("compartmentId")), []).append(item)
        return {key: sorted(items, key=lambda a: a["id"]) for key, items in index.items()}

    result: dict[str, list[Record]] = refs.model.cached_view(("attachments", listing.operation, region), build)
    return result


def list_handler(model: ModelRef, paginator: Paginator, listing: Listing) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        compartment = req.required("compartmentId")
        ad = req.required("availabilityDomain") if listing.ad_required else req.query.get("availabilityDomain")
        filters = {
            "availabilityDomain": ad or None,
            "instanceId": req.query.get("instanceId") or None,
            listing.target_field: req.query.get(listing.target_field) or None,
        }
        items = by_compartment(Refs(model()), listing, req.region).get(compartment, [])
        wanted = [a for a in items if all(v is None or a.get(k) == v for k, v in filters.items())]
        scope = "|".join([listing.operation, compartment, *(f"{k}={v}" for k, v in filters.items())])
        page, token = paginator.page(wanted, req.query.get("limit"), req.query.get("page"), scope, DEFAULT_LIMIT)
        return json_response(list(page), headers={"opc-next-page": token} if token else None, items=len(page))

    return handle


def attachment_routes(model: ModelRef, paginator: Paginator) -> list[Route]:
    return [Route("GET", x.path, x.operation, list_handler(model, paginator, x)) for x in LISTINGS]
