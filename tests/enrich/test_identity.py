"""IAM enrichment by listing: details are the listed wire objects, users carry their group memberships, a run makes
a handful of IAM calls (journal), and a resource missing from its listing falls back to its single ``get``."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.enrich.base import EnrichContext, EnrichStatus, RunContext
from oci_inventory.enrich.registry import REGISTRY
from tests.enrich.conftest import edges_of

KIND_OF = {
    "User": "users",
    "Group": "groups",
    "Policy": "policies",
    "DynamicResourceGroup": "dynamicGroups",
    "TagNamespace": "tagNamespaces",
}
IAM_TYPES = (*KIND_OF, "Compartment")
IAM_QUERY = "query user, group, policy, dynamicresourcegroup, tagnamespace, compartment resources"
PER_RESOURCE_GETS = {"GetUser", "GetGroup", "GetPolicy", "GetCompartment", "GetDynamicGroup", "GetTagNamespace"}


def wire_of(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record["details"].items() if k not in ("searchSummary", "groupMemberships")}


def live(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["lifecycleState"] != "DELETED"]


# -- the shared deep run: what the records say ---------------------------------------------------------------------


@pytest.mark.parametrize("resource_type", list(KIND_OF))
def test_iam_records_are_ok_with_the_listed_wire_object(deep_run, resource_type: str) -> None:  # type: ignore[no-untyped-def]
    model = deep_run.emu.model
    recs = live(deep_run.of_type(resource_type))
    assert recs
    for rec in recs:
        assert rec["enrichStatus"] == EnrichStatus.OK, rec.get("enrichError")
        assert wire_of(rec) == model.iam[KIND_OF[resource_type]][rec["ocid"]], "details are the wire object as listed"
        assert rec["details"]["searchSummary"]["identifier"] == rec["ocid"]


def test_type_specific_wire_fields_are_kept(deep_run) -> None:  # type: ignore[no-untyped-def]
    user = live(deep_run.of_type("User"))[0]["details"]
    assert {"email", "emailVerified", "isMfaActivated", "timeCreated", "inactiveStatus"} <= set(user)
    assert live(deep_run.of_type("Policy"))[0]["details"]["statements"]
    assert "matchingRule" in live(deep_run.of_type("DynamicResourceGroup"))[0]["details"]
    assert live(deep_run.of_type("TagNamespace"))[0]["details"]["isRetired"] is False


def test_compartment_details_are_the_wire_compartment_from_the_tree(deep_run) -> None:  # type: ignore[no-untyped-def]
    index = deep_run.emu.model.compartment_index()
    recs = live(deep_run.of_type("Compartment"))
    assert recs
    for rec in recs:
        assert rec["enrichStatus"] == EnrichStatus.OK, rec.get("enrichError")
        assert wire_of(rec) == index[rec["ocid"]]
        assert {"description", "isAccessible", "inactiveStatus", "compartmentId"} <= set(rec["details"])


def test_users_carry_their_group_memberships_and_member_of_edges_resolve(deep_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.services.identity.models import memberships

    expected: dict[str, list[dict[str, Any]]] = {}
    for m in memberships(deep_run.emu.model):
        expected.setdefault(m["userId"], []).append(m)
    users = live(deep_run.of_type("User"))
    counts = Counter(len(u["details"]["groupMemberships"]) for u in users)
    assert set(counts) <= {0, 1, 2, 3} and sum(n * c for n, c in counts.items()) > 0
    for user in users:
        found = user["details"]["groupMemberships"]
        assert sorted(found, key=lambda m: m["id"]) == sorted(expected.get(user["ocid"], []), key=lambda m: m["id"])
        assert all(m["userId"] == user["ocid"] and m["id"].startswith("ocid1.groupmembership.") for m in found)
        groups = edges_of(user, "MEMBER_OF")
        assert sorted(groups) == sorted(m["groupId"] for m in found)
        for target in groups:
            assert deep_run.records[target]["resourceType"] == "Group", "MEMBER_OF resolves to a Group record"
        assert {e["targetType"] for e in user["relationships"] if e["relation"] == "MEMBER_OF"} <= {"Group"}


# -- the call shape, from the emulator's journal -------------------------------------------------------------------


@pytest.fixture(scope="module")
def iam_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A run of only the IAM types of a tenancy with dozens of users, and the journal of its requests."""
    from oci_emulator import Emulator
    from oci_inventory.cli import main

    tmp = tmp_path_factory.mktemp("iam")
    with Emulator(seed=3, size=5000, regions=("us-ashburn-1",), stale_one_in=0) as emu:
        config = emu.write_oci_config(tmp / "emu")
        emu.journal.clear()
        args = ["run", "--config-file", str(config), "--endpoint-template", emu.endpoint_template]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
            main([*args, "--query", IAM_QUERY, "--outdir", str(tmp / "out"), "--quiet"])
        assert exit_info.value.code == 0
        directory = Path(buffer.getvalue().strip().splitlines()[-1])
        lines = (directory / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
        yield emu.model, list(emu.journal.entries()), [json.loads(line) for line in lines]


def test_each_iam_listing_is_made_once_per_run_and_no_resource_is_got(iam_run) -> None:  # type: ignore[no-untyped-def]
    model, journal, recs = iam_run
    ops = Counter(e.operation for e in journal if e.service == "identity")
    assert len(model.iam["users"]) > 40
    assert (ops["ListUsers"], ops["ListGroups"], ops["ListDynamicGroups"], ops["ListCompartments"]) == (1, 1, 1, 1)
    assert not PER_RESOURCE_GETS & set(ops), f"no per-resource get: {ops}"
    assert all(e.status == 200 for e in journal), "every call answered (no 4xx from a wrong call shape)"
    assert {r["enrichStatus"] for r in recs if r["lifecycleState"] != "DELETED"} == {"OK"}


def test_memberships_are_listed_once_per_live_group_never_per_user(iam_run) -> None:  # type: ignore[no-untyped-def]
    model, journal, _ = iam_run
    calls = [e.path for e in journal if e.operation == "ListUserGroupMemberships"]
    live_groups = {g["id"] for g in model.iam["groups"].values() if g["lifecycleState"] != "DELETED"}
    assert len(calls) == len(live_groups), "one listing per group (the API requires userId or groupId)"
    assert all("groupId=" in path and "userId=" not in path for path in calls)
    assert {path.split("groupId=")[1].split("&")[0] for path in calls} == live_groups


def test_policies_and_tag_namespaces_are_listed_once_per_compartment_that_holds_one(iam_run) -> None:  # type: ignore[no-untyped-def]
    _, journal, recs = iam_run
    for operation, resource_type in (("ListPolicies", "Policy"), ("ListTagNamespaces", "TagNamespace")):
        listed = [e.path.split("compartmentId=")[1].split("&")[0] for e in journal if e.operation == operation]
        holding = {r["compartmentId"] for r in recs if r["resourceType"] == resource_type}
        holding_live = {
            r["compartmentId"] for r in recs if r["resourceType"] == resource_type and r["lifecycleState"] != "DELETED"
        }
        assert len(listed) == len(set(listed)), f"{operation}: each compartment once"
        assert holding_live <= set(listed) <= holding


def test_iam_calls_are_far_fewer_than_iam_records(iam_run) -> None:  # type: ignore[no-untyped-def]
    _, journal, recs = iam_run
    iam_calls = [e for e in journal if e.service == "identity"]
    assert len(recs) > 240
    assert len(iam_calls) * 3 < len(recs), f"{len(iam_calls)} identity calls for {len(recs)} IAM records"


# -- a resource missing from its listing: one get, nothing lost ----------------------------------------------------


def _context(tenancy: Any) -> EnrichContext:
    from oci_inventory.auth.providers import build_auth
    from oci_inventory.oci.clients import ClientFactory, RetryPolicy
    from oci_inventory.oci.compartments import fetch_compartments

    template = tenancy.emu.endpoint_template
    auth = build_auth("api_key", config_file=str(tenancy.config_file), endpoint_template=template)
    factory = ClientFactory(auth, endpoint_template=template, retry=RetryPolicy(max_attempts=2, sleep=lambda s: None))
    run = RunContext(factory, fetch_compartments(factory, auth.tenancy_id))
    return EnrichContext(run, factory.home_region)


def _summary(resource_type: str, wire: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": resource_type,
        "identifier": wire["id"],
        "compartmentId": wire["compartmentId"],
        "displayName": wire["name"],
        "lifecycleState": wire["lifecycleState"],
    }


def _gets(tenancy: Any) -> Counter[str]:
    return Counter(e.operation for e in tenancy.emu.journal.entries() if e.operation.startswith("Get"))


def test_a_user_created_after_the_listing_is_got_once(tenancy) -> None:  # type: ignore[no-untyped-def]
    ctx = _context(tenancy)
    model = tenancy.emu.model
    enricher = REGISTRY.get("User")
    first = next(u for u in model.iam["users"].values() if u["lifecycleState"] == "ACTIVE")
    assert enricher.enrich(_summary("User", first), ctx).details["id"] == first["id"]  # makes the listing
    late = {**first, "id": "ocid1.user.oc1..aaaaaaaalateuser", "name": "late-user", "email": "late@example.com"}
    model.iam["users"][late["id"]] = late
    model.touch()
    tenancy.emu.journal.clear()
    result = enricher.enrich(_summary("User", late), ctx)
    assert result.status == EnrichStatus.OK
    assert {k: v for k, v in result.details.items() if k not in ("searchSummary", "groupMemberships")} == late
    assert result.details["groupMemberships"] == [] and result.relationships == []
    ops = Counter(e.operation for e in tenancy.emu.journal.entries())
    assert ops == Counter({"GetUser": 1}), "one get; the listings are not made again"


def test_a_compartment_created_after_the_tree_is_got_once(tenancy) -> None:  # type: ignore[no-untyped-def]
    ctx = _context(tenancy)
    model = tenancy.emu.model
    known = model.compartments[0]
    late = {**known, "id": "ocid1.compartment.oc1..aaaaaaaalatecompartment", "name": "late"}
    model.compartments.append(late)
    model.touch()
    tenancy.emu.journal.clear()
    enricher = REGISTRY.get("Compartment")
    assert enricher.enrich(_summary("Compartment", known), ctx).details["description"] == known["description"]
    assert _gets(tenancy) == Counter(), "a compartment in the tree costs no call"
    result = enricher.enrich(_summary("Compartment", late), ctx)
    assert result.status == EnrichStatus.OK and result.details["name"] == "late"
    assert _gets(tenancy) == Counter({"GetCompartment": 1})


def test_a_policy_search_still_shows_in_its_old_compartment_is_got_in_a_run(tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Search is eventually consistent: after a move it may still give the old compartment, whose listing misses
    the policy; the policy is then fetched with get_policy and keeps its full details."""
    from oci_inventory.cli import main

    model = tenancy.emu.model
    policy = next(p for p in model.iam["policies"].values() if p["lifecycleState"] == "ACTIVE")
    elsewhere = next(
        c["id"] for c in model.compartments if c["lifecycleState"] == "ACTIVE" and c["id"] != policy["compartmentId"]
    )
    model.resources = [
        {**r, "compartmentId": elsewhere} if r["identifier"] == policy["id"] else r for r in model.resources
    ]
    model.touch()
    tenancy.emu.journal.clear()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
        main(["run", *tenancy.args, "--query", IAM_QUERY, "--outdir", str(tmp_path / "out"), "--quiet"])
    assert exit_info.value.code == 0
    directory = Path(buffer.getvalue().strip().splitlines()[-1])
    recs = {r["ocid"]: r for r in map(json.loads, (directory / "inventory.jsonl").read_text().splitlines())}
    moved = recs[policy["id"]]
    assert moved["enrichStatus"] == "OK" and wire_of(moved) == policy
    assert moved["details"]["searchSummary"]["compartmentId"] == elsewhere
    gets = [e for e in tenancy.emu.journal.entries() if e.operation in PER_RESOURCE_GETS]
    assert [(e.operation, e.path.rsplit("/", 1)[1]) for e in gets] == [("GetPolicy", policy["id"])]
