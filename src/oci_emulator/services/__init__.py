"""Emulated OCI services. Each is a package with models.py, responses.py and routes.py (see docs/emulator.md)."""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Router
from oci_emulator.model.tenancy import TenancyModel
from oci_emulator.services.genai.routes import genai_router
from oci_emulator.services.identity.routes import identity_router
from oci_emulator.services.resources import resource_routes
from oci_emulator.services.search.routes import search_router

ModelRef = Callable[[], TenancyModel]

# {service}: the host prefix of the SDK client's service_endpoint_template -> router factory
SERVICE_FACTORIES: dict[str, Callable[[ModelRef, Paginator], Router]] = {
    "identity": identity_router,
    "query": search_router,
    "inference.generativeai": genai_router,
}


def build_routers(model: ModelRef, paginator: Paginator) -> dict[str, Router]:
    """One router per service prefix: the behaviour packages, then the get-only rows of ``services/resources``."""
    routers = {name: factory(model, paginator) for name, factory in SERVICE_FACTORIES.items()}
    for service, routes in resource_routes(model, paginator).items():
        routers[service] = routers[service].extended(routes) if service in routers else Router(routes)
    return routers
