"""Observability enrichment: log groups, logs (their group found by listing), topics, streams, event rules, alarms
and service connectors; every edge resolves, and the log → group search lists each compartment and group once."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from oci_inventory.enrich.base import EnrichStatus
from oci_inventory.enrich.registry import REGISTRY
from tests.enrich.conftest import edges_of
from tests.enrich.test_security import _context, ok_records, resolves

LOGGING_QUERY = "query loggroup, log resources"


def test_log_groups_topics_and_streams(deep_run) -> None:  # type: ignore[no-untyped-def]
    for rec in ok_records(deep_run, "LogGroup"):
        assert "timeLastModified" in rec["details"] and "description" in rec["details"]
    for rec in ok_records(deep_run, "OnsTopic"):
        assert rec["details"]["topicId"] == rec["ocid"] and rec["details"]["apiEndpoint"].startswith("https://")
    for rec in ok_records(deep_run, "Stream"):
        assert rec["details"]["partitions"] >= 1 and rec["details"]["messagesEndpoint"].startswith("https://")


def test_logs_are_read_under_their_group_and_point_to_it(deep_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.observability import log_group_of

    refs = Refs(deep_run.emu.model)
    logs = ok_records(deep_run, "Log")
    for rec in logs:
        (group,) = resolves(deep_run, rec, "IN_LOG_GROUP", "LogGroup")
        assert group == rec["details"]["logGroupId"] == log_group_of(refs, refs.get(rec["ocid"]))
        assert rec["details"]["tenancyId"] == deep_run.emu.model.tenancy_id
    assert {r["details"]["logType"] for r in logs} == {"SERVICE", "CUSTOM"}


def test_event_rules_send_to_every_action_target(deep_run) -> None:  # type: ignore[no-untyped-def]
    kinds: Counter[str] = Counter()
    for rec in ok_records(deep_run, "EventRule"):
        actions = rec["details"]["actions"]["actions"]
        wanted = {a.get("topicId") or a.get("streamId") or a.get("functionId") for a in actions}
        assert set(edges_of(rec, "SENDS_TO")) == wanted
        for edge in rec["relationships"]:
            if edge["relation"] == "SENDS_TO":
                assert deep_run.records[edge["targetOcid"]]["resourceType"] == edge["targetType"]
                kinds[edge["targetType"]] += 1
    assert set(kinds) == {"OnsTopic", "Stream", "FunctionsFunction"}


def test_alarms_send_to_their_destinations(deep_run) -> None:  # type: ignore[no-untyped-def]
    for rec in ok_records(deep_run, "Alarm"):
        targets = resolves(deep_run, rec, "SENDS_TO", "OnsTopic")
        assert sorted(targets) == sorted(rec["details"]["destinations"]) and targets
        assert rec["details"]["query"] and rec["details"]["severity"]


def test_service_connectors_read_from_sources_and_send_to_targets(deep_run) -> None:  # type: ignore[no-untyped-def]
    reading_logs = 0
    for rec in ok_records(deep_run, "ServiceConnector"):
        source, target = rec["details"]["source"], rec["details"]["target"]
        read = set(edges_of(rec, "READS_FROM"))
        if source["kind"] == "logging":
            reading_logs += 1
            for item in source["logSources"]:
                assert {item["logGroupId"], item["logId"]} <= read
                log = deep_run.records[item["logId"]]
                assert log["resourceType"] == "Log" and edges_of(log, "IN_LOG_GROUP") == [item["logGroupId"]]
        else:
            assert read == {source["streamId"]}
        sent = edges_of(rec, "SENDS_TO")
        assert sent == [target.get("topicId") or target.get("streamId") or target.get("functionId")]
        for edge in rec["relationships"]:
            if edge["relation"] in ("READS_FROM", "SENDS_TO"):
                assert deep_run.records[edge["targetOcid"]]["resourceType"] == edge["targetType"]
    assert reading_logs


# -- the log → group search: call shape ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logging_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A run of only log groups and logs over two regions, and the journal of its requests."""
    from oci_emulator import Emulator
    from oci_inventory.cli import main

    tmp = tmp_path_factory.mktemp("logging")
    with Emulator(seed=9, size=3000, regions=("us-ashburn-1", "us-phoenix-1"), stale_one_in=0) as emu:
        config = emu.write_oci_config(tmp / "emu")
        emu.journal.clear()
        args = ["run", "--config-file", str(config), "--endpoint-template", emu.endpoint_template]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
            main([*args, "--query", LOGGING_QUERY, "--outdir", str(tmp / "out"), "--quiet"])
        assert exit_info.value.code == 0
        directory = Path(buffer.getvalue().strip().splitlines()[-1])
        lines = (directory / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
        yield list(emu.journal.entries()), [json.loads(line) for line in lines]


def test_each_log_is_got_once_under_its_own_group(logging_run) -> None:  # type: ignore[no-untyped-def]
    journal, recs = logging_run
    logs = {r["ocid"]: r for r in recs if r["resourceType"] == "Log" and r["enrichStatus"] != "SKIPPED"}
    assert len(logs) > 10 and all(r["enrichStatus"] == "OK" for r in logs.values())
    gets = [e.path.split("/logGroups/")[1].split("/logs/") for e in journal if e.operation == "GetLog"]
    assert sorted(log for _, log in gets) == sorted(logs), "one get per log"
    assert all(logs[log]["details"]["logGroupId"] == group for group, log in gets)
    assert all(e.status == 200 for e in journal) and all(e.method == "GET" or e.method == "POST" for e in journal)


def test_log_groups_and_their_logs_are_listed_at_most_once_per_run(logging_run) -> None:  # type: ignore[no-untyped-def]
    journal, _ = logging_run
    groups = Counter(
        (e.region, e.path.split("compartmentId=")[1].split("&")[0]) for e in journal if e.operation == "ListLogGroups"
    )
    assert groups and set(groups.values()) == {1}, "list_log_groups once per region and compartment"
    logs = Counter(e.path.split("/logGroups/")[1].split("/logs")[0] for e in journal if e.operation == "ListLogs")
    assert logs and set(logs.values()) == {1}, "list_logs once per group"


@pytest.fixture
def logging_tenancy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A private one-region tenancy big enough to hold logs and log groups."""
    from tests.conftest import _start

    yield from _start(tmp_path / "emu", seed=9, size=2000, regions=("us-ashburn-1",))


def test_a_log_group_search_sends_in_additional_details_costs_no_listing(logging_tenancy) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.refs import Refs, is_stale
    from oci_emulator.services.resources.observability import log_group_of

    ctx = _context(logging_tenancy)
    refs = Refs(logging_tenancy.emu.model)
    log = next(
        g
        for g in refs.of_type(ctx.region, "Log")
        if log_group_of(refs, g) and not is_stale(refs.model, g["identifier"])
    )
    group = log_group_of(refs, log)
    logging_tenancy.emu.journal.clear()
    result = REGISTRY.get("Log").enrich({**log, "additionalDetails": {"logGroupId": group}}, ctx)
    assert result.status == EnrichStatus.OK and result.details["logGroupId"] == group
    assert [e.operation for e in logging_tenancy.emu.journal.entries()] == ["GetLog"]


def test_the_emulator_serves_a_log_only_under_its_own_group(logging_tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    from oci_emulator.model.refs import Refs, is_stale
    from oci_emulator.services.resources.observability import log_group_of

    ctx = _context(logging_tenancy)
    refs = Refs(logging_tenancy.emu.model)
    log = next(
        g
        for g in refs.of_type(ctx.region, "Log")
        if log_group_of(refs, g) and not is_stale(refs.model, g["identifier"])
    )
    other = next(
        g["identifier"] for g in refs.of_type(ctx.region, "LogGroup") if g["identifier"] != log_group_of(refs, log)
    )
    client = ctx.client("oci.logging.LoggingManagementClient")
    assert client.get_log(log_group_of(refs, log), log["identifier"]).data["id"] == log["identifier"]
    with pytest.raises(oci.exceptions.ServiceError) as info:
        client.get_log(other, log["identifier"])
    assert info.value.status == 404


def test_ons_subscriptions_are_enriched_and_name_their_topic(deep_run) -> None:  # type: ignore[no-untyped-def]
    from tests.enrich.conftest import edges_of

    subscriptions = [r for r in deep_run.of_type("OnsSubscription") if r["lifecycleState"] not in ("DELETED",)]
    assert subscriptions and all(r["enrichStatus"] == "OK" for r in subscriptions)
    for record in subscriptions:
        assert record["details"]["protocol"] and record["details"]["endpoint"]
        topics = edges_of(record, "SUBSCRIBES_TO")
        assert topics == [record["details"]["topicId"]]
        assert deep_run.records[topics[0]]["resourceType"] == "OnsTopic"
