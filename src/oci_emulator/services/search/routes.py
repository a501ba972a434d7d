"""Resource Search routes."""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route, Router
from oci_emulator.model.tenancy import TenancyModel
from oci_emulator.services.search.models import SearchBackend
from oci_emulator.services.search.responses import SearchResponses

BASE = "/20180409"


def search_router(model: Callable[[], TenancyModel], paginator: Paginator) -> Router:
    r = SearchResponses(SearchBackend(model), paginator)
    return Router(
        [
            Route("POST", f"{BASE}/resources", "SearchResources", r.search_resources),
            Route("GET", f"{BASE}/resourceTypes", "ListResourceTypes", r.list_resource_types),
            Route("GET", f"{BASE}/resourceTypes/{{name}}", "GetResourceType", r.get_resource_type),
        ]
    )
