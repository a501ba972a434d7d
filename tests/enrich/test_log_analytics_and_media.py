"""Log Analytics entities (the namespace listed once per run with the tenancy OCID, then each entity got under that
namespace: the call shape pinned by the journal) and Media Services assets and workflows."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from tests.enrich.test_security import _context, ok_records, resolves

LA_QUERY = "query loganalyticsentity resources"
REGIONS = ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1")


@pytest.fixture(scope="module")
def la_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A run of only Log Analytics entities over three regions, and the journal of its requests."""
    from oci_emulator import Emulator
    from oci_inventory.cli import main

    tmp = tmp_path_factory.mktemp("la")
    with Emulator(seed=4, size=3000, regions=REGIONS, stale_one_in=0) as emu:
        config = emu.write_oci_config(tmp / "emu")
        emu.journal.clear()
        args = ["run", "--config-file", str(config), "--endpoint-template", emu.endpoint_template]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
            main([*args, "--query", LA_QUERY, "--outdir", str(tmp / "out"), "--quiet", "--workers-enrich", "4"])
        assert exit_info.value.code == 0
        directory = Path(buffer.getvalue().strip().splitlines()[-1])
        lines = (directory / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
        yield emu, list(emu.journal.entries()), [json.loads(line) for line in lines]


def test_the_namespace_is_listed_once_with_the_tenancy_ocid(la_run) -> None:  # type: ignore[no-untyped-def]
    emu, journal, _ = la_run
    listed = [e for e in journal if e.operation == "ListNamespaces"]
    assert len(listed) == 1, "once per run, not per entity or region"
    (entry,) = listed
    assert entry.path.endswith(f"/20200601/namespaces?compartmentId={emu.model.tenancy_id}")
    assert entry.region == emu.model.home_region and entry.status == 200


def test_each_entity_is_got_under_that_namespace(la_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.services.resources.loganalytics import namespace_of

    emu, journal, recs = la_run
    entities = {
        r["ocid"]: r for r in recs if r["resourceType"] == "LogAnalyticsEntity" and r["enrichStatus"] != "SKIPPED"
    }
    assert len(entities) > 5 and {r["region"] for r in entities.values()} == set(REGIONS)
    assert all(r["enrichStatus"] == "OK" for r in entities.values())
    gets = [e for e in journal if e.operation == "GetLogAnalyticsEntity"]
    prefix = f"/20200601/namespaces/{namespace_of(emu.model)}/logAnalyticsEntities/"
    assert sorted(e.path.split(prefix)[1] for e in gets) == sorted(entities)
    assert all(e.status == 200 and e.region == entities[e.path.split(prefix)[1]]["region"] for e in gets)
    first = journal.index(next(e for e in journal if e.operation == "ListNamespaces"))
    assert all(journal.index(e) > first for e in gets), "the namespace comes first"


def test_entities_carry_their_wire_fields_and_what_they_represent(deep_run) -> None:  # type: ignore[no-untyped-def]
    represented = 0
    for rec in ok_records(deep_run, "LogAnalyticsEntity"):
        details = rec["details"]
        assert details["entityTypeName"] and details["entityTypeInternalName"] and details["timezoneRegion"]
        if details["cloudResourceId"]:
            assert resolves(deep_run, rec, "REPRESENTS", "Instance") == [details["cloudResourceId"]]
            represented += 1
    assert represented


def test_namespaces_are_listed_only_for_the_tenancy(tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    ctx = _context(tenancy)
    client = ctx.client("oci.log_analytics.LogAnalyticsClient")
    items = client.list_namespaces(ctx.tenancy_id).data["items"]
    assert [i["compartmentId"] for i in items] == [ctx.tenancy_id] and items[0]["isOnboarded"] is True
    compartment = next(c["id"] for c in tenancy.emu.model.compartments if c["lifecycleState"] == "ACTIVE")
    with pytest.raises(oci.exceptions.ServiceError) as info:
        client.list_namespaces(compartment)
    assert info.value.status == 404, "a compartment OCID is not a tenancy"


def test_an_entity_under_another_namespace_is_not_found(tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    from oci_emulator.model.refs import Refs, is_stale
    from oci_emulator.services.resources.loganalytics import namespace_of

    ctx = _context(tenancy)
    refs = Refs(tenancy.emu.model)
    entity = next(
        e for e in refs.of_type(ctx.region, "LogAnalyticsEntity") if not is_stale(refs.model, e["identifier"])
    )
    client = ctx.client("oci.log_analytics.LogAnalyticsClient")
    found = client.get_log_analytics_entity(namespace_of(refs.model), entity["identifier"]).data
    assert found["id"] == entity["identifier"]
    with pytest.raises(oci.exceptions.ServiceError) as info:
        client.get_log_analytics_entity("othernamespace", entity["identifier"])
    assert info.value.status == 404


def test_media_assets_point_to_the_workflow_that_produced_them(deep_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.services.resources.loganalytics import namespace_of

    for rec in ok_records(deep_run, "MediaAsset"):
        details = rec["details"]
        produced_by = [w for w in [details["sourceMediaWorkflowId"]] if w]
        assert resolves(deep_run, rec, "PRODUCED_BY", "MediaWorkflow") == produced_by
        assert details["type"] in ("VIDEO", "AUDIO", "IMAGE") and details["objectName"] and details["bucketName"]
        assert details["namespaceName"] == namespace_of(deep_run.emu.model)


def test_media_workflows_carry_their_tasks(deep_run) -> None:  # type: ignore[no-untyped-def]
    for rec in ok_records(deep_run, "MediaWorkflow"):
        tasks = rec["details"]["tasks"]
        assert [t["key"] for t in tasks] == ["get", "transcode"] and tasks[1]["prerequisites"] == ["get"]
        assert rec["details"]["version"] == 1
