"""Identity routes: path template -> handler, with the SDK operation name for the journal."""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route, Router
from oci_emulator.model.tenancy import TenancyModel
from oci_emulator.services.identity.models import IdentityBackend
from oci_emulator.services.identity.responses import IdentityResponses

BASE = "/20160918"
_IAM = {  # path segment -> (model kind, operation suffix)
    "users": ("users", "User"),
    "groups": ("groups", "Group"),
    "policies": ("policies", "Policy"),
    "dynamicGroups": ("dynamicGroups", "DynamicGroup"),
    "tagNamespaces": ("tagNamespaces", "TagNamespace"),
}


def identity_router(model: Callable[[], TenancyModel], paginator: Paginator) -> Router:
    r = IdentityResponses(IdentityBackend(model), paginator)
    routes = [
        Route("GET", f"{BASE}/tenancies/{{tenancyId}}", "GetTenancy", r.get_tenancy),
        Route("GET", f"{BASE}/tenancies/{{tenancyId}}/regionSubscriptions", "ListRegionSubscriptions",
              r.list_region_subscriptions),
        Route("GET", f"{BASE}/regions", "ListRegions", r.list_regions),
        Route("GET", f"{BASE}/availabilityDomains", "ListAvailabilityDomains", r.list_availability_domains),
        Route("GET", f"{BASE}/compartments", "ListCompartments", r.list_compartments),
        Route("GET", f"{BASE}/compartments/{{compartmentId}}", "GetCompartment", r.get_compartment),
        Route("GET", f"{BASE}/userGroupMemberships", "ListUserGroupMemberships", r.list_user_group_memberships),
    ]  # fmt: skip
    for segment, (kind, op) in _IAM.items():
        plural = "Policies" if op == "Policy" else f"{op}s"
        routes.append(Route("GET", f"{BASE}/{segment}/{{id}}", f"Get{op}", r.get_iam(kind)))
        routes.append(Route("GET", f"{BASE}/{segment}", f"List{plural}", r.list_iam(kind)))
    return Router(routes)
