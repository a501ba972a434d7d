"""Log Analytics (``loganalytics``): the tenancy's namespace and its entities.

``ListNamespaces`` answers only for the tenancy OCID, as OCI documents it ("Given a tenancy OCID, this API returns
the namespace of the tenancy"): any other ``compartmentId`` is 404 ``NotAuthorizedOrNotFound``, like Object
Storage's namespace lookup for a compartment OCID. Entities are served only under the tenancy's namespace
(``GET /namespaces/{namespaceName}/logAnalyticsEntities/{id}``); another namespace is 404.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, TenancyModel
from oci_emulator.services.resources import GetRow, ModelRef, common_fields, find

SERVICE = "loganalytics"
BASE = "/20200601"
ENTITY_TYPES = (
    ("Host (Linux)", "omc_host_linux"),
    ("Oracle Database Instance", "omc_oracle_db_instance"),
    ("OCI Load Balancer", "oci_lbaas"),
)


def namespace_of(model: TenancyModel) -> str:
    """The tenancy's namespace (12 lower-case characters, as OCI's look), derived from the tenancy OCID."""
    digest = hashlib.sha256(f"namespace:{model.tenancy_id}".encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:12]


def list_namespaces(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        current = model()
        compartment_id = req.required("compartmentId")
        if compartment_id != current.tenancy_id:
            raise NotAuthorizedOrNotFound(
                f"Either the tenancy {compartment_id} does not exist or you are not authorized"
            )
        item = {
            "namespaceName": namespace_of(current),
            "compartmentId": current.tenancy_id,
            "isOnboarded": True,
            "isLogSetEnabled": False,
            "isDataEverIngested": True,
            "isArchivingEnabled": False,
            "lifecycleState": "ACTIVE",
        }
        return json_response({"items": [item]}, items=1)

    return handle


def entity(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "la-entity")
    type_name, internal = rng.choice(ENTITY_TYPES)
    host = f"host-{rng.randrange(10_000):04d}"
    instance = refs.pick(s, "Instance", "la-entity") if internal == "omc_host_linux" else None
    return {
        "name": s.get("displayName"),
        "entityTypeName": type_name,
        "entityTypeInternalName": internal,
        "lifecycleDetails": None,
        "managementAgentId": None,
        "managementAgentDisplayName": None,
        "managementAgentCompartmentId": None,
        "timezoneRegion": "UTC",
        "properties": {"host_name": host} if internal == "omc_host_linux" else {},
        "creationSource": {"type": "SERVICE_CONNECTOR_HUB", "details": None},
        "timeUpdated": s.get("timeCreated"),
        "timeLastDiscovered": s.get("timeCreated"),
        "metadata": {"items": []},
        "areLogsCollected": True,
        "cloudResourceId": instance,
        "hostname": host if internal == "omc_host_linux" else None,
        "sourceId": None,
        "associatedSourcesCount": rng.randrange(0, 5),
    }


def get_entity(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        if req.params["namespaceName"] != namespace_of(refs.model):
            raise NotAuthorizedOrNotFound(f"Namespace {req.params['namespaceName']} not found")
        summary = find(refs, "LogAnalyticsEntity", req.params["logAnalyticsEntityId"], req.region)
        return json_response({**common_fields(summary), **entity(refs, summary)})

    return handle


ROWS: tuple[GetRow, ...] = ()  # the entity get carries the namespace too: a route of its own below


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    entity_path = f"{BASE}/namespaces/{{namespaceName}}/logAnalyticsEntities/{{logAnalyticsEntityId}}"
    return {
        SERVICE: [
            Route("GET", f"{BASE}/namespaces", "ListNamespaces", list_namespaces(model)),
            Route("GET", entity_path, "GetLogAnalyticsEntity", get_entity(model)),
        ]
    }
