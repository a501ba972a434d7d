"""Identity: parse the request, call IdentityBackend, serialise in OCI's wire shape (bare arrays for lists)."""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.model.tenancy import Record
from oci_emulator.services.identity.models import IdentityBackend

DEFAULT_LIMIT = 100


class IdentityResponses:
    def __init__(self, backend: IdentityBackend, paginator: Paginator) -> None:
        self.backend = backend
        self.paginator = paginator

    def _paged(self, req: Request, items: list[Record], scope: str) -> Response:
        page, token = self.paginator.page(items, req.query.get("limit"), req.query.get("page"), scope, DEFAULT_LIMIT)
        return json_response(list(page), headers={"opc-next-page": token} if token else None, items=len(page))

    def get_tenancy(self, req: Request) -> Response:
        return json_response(self.backend.get_tenancy(req.params["tenancyId"]))

    def list_region_subscriptions(self, req: Request) -> Response:
        items = self.backend.region_subscriptions(req.params["tenancyId"])
        return json_response(items, items=len(items))

    def list_regions(self, req: Request) -> Response:
        items = self.backend.regions()
        return json_response(items, items=len(items))

    def list_availability_domains(self, req: Request) -> Response:
        items = self.backend.availability_domains(req.required("compartmentId"), req.region)
        return json_response(items, items=len(items))

    def list_compartments(self, req: Request) -> Response:
        q = req.query
        compartment_id = req.required("compartmentId")
        subtree = req.flag("compartmentIdInSubtree")
        access = q.get("accessLevel", "ANY")
        state, name = q.get("lifecycleState"), q.get("name")
        items = self.backend.list_compartments(compartment_id, subtree, access, state, name)
        return self._paged(req, items, f"ListCompartments|{compartment_id}|{subtree}|{access}|{state}|{name}")

    def get_compartment(self, req: Request) -> Response:
        return json_response(self.backend.get_compartment(req.params["compartmentId"]))

    def get_iam(self, kind: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            return json_response(self.backend.get_iam(kind, req.params["id"]))

        return handler

    def list_iam(self, kind: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            compartment_id = req.required("compartmentId")
            filters = {k: v for k, v in req.query.items() if k not in ("compartmentId", "limit", "page")}
            items = self.backend.list_iam(kind, compartment_id, filters)
            return self._paged(req, items, f"List|{kind}|{compartment_id}|{sorted(filters.items())}")

        return handler

    def list_user_group_memberships(self, req: Request) -> Response:
        compartment_id = req.required("compartmentId")
        user_id, group_id = req.query.get("userId"), req.query.get("groupId")
        items = self.backend.list_memberships(compartment_id, user_id, group_id)
        return self._paged(req, items, f"ListUserGroupMemberships|{compartment_id}|{user_id}|{group_id}")
