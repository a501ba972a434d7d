"""Observability: logging (log groups and their logs), notifications topics, streams, event rules, alarms and
service connectors.

A log lives in the log group :func:`log_group_of` names (one of its region, the log's compartment preferred); it is
served only under that group (``GET /logGroups/{group}/logs/{log}``, 404 under any other) and listed by
``ListLogs`` of that group. Every OCID a body names (topics, streams, functions, logs, log groups, subnets) is a
live resource of the right type in the same region; a service connector reading a log names the log's own group.
"""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow, ModelRef, common_fields, find
from oci_emulator.services.resources.placing import child_ocid
from oci_emulator.services.resources.security import in_compartment, paged

LOGGING = "logging"
LOGGING_BASE = "/20200531"
EVENTS_BASE = "/20181201"


# ----------------------------------------------------------------------------------------------- logging
def log_group_of(refs: Refs, log: Record) -> str | None:
    """The log group holding a log."""
    return refs.pick(log, "LogGroup", "log-group")


def log_group(refs: Refs, s: Record) -> Record:
    return {
        "description": f"Emulated log group {s.get('displayName') or ''}".strip(),
        "systemTags": {},
        "timeLastModified": s.get("timeCreated"),
    }


def log_summary(refs: Refs, s: Record) -> Record:
    """The fields of a log beyond the common ones (``LogSummary`` and ``Log`` alike)."""
    rng = refs.rng(s, "log")
    configuration = None
    log_type = "CUSTOM"
    subnet = refs.pick(s, "Subnet", "log-source")
    if subnet is not None and rng.random() < 0.7:
        log_type = "SERVICE"
        source = {"sourceType": "OCISERVICE", "service": "flowlogs", "resource": subnet, "category": "all"}
        configuration = {
            "compartmentId": s.get("compartmentId"),
            "source": {**source, "parameters": {}},
            "archiving": {"isEnabled": False},
        }
    return {
        "logGroupId": log_group_of(refs, s),
        "logType": log_type,
        "isEnabled": s.get("lifecycleState") != "INACTIVE",
        "configuration": configuration,
        "retentionDuration": rng.choice((30, 60, 90, 180)),
        "systemTags": {},
        "timeLastModified": s.get("timeCreated"),
    }


