"""The Search query subset's boolean conditions (``&&``, ``||``, parentheses) through the real SDK, and the
rewrites oci-inv sends (compartment chunks, type shards) answered as the originals would be."""

from __future__ import annotations

from collections import Counter
from typing import Any

import oci
import pytest

from oci_emulator import Emulator
from oci_emulator.services.search.models import type_selection
from oci_emulator.services.search.query import parse_query
from oci_inventory.oci import search_query
from oci_inventory.oci.search_query import parse_simple, scope_queries, type_shards


def _ids(search: Any, query: str) -> list[str]:
    details = oci.resource_search.models.StructuredSearchDetails(query=query, matching_context_type="NONE")
    out, page = [], None
    while True:
        resp = search.search_resources(details, limit=1000, page=page)
        out.extend(r.identifier for r in resp.data.items)
        if not resp.has_next_page:
            return out
        page = resp.next_page


def _expected(emu: Emulator, keep: Any) -> set[str]:
    return {r["identifier"] for r in emu.model.region_resources("us-ashburn-1") if keep(r)}


def test_or_and_parentheses_follow_precedence(emu: Emulator, search: Any) -> None:
    got = _ids(search, "query all resources where lifecycleState = 'RUNNING' || lifecycleState = 'STOPPED'")
    assert set(got) == _expected(emu, lambda r: r.get("lifecycleState") in ("RUNNING", "STOPPED")) != set()
    # && binds tighter than ||: a || (b && c)
    loose = _ids(
        search,
        "query all resources where resourceType = 'Vcn' || resourceType = 'Instance' && lifecycleState = 'RUNNING'",
    )
    assert set(loose) == _expected(
        emu,
        lambda r: (
            r["resourceType"] == "Vcn" or (r["resourceType"] == "Instance" and r.get("lifecycleState") == "RUNNING")
        ),
    )
    grouped = _ids(
        search,
        "query all resources where (resourceType = 'Vcn' || resourceType = 'Instance') && lifecycleState = 'RUNNING'",
    )
    assert set(grouped) == _expected(
        emu, lambda r: r["resourceType"] in ("Vcn", "Instance") and r.get("lifecycleState") == "RUNNING"
    )
    assert set(grouped) < set(loose)


@pytest.mark.parametrize(
    "query",
    [
        "query all resources where (lifecycleState = 'A'",
        "query all resources where lifecycleState = 'A')",
        "query all resources where lifecycleState = 'A' ||",
        "query all resources where ()",
        "query all resources where " + "(" * 9 + "lifecycleState = 'A'" + ")" * 9,
    ],
)
def test_malformed_boolean_conditions_are_400(search: Any, query: str) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _ids(search, query)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_compartment_chunks_partition_the_scoped_result(
    emu: Emulator, search: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_query, "SCOPE_CHUNK", 4)  # the tenancy has ~12 compartments; 40 per chunk in use
    scope = {c["id"] for c in emu.model.compartments[:9]} | {emu.model.tenancy_id}
    base = parse_simple("query all resources where lifecycleState != 'TERMINATED'")
    assert base is not None
    chunks = scope_queries(base, scope)
    assert chunks is not None and len(chunks) == 3
    got = [i for q in chunks for i in _ids(search, q.text())]
    assert len(got) == len(set(got))  # a resource is in one chunk only
    assert set(got) == _expected(emu, lambda r: r["compartmentId"] in scope and r.get("lifecycleState") != "TERMINATED")


def test_type_shards_partition_the_result_including_unsampled_types(emu: Emulator, search: Any) -> None:
    whole = _ids(search, "query all resources where lifecycleState != 'RUNNING'")
    sample = Counter({"Vnic": 9, "Instance": 8, "Subnet": 5, "NoSuchTypeYet": 1})  # e.g. a first page's types
    base = parse_simple("query all resources where lifecycleState != 'RUNNING'")
    assert base is not None
    shards = type_shards(base, Counter({k: v for k, v in sample.items() if k != "NoSuchTypeYet"}), 3)
    assert len(shards) == 3
    got = [i for q in shards for i in _ids(search, q.text())]
    assert len(got) == len(set(got)) and set(got) == set(whole)
    assert len({r["resourceType"] for r in emu.model.region_resources("us-ashburn-1")}) > 10  # most are unsampled


def test_type_selections_are_answered_as_a_scan_would(emu: Emulator, search: Any) -> None:
    """The emulator answers a query that selects by type alone from its type index: same resources, same order
    as evaluating the query on every resource (case-insensitive values, the complement shard included)."""
    base = parse_simple("query all resources")
    assert base is not None
    shards = [q.text() for q in type_shards(base, Counter({"Vnic": 9, "Instance": 8, "Subnet": 5}), 3)]
    queries = [*shards, "query all resources where resourceType = 'vcn' || resourceType = 'INSTANCE'"]
    region = emu.model.region_resources("us-ashburn-1")
    for text in queries:
        assert type_selection(parse_query(text)) is not None, text
        expected = [r["identifier"] for r in region if parse_query(text).matches(r)]
        assert expected and _ids(search, text) == expected, text
    assert sum(len(_ids(search, q)) for q in shards) == len(region)


@pytest.mark.parametrize(
    "query",
    [
        "query all resources",
        "query all resources where resourceType = 'Vcn' || lifecycleState = 'RUNNING'",
        "query all resources where resourceType != 'Vcn' || resourceType != 'Subnet'",
        "query all resources where resourceType = 'Vcn' && resourceType = 'Subnet'",
        "query Vcn resources where resourceType = 'Vcn'",
    ],
)
def test_other_queries_are_scanned(query: str) -> None:
    assert type_selection(parse_query(query)) is None


def test_summaries_are_serialized_once_per_model_version(fresh_emu: Emulator, make_client: Any, tmp_path: Any) -> None:
    """Search sends each summary as a fragment made once per model version; a mutation (a new version, records
    replaced) is answered with the new summaries, never the cached ones."""
    import orjson

    from oci_emulator.model.mutate import mutate
    from oci_emulator.services.search.models import SearchBackend

    backend = SearchBackend(lambda: fresh_emu.model)
    records = fresh_emu.model.region_resources("us-ashburn-1")[:3]
    first = backend.serialized("us-ashburn-1", records)
    again = backend.serialized("us-ashburn-1", records)
    assert all(a is b for a, b in zip(again, first, strict=True))  # made once
    assert orjson.loads(orjson.dumps(first)) == records
    config = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)), "DEFAULT")
    search = make_client(fresh_emu, oci.resource_search.ResourceSearchClient, "query", config, "us-ashburn-1")
    details = oci.resource_search.models.StructuredSearchDetails(query="query all resources")
    listed = {r.identifier for r in search.search_resources(details, limit=1000).data.items}  # cached now
    changed = [ocid for ocid in mutate(fresh_emu.model, seed=7, add=0, remove=0, change=60).changed if ocid in listed]
    after = {r.identifier: r for r in search.search_resources(details, limit=1000).data.items}
    assert changed and all(after[ocid].display_name.endswith("(changed 7)") for ocid in changed)
    edited = fresh_emu.model.region_resources("us-ashburn-1")[0]
    edited["displayName"] = "edited in place"  # then touch(): any change with a new version is served
    fresh_emu.model.touch()
    served = {r.identifier: r for r in search.search_resources(details, limit=1000).data.items}
    assert served[edited["identifier"]].display_name == "edited in place"
