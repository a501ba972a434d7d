"""Search: parse SearchDetails, run the query, serialise ``{"items": [ResourceSummary...]}``."""

from __future__ import annotations

from oci_emulator.core.errors import InvalidParameter, NotAuthorizedOrNotFound
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.services.search.models import SearchBackend
from oci_emulator.services.search.query import parse_query

DEFAULT_LIMIT = 100


class SearchResponses:
    def __init__(self, backend: SearchBackend, paginator: Paginator) -> None:
        self.backend = backend
        self.paginator = paginator

    def search_resources(self, req: Request) -> Response:
        details = req.json()
        if not isinstance(details, dict):
            raise InvalidParameter("The request body must be a SearchDetails object")
        kind = details.get("type")
        if kind != "Structured":
            raise InvalidParameter(f"Unsupported search type {kind!r}: only Structured queries are supported")
        text = details.get("query")
        if not isinstance(text, str) or not text.strip():
            raise InvalidParameter("SearchDetails.query is required")
        matching = details.get("matchingContextType") or "NONE"
        if matching not in ("NONE", "HIGHLIGHTS"):
            raise InvalidParameter(f"Invalid matchingContextType {matching!r}")
        tenant = req.query.get("tenantId")
        if tenant and tenant != self.backend.tenancy_id():
            raise NotAuthorizedOrNotFound(f"Tenancy {tenant} not found or not authorized")
        query = parse_query(text)
        found = self.backend.search(req.region, query)
        scope = f"SearchResources|{req.region}|{' '.join(text.split())}"
        page, token = self.paginator.page(found, req.query.get("limit"), req.query.get("page"), scope, DEFAULT_LIMIT)
        headers = {"opc-next-page": token} if token else None
        items = self.backend.serialized(req.region, page)
        return json_response({"items": items}, headers=headers, items=len(page))

    def list_resource_types(self, req: Request) -> Response:
        types = self.backend.resource_types()
        page, token = self.paginator.page(
            types, req.query.get("limit"), req.query.get("page"), "ListResourceTypes", DEFAULT_LIMIT
        )
        return json_response(list(page), headers={"opc-next-page": token} if token else None, items=len(page))

    def get_resource_type(self, req: Request) -> Response:
        return json_response(self.backend.get_resource_type(req.params["name"]))
