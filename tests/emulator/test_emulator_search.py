"""Resource Search through the real SDK: paging, ordering, the query subset and its 400s, resource types."""

from __future__ import annotations

from typing import Any

import oci
import pytest

from oci_emulator import Emulator
from oci_emulator.model.tenancy import region_of


def _q(query: str, kind: str = "Structured") -> Any:
    if kind == "FreeText":
        return oci.resource_search.models.FreeTextSearchDetails(text=query)
    return oci.resource_search.models.StructuredSearchDetails(query=query, matching_context_type="NONE")


def _all(search: Any, query: str, limit: int = 1000) -> tuple[list[Any], int]:
    items, pages, page = [], 0, None
    while True:
        resp = search.search_resources(_q(query), limit=limit, page=page)
        items.extend(resp.data.items)
        pages += 1
        if not resp.has_next_page:
            return items, pages
        page = resp.next_page


def test_paging_covers_the_region_once_in_default_order(emu: Emulator, search: Any) -> None:
    items, pages = _all(search, "query all resources", limit=37)
    expected = emu.model.region_resources("us-ashburn-1")
    assert pages == -(-len(expected) // 37) > 3
    ids = [r.identifier for r in items]
    assert len(ids) == len(set(ids)) == len(expected)
    assert all(isinstance(r, oci.resource_search.models.ResourceSummary) for r in items)
    times = [r.time_created for r in items if r.time_created is not None]
    assert times == sorted(times, reverse=True)
    assert {region_of(i) for i in ids} == {"us-ashburn-1", None}


def test_last_page_has_no_next_page_header(search: Any) -> None:
    resp = search.search_resources(_q("query all resources"), limit=1000)
    assert "opc-next-page" not in resp.headers and resp.next_page is None
    assert resp.headers["content-type"] == "application/json" and resp.headers["opc-request-id"]


def test_global_resources_appear_in_every_region(
    emu: Emulator, search: Any, config: dict[str, Any], make_client: Any
) -> None:
    phx = make_client(emu, oci.resource_search.ResourceSearchClient, "query", config, region="us-phoenix-1")
    users_iad = {r.identifier for r in search.search_resources(_q("query user resources"), limit=1000).data.items}
    users_phx = {r.identifier for r in phx.search_resources(_q("query User resources"), limit=1000).data.items}
    assert users_iad == users_phx == set(emu.model.iam["users"])
    assert all(".oc1.." in u for u in users_iad)
    instances = phx.search_resources(_q("query instance resources"), limit=1000).data.items
    assert instances and all(".oc1.phx." in r.identifier and r.availability_domain for r in instances)


def test_every_compartment_is_searchable(emu: Emulator, search: Any) -> None:
    found, _ = _all(search, "query compartment resources")
    assert {r.identifier for r in found} == {c["id"] for c in emu.model.compartments}


def test_bad_page_token_is_400(search: Any) -> None:
    first = search.search_resources(_q("query all resources"), limit=5)
    for token in ("garbage", first.next_page[:-2] + "zz"):
        with pytest.raises(oci.exceptions.ServiceError) as err:
            search.search_resources(_q("query all resources"), limit=5, page=token)
        assert (err.value.status, err.value.code) == (400, "InvalidParameter")
    with pytest.raises(oci.exceptions.ServiceError) as err:  # a token is bound to its query
        search.search_resources(_q("query instance resources"), limit=5, page=first.next_page)
    assert err.value.status == 400


@pytest.mark.parametrize("limit", [0, 1001])
def test_limit_out_of_range_is_400(search: Any, limit: int) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        search.search_resources(_q("query all resources"), limit=limit)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_default_limit_is_100(search: Any) -> None:
    resp = search.search_resources(_q("query all resources"))
    assert len(resp.data.items) == 100 and resp.has_next_page


def _expected(emu: Emulator, pred: Any) -> set[str]:
    return {r["identifier"] for r in emu.model.region_resources("us-ashburn-1") if pred(r)}


def test_where_conditions(emu: Emulator, search: Any) -> None:
    cid = emu.model.compartments[1]["id"]
    cases = {
        "query instance resources where lifecycleState = 'RUNNING'": lambda r: (
            r["resourceType"] == "Instance" and r["lifecycleState"] == "RUNNING"
        ),
        "query all resources where lifeCycleState != 'TERMINATED' && lifecycleState != 'DELETED'": lambda r: (
            r["lifecycleState"] not in ("TERMINATED", "DELETED")
        ),
        f"query all resources where compartmentId = '{cid}'": lambda r: r["compartmentId"] == cid,
        "QUERY ALL RESOURCES WHERE resourceType = 'vcn' && lifecycleState = 'available'": lambda r: (
            r["resourceType"] == "Vcn" and r["lifecycleState"] == "AVAILABLE"
        ),
        "query networksecuritygroup resources": lambda r: r["resourceType"] == "NetworkSecurityGroup",
        "query Instance, Volume resources": lambda r: r["resourceType"] in ("Instance", "Volume"),
    }
    for query, pred in cases.items():
        got, _ = _all(search, query)
        assert {r.identifier for r in got} == _expected(emu, pred), query
        assert got, query


def test_display_name_condition_and_sorting(emu: Emulator, search: Any) -> None:
    name = next(r["displayName"] for r in emu.model.region_resources("us-ashburn-1") if r.get("displayName"))
    got = search.search_resources(_q(f"query all resources where displayName = '{name}'"), limit=1000).data.items
    assert name in {r.display_name for r in got}
    asc, _ = _all(search, "query vnic resources sorted by displayName asc")
    names = [r.display_name for r in asc if r.display_name is not None]
    assert names == sorted(names, key=str.casefold)
    desc, _ = _all(search, "query vnic resources sorted by displayName desc")
    assert [r.display_name for r in desc if r.display_name is not None] == names[::-1]


@pytest.mark.parametrize(
    "query",
    [
        "query all resources where (lifecycleState = 'A' || lifecycleState = 'B'",
        "query Volume resources return allAdditionalFields",
        "query nosuchtype resources",
        "query all resources where color = 'red'",
        "query all resources where lifecycleState > 'A'",
        "query all resources where lifecycleState = RUNNING",
        "select * from resources",
        "query all resources matching 'vm'",
    ],
)
def test_unsupported_queries_are_400(search: Any, query: str) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        search.search_resources(_q(query))
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")
    assert err.value.message


def test_free_text_is_400(search: Any) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        search.search_resources(_q("vm1", kind="FreeText"))
    assert err.value.status == 400 and "Structured" in err.value.message


def test_hazardous_values_survive_the_wire(emu: Emulator, search: Any) -> None:
    got, _ = _all(search, "query all resources")
    by_id = {r.identifier: r for r in got}
    for rec in emu.model.region_resources("us-ashburn-1"):
        assert by_id[rec["identifier"]].display_name == rec.get("displayName")
    names = [r.display_name or "" for r in got]
    assert any(n[:1] in "=+-@" for n in names) or any("\n" in n or "," in n or '"' in n for n in names)


def test_resource_types(search: Any) -> None:
    first = search.list_resource_types(limit=10)
    assert len(first.data) == 10 and first.has_next_page
    every = oci.pagination.list_call_get_all_results(search.list_resource_types, limit=25).data
    names = {t.name for t in every}
    assert {"Instance", "ClustersCluster", "DynamicResourceGroup", "Compartment"} <= names and len(names) >= 50
    one = search.get_resource_type("instance").data
    assert isinstance(one, oci.resource_search.models.ResourceType) and one.name == "Instance"
    assert "lifecycleState" in {f.field_name for f in one.fields}
    with pytest.raises(oci.exceptions.ServiceError) as err:
        search.get_resource_type("Nope")
    assert err.value.status == 404
