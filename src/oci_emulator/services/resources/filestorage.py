"""File Storage (``filestorage``): file systems, mount targets, and the exports of each mount target's export set.

Each mount target has its own export set; its exports are file systems of the same availability domain. Exports
are listed (``ListExports``, paged) by compartment (the mount target's) or by export set, never fetched alone.
"""

from __future__ import annotations

from oci_emulator.core.errors import MissingParameter
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow, ModelRef
from oci_emulator.services.resources.database import customer_key
from oci_emulator.services.resources.placing import child_ocid, nsgs_of_subnet, subnet_in

FILESTORAGE = "filestorage"
BASE = "/20171215"
DEFAULT_LIMIT = 100


def file_system(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "fs")
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "meteredBytes": rng.randrange(0, 1 << 40),
        "kmsKeyId": customer_key(refs, s, "fs"),
        "sourceDetails": {"parentFileSystemId": None, "sourceSnapshotId": None},
        "isCloneParent": False,
        "isHydrated": True,
        "cloneCount": 0,
        "cloneAttachStatus": "DETACHED",
        "locks": [],
        "lifecycleDetails": None,
        "isTargetable": False,
        "replicationTargetId": None,
        "filesystemSnapshotPolicyId": None,
        "areQuotaRulesEnabled": False,
        "quotaEnforcementState": "DISABLED",
        "replicationSourceCount": 0,
        "systemTags": {},
    }


def mount_target(refs: Refs, s: Record) -> Record:
    subnet = subnet_in(refs, s, "mt")
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "exportSetId": child_ocid(s, "exportset"),
        "lifecycleDetails": None,
        "privateIpIds": [child_ocid(s, "privateip", "mt")],
        "mountTargetIpv6Ids": [],
        "subnetId": subnet,
        "idmapType": "NONE",
        "ldapIdmap": None,
        "nsgIds": nsgs_of_subnet(refs, s, subnet, "mt"),
        "kerberos": None,
        "timeBillingCycleEnd": None,
        "observedThroughput": 1,
        "requestedThroughput": 1,
        "reservedStorageCapacity": 0,
        "locks": [],
        "systemTags": {},
    }


def exports_of(refs: Refs, mt: Record) -> list[Record]:
    """The exports of a mount target's export set: 0-3 file systems of its availability domain."""
    ad = mt.get("availabilityDomain")
    count = refs.rng(mt, "exports").randrange(4)
    systems = refs.pick_many(mt, "FileSystem", count, "exports:ad", where=lambda r: r.get("availabilityDomain") == ad)
    return [
        {
            "exportSetId": child_ocid(mt, "exportset"),
            "fileSystemId": fs,
            "id": child_ocid(mt, "export", fs),
            "lifecycleState": "ACTIVE",
            "path": f"/export-{n}",
            "isIdmapGroupsForSysAuth": False,
            "timeCreated": mt.get("timeCreated"),
            "locks": [],
        }
        for n, fs in enumerate(systems)
    ]


def list_exports(model: ModelRef, paginator: Paginator, req: Request) -> Response:
    compartment, export_set = req.query.get("compartmentId"), req.query.get("exportSetId")
    if not compartment and not export_set:
        raise MissingParameter("One of compartmentId or exportSetId is required")
    refs = Refs(model())
    wanted = {k: req.query.get(k) for k in ("exportSetId", "fileSystemId", "lifecycleState", "id")}
    items = [
        export
        for mt in refs.of_type(req.region, "MountTarget")
        if not compartment or mt.get("compartmentId") == compartment
        for export in exports_of(refs, mt)
        if all(value is None or export[key] == value for key, value in wanted.items())
    ]
    scope = f"ListExports|{req.region}|{compartment}|{sorted(wanted.items(), key=str)}"
    page, token = paginator.page(items, req.query.get("limit"), req.query.get("page"), scope, DEFAULT_LIMIT)
    return json_response(list(page), headers={"opc-next-page": token} if token else None, items=len(page))


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    def handle(req: Request) -> Response:
        return list_exports(model, paginator, req)

    return {FILESTORAGE: [Route("GET", f"{BASE}/exports", "ListExports", handle)]}


ROWS = (
    GetRow("FileSystem", FILESTORAGE, f"{BASE}/fileSystems/{{fileSystemId}}", "GetFileSystem", file_system),
    GetRow("MountTarget", FILESTORAGE, f"{BASE}/mountTargets/{{mountTargetId}}", "GetMountTarget", mount_target),
)