def get_log(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        summary = find(refs, "Log", req.params["logId"], req.region)
        if log_group_of(refs, summary) != req.params["logGroupId"]:
            raise NotAuthorizedOrNotFound(
                f"Authorization failed or requested resource not found: {req.params['logId']}"
            )
        return json_response(
            {**common_fields(summary), "tenancyId": refs.model.tenancy_id, **log_summary(refs, summary)}
        )

    return handle


def list_logs(model: ModelRef, paginator: Paginator) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        group = find(refs, "LogGroup", req.params["logGroupId"], req.region)["identifier"]
        logs = [
            {**common_fields(log), **log_summary(refs, log)}
            for log in refs.of_type(req.region, "Log")
            if log_group_of(refs, log) == group
        ]
        return paged(paginator, req, logs, f"ListLogs|{group}")

    return handle


def list_log_groups(model: ModelRef, paginator: Paginator) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        compartment_id = req.required("compartmentId")
        groups = [
            {**common_fields(g), **log_group(refs, g)}
            for g in in_compartment(refs, req.region, "LogGroup", compartment_id)
        ]
        return paged(paginator, req, groups, f"ListLogGroups|{compartment_id}")

    return handle


# ----------------------------------------------------------------------------------------------- other types
def topic(refs: Refs, s: Record) -> Record:
    region = region_of(s["identifier"])
    return {
        "name": s.get("displayName"),
        "topicId": s["identifier"],
        "shortTopicId": str(s["identifier"]).rsplit(".", 1)[-1][-10:],
        "description": "Emulated notifications topic",
        "etag": f"{refs.rng(s, 'topic').getrandbits(64):016x}",
        "apiEndpoint": f"https://cell1.notification.{region}.oci.oraclecloud.com",
    }


def stream(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "stream")
    region = region_of(s["identifier"])
    return {
        "name": s.get("displayName"),
        "partitions": rng.choice((1, 1, 3, 5)),
        "retentionInHours": rng.choice((24, 72, 168)),
        "lifecycleStateDetails": None,
        "messagesEndpoint": f"https://cell-1.streaming.{region}.oci.oraclecloud.com",
    }


def rule_action(refs: Refs, s: Record, n: int) -> Record | None:
    """The n-th action of an event rule: notify a topic, put to a stream or invoke a function."""
    kind, field, target_type = (
        ("ONS", "topicId", "OnsTopic"),
        ("OSS", "streamId", "Stream"),
        ("FAAS", "functionId", "FunctionsFunction"),
    )[n]
    target = refs.pick(s, target_type, f"rule-action-{n}")
    if target is None:
        return None
    return {
        "actionType": kind,
        "id": child_ocid(s, "eventaction", str(n)),
        "lifecycleMessage": None,
        "lifecycleState": "ACTIVE",
        "isEnabled": True,
        "description": None,
        field: target,
    }


def event_rule(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "rule")
    wanted = sorted(rng.sample(range(3), rng.randrange(1, 4)))
    actions = [a for a in (rule_action(refs, s, n) for n in wanted) if a is not None]
    return {
        "description": "Emulated event rule",
        "condition": '{"eventType": ["com.oraclecloud.objectstorage.createobject"]}',
        "isEnabled": s.get("lifecycleState") == "ACTIVE",
        "actions": {"actions": actions},
        "lifecycleMessage": None,
    }


def alarm(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "alarm")
    threshold = rng.choice((70, 80, 90))
    return {
        "metricCompartmentId": s.get("compartmentId"),
        "metricCompartmentIdInSubtree": False,
        "namespace": "oci_computeagent",
        "resourceGroup": None,
        "query": f"CpuUtilization[1m].mean() > {threshold}",
        "resolution": "1m",
        "pendingDuration": "PT5M",
        "severity": rng.choice(("CRITICAL", "ERROR", "WARNING", "INFO")),
        "body": f"CPU above {threshold}%",
        "isNotificationsPerMetricDimensionEnabled": False,
        "messageFormat": "ONS_OPTIMIZED",
        "destinations": refs.pick_many(s, "OnsTopic", rng.randrange(1, 3), "alarm-topics"),
        "repeatNotificationDuration": "PT4H",
        "suppression": None,
        "isEnabled": s.get("lifecycleState") == "ACTIVE",
        "overrides": [],
        "ruleName": "BASE",
        "notificationVersion": "1.X",
        "notificationTitle": None,
        "evaluationSlackDuration": "PT3M",
        "alarmSummary": None,
        "timeUpdated": s.get("timeCreated"),
    }


def connector_source(refs: Refs, s: Record) -> Record | None:
    """Logs (each with its own group) or a stream; None when the region has neither."""
    logs = refs.pick_many(s, "Log", refs.rng(s, "sch-source").randrange(1, 3), "sch-logs")
    sources = []
    for log_id in logs:
        log = refs.get_any(log_id)
        if log is not None and log_group_of(refs, log) is not None:
            sources.append(
                {"compartmentId": log.get("compartmentId"), "logGroupId": log_group_of(refs, log), "logId": log_id}
            )
    if sources:
        return {"kind": "logging", "logSources": sources}
    stream_id = refs.pick(s, "Stream", "sch-source-stream")
    return {"kind": "streaming", "streamId": stream_id, "cursor": {"kind": "LATEST"}} if stream_id else None


def connector_target(refs: Refs, s: Record) -> Record | None:
    choices = (
        ("notifications", "topicId", "OnsTopic"),
        ("streaming", "streamId", "Stream"),
        ("functions", "functionId", "FunctionsFunction"),
    )
    start = refs.rng(s, "sch-target").randrange(len(choices))
    for kind, field, target_type in choices[start:] + choices[:start]:
        target = refs.pick(s, target_type, f"sch-target-{kind}")
        if target is not None:
            return {"kind": kind, field: target}
    return None


def service_connector(refs: Refs, s: Record) -> Record:
    return {
        "description": "Emulated service connector",
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "lifecyleDetails": None,
        "source": connector_source(refs, s),
        "tasks": [],
        "target": connector_target(refs, s),
        "systemTags": {},
    }


def subscription(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "subscription")
    protocol = rng.choice(("EMAIL", "HTTPS", "PAGERDUTY", "SLACK"))
    endpoint = {
        "EMAIL": f"ops-{rng.randrange(10_000):04d}@example.com",
        "HTTPS": f"https://hooks.example.com/oci/{rng.randrange(10_000):04d}",
        "PAGERDUTY": "https://events.pagerduty.example.com/integration/0000/enqueue",
        "SLACK": "https://hooks.slack.example.com/services/T000/B000/XXXX",
    }[protocol]
    return {
        "topicId": refs.pick(s, "OnsTopic", "subscription-topic"),
        "protocol": protocol,
        "endpoint": endpoint,
        "createdTime": 1_650_000_000_000 + rng.randrange(100_000_000_000),
        "deliverPolicy": '{"maxReceiveRatePerSecond":0,"backoffRetryPolicy":{"maxRetryDuration":7200000}}',
        "etag": f"{rng.getrandbits(64):016x}",
    }


ROWS = (
    GetRow(
        "OnsSubscription", "notification", "/20181201/subscriptions/{subscriptionId}", "GetSubscription", subscription
    ),
    GetRow("LogGroup", LOGGING, f"{LOGGING_BASE}/logGroups/{{logGroupId}}", "GetLogGroup", log_group),
    GetRow("OnsTopic", "notification", "/20181201/topics/{topicId}", "GetTopic", topic),
    GetRow("Stream", "streaming", "/20180418/streams/{streamId}", "GetStream", stream),
    GetRow("EventRule", "events", f"{EVENTS_BASE}/rules/{{ruleId}}", "GetRule", event_rule),
    GetRow("Alarm", "telemetry", "/20180401/alarms/{alarmId}", "GetAlarm", alarm),
    GetRow(
        "ServiceConnector",
        "service-connector-hub",
        "/20200909/serviceConnectors/{serviceConnectorId}",
        "GetServiceConnector",
        service_connector,
    ),
)


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    return {
        LOGGING: [
            Route("GET", f"{LOGGING_BASE}/logGroups", "ListLogGroups", list_log_groups(model, paginator)),
            Route("GET", f"{LOGGING_BASE}/logGroups/{{logGroupId}}/logs", "ListLogs", list_logs(model, paginator)),
            Route("GET", f"{LOGGING_BASE}/logGroups/{{logGroupId}}/logs/{{logId}}", "GetLog", get_log(model)),
        ]
    }
