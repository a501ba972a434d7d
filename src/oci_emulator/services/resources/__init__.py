"""Resources that only answer ``get``: one table row per type plus a body builder (moto-style, as data).

A :class:`GetRow` says which Search resource type a route serves, on which service (the SDK client's host prefix),
at which path, under which operation name, and which builder adds the type's own fields to the common ones
(``id``, ``compartmentId``, ``displayName``, ``lifecycleState``, ``timeCreated``, tags). Family modules
(``compute.py``, ``network.py``, ...) each hold a ``ROWS`` tuple; :data:`FAMILIES` lists them. A service with
behaviour beyond ``get`` (paged lists of attachments, memberships) adds routes in its family module's ``routes``.

The handler answers 404 ``NotAuthorizedOrNotFound`` for an unknown OCID, an OCID of another type or region, and for
"stale" resources (see ``model/refs.py``): Search still lists them, but they are gone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs, is_stale
from oci_emulator.model.tenancy import Record, TenancyModel, region_of

BodyBuilder = Callable[[Refs, Record], Record]
ModelRef = Callable[[], TenancyModel]

#: The family modules of this package, each with ``ROWS`` (and optionally ``routes(model, paginator)``).
FAMILIES: tuple[str, ...] = (
    "compute",
    "network",
    "storage",
    "objectstorage",
    "database",
    "containers",
    "loadbalancer",
    "functions",
    "apigateway",
    "filestorage",
    "devops",
    "security",
    "observability",
    "loganalytics",
    "media",
)


@dataclass(frozen=True)
class GetRow:
    resource_type: str  # the Search resourceType this route serves
    service: str  # the host prefix of the SDK client's endpoint template, e.g. "iaas"
    path: str  # e.g. "/20160918/vcns/{id}"; exactly one {param}, the resource's OCID
    operation: str  # e.g. "GetVcn"
    body: BodyBuilder  # the type's own fields (wire camelCase)


def common_fields(summary: Record) -> Record:
    """The fields every OCI resource answers with, from its Search summary."""
    return {
        "id": summary["identifier"],
        "compartmentId": summary.get("compartmentId"),
        "displayName": summary.get("displayName"),
        "lifecycleState": summary.get("lifecycleState"),
        "timeCreated": summary.get("timeCreated"),
        "freeformTags": summary.get("freeformTags") or {},
        "definedTags": summary.get("definedTags") or {},
    }


def find(refs: Refs, resource_type: str, ocid: str, region: str) -> Record:
    """The summary of the resource a ``get`` names, or 404 like OCI (wrong type, region, or gone)."""
    summary = refs.get(ocid)
    found = (
        summary is not None
        and str(summary.get("resourceType", "")).lower() == resource_type.lower()
        and region_of(ocid) in (region, None)
        and not is_stale(refs.model, ocid)
    )
    if not found or summary is None:
        raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: {ocid}")
    return summary


def get_handler(model: ModelRef, row: GetRow) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        (ocid,) = req.params.values()
        summary = find(refs, row.resource_type, ocid, req.region)
        return json_response({**common_fields(summary), **row.body(refs, summary)})

    return handle


def family_modules() -> list[Any]:
    return [importlib.import_module(f"{__name__}.{name}") for name in FAMILIES]


def rows() -> list[GetRow]:
    return [row for module in family_modules() for row in module.ROWS]


def resource_routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    """Routes by service prefix: every family's get rows, plus the extra routes a family declares."""
    out: dict[str, list[Route]] = {}
    for row in rows():
        out.setdefault(row.service, []).append(Route("GET", row.path, row.operation, get_handler(model, row)))
    for module in family_modules():
        extra = getattr(module, "routes", None)
        if extra is not None:
            for service, routes in extra(model, paginator).items():
                out.setdefault(service, []).extend(routes)
    return out
