"""Log Analytics enrichers (``LogAnalyticsClient``).

``LogAnalyticsEntity``: ``get_log_analytics_entity(namespace_name, log_analytics_entity_id)``. The namespace is the
tenancy's: ``list_namespaces(compartment_id=<tenancy OCID>)`` (the API takes the tenancy OCID, not a compartment's)
once per run, in the home region, shared by every entity through the run context. Edge: REPRESENTS, the cloud
resource the entity stands for (``cloudResourceId``), when it is one of :data:`REPRESENTED`.
"""

from __future__ import annotations

from typing import Any

from oci_inventory.enrich.base import (
    EdgeSpec,
    EnrichContext,
    Enricher,
    EnrichResult,
    EnrichStatus,
    Summary,
    call_get,
    details_of,
    edges_from,
)
from oci_inventory.enrich.registry import register
from oci_inventory.enrich.relations import REPRESENTS

LOG_ANALYTICS = "oci.log_analytics.LogAnalyticsClient"
#: OCID type segment of a cloudResourceId -> the Search type it names.
REPRESENTED = {
    "instance": "Instance",
    "autonomousdatabase": "AutonomousDatabase",
    "dbsystem": "DbSystem",
    "loadbalancer": "LoadBalancer",
}
ENTITY_EDGES = (EdgeSpec(REPRESENTS, "cloudResourceId", REPRESENTED),)


class NoNamespace(LookupError):
    """Log Analytics lists no namespace for the tenancy (not onboarded, or not allowed)."""


def namespace(ctx: EnrichContext) -> str:
    """The tenancy's Log Analytics namespace: one ``list_namespaces(tenancy OCID)`` per run."""

    def load() -> str:
        data: Any = call_get(ctx, LOG_ANALYTICS, "list_namespaces", ctx.tenancy_id, region=ctx.home_region)
        items = data.get("items") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            name = item.get("namespaceName") if isinstance(item, dict) else None
            if isinstance(name, str) and name:
                return name
        raise NoNamespace(f"Log Analytics lists no namespace for tenancy {ctx.tenancy_id}")

    return ctx.run.once(("loganalytics:namespace", ctx.tenancy_id), load)


@register("LogAnalyticsEntity")
class LogAnalyticsEntityEnricher(Enricher):
    """The entity's ``get`` in its region, under the tenancy's namespace."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        data = call_get(ctx, LOG_ANALYTICS, "get_log_analytics_entity", namespace(ctx), str(summary["identifier"]))
        entity: dict[str, Any] = data if isinstance(data, dict) else {"value": data}
        return EnrichResult(EnrichStatus.OK, details_of(summary, entity), edges_from(entity, ENTITY_EDGES))
