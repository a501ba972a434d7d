"""Observability enrichers: logging, notifications, streaming, events, monitoring alarms and service connectors.

Rows, except ``Log``: ``get_log(log_group_id, log_id)`` needs the log's group, which neither the log OCID nor the
default Search summary names. The group is ``additionalDetails.logGroupId`` when Search sent it; otherwise the
log's compartment is searched first, then its ancestors, then the other compartments (``oci/holders.py``):
``list_log_groups`` once per run, region and compartment, and ``list_logs`` once per run and group, until a group
lists the log. A group is listed at most once per run however many logs it holds.

A stream's wire object has no key field (customer keys belong to its stream pool), so ``Stream`` has no
ENCRYPTED_BY edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from oci_inventory.enrich.base import (
    EdgeSpec,
    EnrichContext,
    Enricher,
    EnrichResult,
    EnrichStatus,
    GetSpec,
    Summary,
    call_get,
    details_of,
    edges_from,
    read_path,
)
from oci_inventory.enrich.registry import register, register_spec
from oci_inventory.enrich.relations import IN_LOG_GROUP, READS_FROM, SENDS_TO, SUBSCRIBES_TO
from oci_inventory.oci.holders import listing_or_empty, search_order
from oci_inventory.util.pagination import list_all

LOGGING = "oci.logging.LoggingManagementClient"
#: Targets named by OCID in alarm destinations (topics; streams for some message formats).
DESTINATION_TYPES = {"onstopic": "OnsTopic", "stream": "Stream"}

Wire = dict[str, Any]

SPECS = (
    GetSpec("LogGroup", LOGGING, "get_log_group"),
    GetSpec("OnsTopic", "oci.ons.NotificationControlPlaneClient", "get_topic"),
    GetSpec(
        "OnsSubscription",
        "oci.ons.NotificationDataPlaneClient",
        "get_subscription",
        edges=(EdgeSpec(SUBSCRIBES_TO, "topicId", "OnsTopic"),),
    ),
    GetSpec("Stream", "oci.streaming.StreamAdminClient", "get_stream"),
    GetSpec(
        "EventRule",
        "oci.events.EventsClient",
        "get_rule",
        edges=(
            EdgeSpec(SENDS_TO, "actions.actions[].topicId", "OnsTopic"),
            EdgeSpec(SENDS_TO, "actions.actions[].streamId", "Stream"),
            EdgeSpec(SENDS_TO, "actions.actions[].functionId", "FunctionsFunction"),
        ),
    ),
    GetSpec(
        "Alarm",
        "oci.monitoring.MonitoringClient",
        "get_alarm",
        edges=(EdgeSpec(SENDS_TO, "destinations", DESTINATION_TYPES),),
    ),
    GetSpec(
        "ServiceConnector",
        "oci.sch.ServiceConnectorClient",
        "get_service_connector",
        edges=(
            EdgeSpec(READS_FROM, "source.logSources[].logGroupId", "LogGroup"),
            EdgeSpec(READS_FROM, "source.logSources[].logId", "Log"),
            EdgeSpec(READS_FROM, "source.streamId", "Stream"),
            EdgeSpec(SENDS_TO, "target.topicId", "OnsTopic"),
            EdgeSpec(SENDS_TO, "target.streamId", "Stream"),
            EdgeSpec(SENDS_TO, "target.functionId", "FunctionsFunction"),
        ),
    ),
)

for _spec in SPECS:
    register_spec(_spec)

LOG_EDGES = (EdgeSpec(IN_LOG_GROUP, "logGroupId", "LogGroup"),)


def groups_in(ctx: EnrichContext, compartment_id: str, own: bool) -> list[str]:
    """The log groups of a compartment in the context's region (listed once per run). A compartment other than the
    log's own that refuses the listing is passed over."""

    def load() -> list[str]:
        groups = list_all(ctx.client(LOGGING).list_log_groups, compartment_id)
        return [g["id"] for g in groups if isinstance(g, dict) and isinstance(g.get("id"), str)]

    return listing_or_empty(ctx.run.once, ("logging:groups", ctx.region, compartment_id), load, own=own)


def logs_in(ctx: EnrichContext, group_id: str) -> frozenset[str]:
    """The OCIDs of the logs of a log group (listed once per run)."""

    def load() -> frozenset[str]:
        logs = list_all(ctx.client(LOGGING).list_logs, group_id)
        return frozenset(log["id"] for log in logs if isinstance(log, dict) and isinstance(log.get("id"), str))

    return ctx.run.once(("logging:logs", group_id), load)


def candidate_groups(ctx: EnrichContext, compartment_id: str) -> Iterator[str]:
    for candidate in search_order(ctx.run.tree, compartment_id, ctx.tenancy_id):
        yield from groups_in(ctx, candidate, own=candidate == compartment_id)


class LogGroupNotFound(LookupError):
    """No log group the run can list holds the log."""


def group_of_log(summary: Summary, ctx: EnrichContext) -> str:
    """The OCID of the log's group (see the module docstring for the search)."""
    hinted = read_path(summary, "additionalDetails.logGroupId")
    if isinstance(hinted, str) and hinted.startswith("ocid1."):
        return hinted
    log_id, compartment_id = str(summary["identifier"]), str(summary.get("compartmentId") or ctx.tenancy_id)
    for group_id in candidate_groups(ctx, compartment_id):
        if log_id in logs_in(ctx, group_id):
            return group_id
    raise LogGroupNotFound(f"no log group of {ctx.region} lists log {log_id}")


@register("Log")
class LogEnricher(Enricher):
    """``get_log(log_group_id, log_id)`` once the log's group is known; edge IN_LOG_GROUP."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        group_id = group_of_log(summary, ctx)
        data = call_get(ctx, LOGGING, "get_log", group_id, str(summary["identifier"]))
        log: Wire = data if isinstance(data, dict) else {"value": data}
        return EnrichResult(EnrichStatus.OK, details_of(summary, log), edges_from(log, LOG_EDGES))
