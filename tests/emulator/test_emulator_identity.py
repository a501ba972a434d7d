"""Identity through the real SDK: every served type deserialises; compartment semantics; 404s."""

from __future__ import annotations

from typing import Any

import oci
import pytest

from oci_emulator import Emulator


def test_tenancy_and_region_subscriptions(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    tenancy = identity.get_tenancy(config["tenancy"]).data
    assert isinstance(tenancy, oci.identity.models.Tenancy)
    assert tenancy.id == config["tenancy"] and tenancy.home_region_key == "IAD"
    subs = identity.list_region_subscriptions(config["tenancy"]).data
    assert [s.region_name for s in subs] == ["us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"]
    assert [s.is_home_region for s in subs] == [True, False, False]
    assert {s.status for s in subs} == {"READY"} and subs[1].region_key == "PHX"


def test_regions_and_availability_domains(identity: Any, config: dict[str, Any]) -> None:
    regions = {r.name: r.key for r in identity.list_regions().data}
    assert len(regions) >= 20
    assert regions["uk-london-1"] == "LHR" and regions["ap-tokyo-1"] == "NRT"
    ads = identity.list_availability_domains(config["tenancy"]).data
    assert [a.name for a in ads] == [f"Uocm:US-ASHBURN-AD-{n}" for n in (1, 2, 3)]
    assert all(a.compartment_id == config["tenancy"] and a.id.startswith("ocid1.availabilitydomain.") for a in ads)


def test_identity_works_in_every_subscribed_region(emu: Emulator, config: dict[str, Any], make_client: Any) -> None:
    fra = make_client(emu, oci.identity.IdentityClient, "identity", config, region="eu-frankfurt-1")
    assert fra.list_availability_domains(config["tenancy"]).data[0].name == "Uocm:EU-FRANKFURT-AD-1"


def test_list_compartments_children_only_by_default(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    tenancy = config["tenancy"]
    children = identity.list_compartments(tenancy, limit=1000).data
    assert children and all(isinstance(c, oci.identity.models.Compartment) for c in children)
    assert {c.compartment_id for c in children} == {tenancy}
    everything = oci.pagination.list_call_get_all_results(
        identity.list_compartments, tenancy, compartment_id_in_subtree=True, access_level="ANY", limit=5
    ).data
    assert len(everything) == len(emu.model.compartments) > len(children)
    assert tenancy not in {c.id for c in everything}  # the root is never listed
    assert max(_depth(emu, c.id) for c in everything) <= 5


def _depth(emu: Emulator, cid: str) -> int:
    index, depth = emu.model.compartment_index(), 0
    while cid != emu.model.tenancy_id:
        cid, depth = index[cid]["compartmentId"], depth + 1
    return depth


def test_list_compartments_lifecycle_filter(identity: Any, config: dict[str, Any]) -> None:
    deleted = identity.list_compartments(
        config["tenancy"], compartment_id_in_subtree=True, lifecycle_state="DELETED", limit=1000
    ).data
    active = identity.list_compartments(
        config["tenancy"], compartment_id_in_subtree=True, lifecycle_state="ACTIVE", limit=1000
    ).data
    assert deleted and {c.lifecycle_state for c in deleted} == {"DELETED"}
    assert active and {c.lifecycle_state for c in active} == {"ACTIVE"}


def test_subtree_only_allowed_on_tenancy(emu: Emulator, identity: Any) -> None:
    child = emu.model.compartments[0]["id"]
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.list_compartments(child, compartment_id_in_subtree=True)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_get_compartment_and_root(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    root = identity.get_compartment(config["tenancy"]).data
    assert root.id == config["tenancy"] and root.lifecycle_state == "ACTIVE"
    first = emu.model.compartments[0]
    got = identity.get_compartment(first["id"]).data
    assert (got.name, got.compartment_id) == (first["name"], first["compartmentId"])
    assert got.time_created.tzinfo is not None


@pytest.mark.parametrize(
    ("kind", "method", "model_cls"),
    [
        ("users", "get_user", "User"),
        ("groups", "get_group", "Group"),
        ("policies", "get_policy", "Policy"),
        ("dynamicGroups", "get_dynamic_group", "DynamicGroup"),
        ("tagNamespaces", "get_tag_namespace", "TagNamespace"),
    ],
)
def test_iam_gets(emu: Emulator, identity: Any, kind: str, method: str, model_cls: str) -> None:
    oid, record = next(iter(emu.model.iam[kind].items()))
    got = getattr(identity, method)(oid).data
    assert isinstance(got, getattr(oci.identity.models, model_cls))
    assert got.id == oid and got.name == record["name"] and got.compartment_id == record["compartmentId"]
    assert got.time_created is not None


def test_list_users(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    users = oci.pagination.list_call_get_all_results(identity.list_users, config["tenancy"], limit=2).data
    assert {u.id for u in users} == set(emu.model.iam["users"])


def test_unknown_ids_are_404(identity: Any) -> None:
    for call in (
        lambda: identity.get_user("ocid1.user.oc1..nope"),
        lambda: identity.get_compartment("ocid1.compartment.oc1..nope"),
        lambda: identity.get_tenancy("ocid1.tenancy.oc1..nope"),
    ):
        with pytest.raises(oci.exceptions.ServiceError) as err:
            call()
        assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


@pytest.mark.parametrize(("service", "region"), [("identity", "ap-tokyo-1"), ("nosuch", "us-ashburn-1")])
def test_unsubscribed_region_or_unknown_service_is_404(
    emu: Emulator, config: dict[str, Any], service: str, region: str
) -> None:
    c = oci.identity.IdentityClient(
        config,
        service_endpoint=emu.endpoint_template.format(service=service, region=region),
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )
    with pytest.raises(oci.exceptions.ServiceError) as err:
        c.list_regions()
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


def test_double_slash_is_collapsed(emu: Emulator, config: dict[str, Any]) -> None:
    c = oci.identity.IdentityClient(
        config, service_endpoint=emu.endpoint("identity") + "/", retry_strategy=oci.retry.NoneRetryStrategy()
    )
    assert c.list_regions().data


def test_list_user_group_memberships_needs_a_user_or_a_group(identity: Any, config: dict[str, Any]) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.list_user_group_memberships(config["tenancy"])
    assert (err.value.status, err.value.code) == (400, "MissingParameter")


def test_memberships_by_group_and_by_user_page_and_deserialise(
    emu: Emulator, identity: Any, config: dict[str, Any]
) -> None:
    tenancy, by_group = config["tenancy"], []
    for group_id in emu.model.iam["groups"]:
        by_group += oci.pagination.list_call_get_all_results(
            identity.list_user_group_memberships, tenancy, group_id=group_id, limit=1
        ).data
    assert by_group and all(isinstance(m, oci.identity.models.UserGroupMembership) for m in by_group)
    assert all(m.compartment_id == tenancy and m.lifecycle_state == "ACTIVE" for m in by_group)
    assert all(m.id.startswith("ocid1.groupmembership.oc1..") and m.time_created is not None for m in by_group)
    groups, users = emu.model.iam["groups"], emu.model.iam["users"]
    assert {groups[m.group_id]["lifecycleState"] for m in by_group} == {"ACTIVE"}
    per_user: dict[str, set[str]] = {}
    for m in by_group:
        per_user.setdefault(m.user_id, set()).add(m.group_id)
    assert all(users[u]["lifecycleState"] == "ACTIVE" and 1 <= len(g) <= 3 for u, g in per_user.items())
    user, groups_of_user = next(iter(per_user.items()))
    by_user = identity.list_user_group_memberships(tenancy, user_id=user).data
    assert {m.group_id for m in by_user} == groups_of_user
    one = next(iter(groups_of_user))
    assert [m.group_id for m in identity.list_user_group_memberships(tenancy, user_id=user, group_id=one).data] == [one]


def test_memberships_are_listed_in_the_tenancy_only(emu: Emulator, identity: Any) -> None:
    child, group = emu.model.compartments[0]["id"], next(iter(emu.model.iam["groups"]))
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.list_user_group_memberships(child, group_id=group)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_iam_lists_sort_and_page_like_the_sdk_says(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    tenancy = config["tenancy"]
    by_name = identity.list_users(tenancy, sort_by="NAME", sort_order="ASC", limit=1000).data
    assert [u.name for u in by_name] == sorted(u["name"] for u in emu.model.iam["users"].values())
    newest_first = identity.list_groups(tenancy, sort_by="TIMECREATED", limit=1000).data
    times = [g.time_created for g in newest_first]
    assert times == sorted(times, reverse=True), "TIMECREATED sorts newest first by default"
    paged = oci.pagination.list_call_get_all_results(identity.list_dynamic_groups, tenancy, limit=1).data
    assert [d.id for d in paged] == list(emu.model.iam["dynamicGroups"])


def test_tag_namespaces_of_a_subtree(emu: Emulator, identity: Any, config: dict[str, Any]) -> None:
    tenancy = config["tenancy"]
    only_root = identity.list_tag_namespaces(tenancy, limit=1000).data
    everything = identity.list_tag_namespaces(tenancy, include_subcompartments=True, limit=1000).data
    assert {t.compartment_id for t in only_root} <= {tenancy}
    assert {t.id for t in everything} == set(emu.model.iam["tagNamespaces"])
