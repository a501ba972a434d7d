"""Discovery at scale: sharded Search equals one chain, the compartment scope pushed into the query equals the
client-side filter, and region start order. Figures are measured in benchmarks/discovery_scale.py, not here."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.auth.providers import build_auth
from oci_inventory.oci import discovery
from oci_inventory.oci.clients import ClientFactory
from oci_inventory.oci.discovery import RegionSearch, parse_shards, region_order
from oci_inventory.oci.search_query import parse_simple
from oci_inventory.pipeline import RunOptions, previous_region_counts

from .helpers import records, run_dir, summary

REGIONS = ("us-ashburn-1", "eu-frankfurt-1")
COUNTS = ("search_results", "duplicates_merged", "terminated_dropped", "out_of_scope_dropped", "total_discovered")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Two regions of ~1,400 Search results each: more than one page, so ``auto`` shards."""
    from oci_emulator import Emulator

    with Emulator(seed=21, size=2400, regions=REGIONS) as emu:
        emu.config_file = emu.write_oci_config(tmp_path_factory.mktemp("emu"))
        yield emu


def _run(cli: Any, emu: Any, out: Path, *extra: str) -> Path:
    args = ["--config-file", str(emu.config_file), "--endpoint-template", emu.endpoint_template]
    result = cli("run", *args, "--outdir", str(out), "--quiet", "--no-enrich", *extra)
    assert result.code == 0, result.err
    return run_dir(result.out)


def _content(directory: Path) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "collectedAt"} for r in records(directory)]


def _counts(directory: Path) -> dict[str, Any]:
    data = summary(directory)
    return {k: data[k] for k in COUNTS}


def test_sharded_search_equals_one_chain(cli, big, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    one = _run(cli, big, tmp_path / "one", "--search-shards", "off")
    big.journal.clear()
    sharded = _run(cli, big, tmp_path / "sharded", "--search-shards", "4")
    assert _content(sharded) == _content(one)
    assert _counts(sharded) == _counts(one) and _counts(one)["duplicates_merged"] > 0
    pages_one = sum(r["pages"] for r in summary(one)["regions"])
    searches = [e for e in big.journal.entries() if e.operation == "SearchResources"]
    # per region: the probe page, then up to 4 shards of at least one page each
    assert len(searches) == sum(r["pages"] for r in summary(sharded)["regions"]) > pages_one


def _factory(emu: Any) -> ClientFactory:
    auth = build_auth("api_key", config_file=str(emu.config_file), endpoint_template=emu.endpoint_template)
    return ClientFactory(auth, endpoint_template=emu.endpoint_template)


def _search(emu: Any, query: str, shards: int | None) -> tuple[RegionSearch, list[str]]:
    seen: list[str] = []
    lock = threading.Lock()

    def accept(items: list[dict[str, Any]], relisting: bool, nbytes: int) -> None:
        with lock:
            seen.extend(str(item["identifier"]) for item in items)

    search = RegionSearch(
        _factory(emu),
        REGIONS[0],
        [query],
        shards=shards,
        accept=accept,
        on_page=lambda n: None,
        cancel=threading.Event(),
    )
    records_, _ = search.run()
    assert records_ == len(seen)
    return search, seen


def test_auto_shards_by_type_without_duplicates(big) -> None:  # type: ignore[no-untyped-def]
    query = "query all resources where lifecycleState != 'NO_SUCH_STATE'"
    one, whole = _search(big, query, 1)
    auto, sharded = _search(big, query, None)
    assert one.sharded == [] and len(auto.sharded) > 2
    assert len(sharded) == len(set(sharded)) and sorted(sharded) == sorted(whole)
    # shard 1 is the complement: the original types minus every type another shard names
    assert "resourceType != " in auto.sharded[0] and all(q.startswith("query ") for q in auto.sharded)
    # a query the rewriter does not handle is one chain, whatever the setting
    unsorted, _ = _search(big, "query all resources sorted by displayName", None)
    assert unsorted.sharded == []


def test_a_region_of_one_page_pays_nothing(big) -> None:  # type: ignore[no-untyped-def]
    big.journal.clear()
    search, seen = _search(big, "query vcn resources", None)
    assert search.sharded == [] and 0 < len(seen) < 1000
    assert [e.operation for e in big.journal.entries() if e.service == "query"] == ["SearchResources"]


def test_compartment_scope_pushed_into_the_query(cli, big, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = big.model
    parents = {c["compartmentId"] for c in model.compartments}
    top = next(c for c in model.compartments if c["lifecycleState"] == "ACTIVE" and c["id"] in parents)
    scope = ("--compartment", top["id"])
    pushed = _run(cli, big, tmp_path / "pushed", *scope)
    # sorted by: not rewritten, so the whole tenancy is searched and the scope is applied client-side
    client_side = _run(cli, big, tmp_path / "client", *scope, "--query", "query all resources sorted by displayName")
    assert _content(pushed) == _content(client_side) != []
    p, c = _counts(pushed), _counts(client_side)
    assert p["out_of_scope_dropped"] == 0 < c["out_of_scope_dropped"]
    assert p["total_discovered"] == c["total_discovered"]
    assert p["search_results"] < c["search_results"]  # the pushed query never returned what the scope excludes


def test_pushed_scope_composes_with_the_users_where(cli, big, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = big.model
    top = next(c for c in model.compartments if c["lifecycleState"] == "ACTIVE")
    query = "query all resources where lifecycleState = 'RUNNING' || lifecycleState = 'AVAILABLE'"
    run = _run(cli, big, tmp_path / "out", "--compartment", top["id"], "--no-subtree", "--query", query)
    got = {r["ocid"] for r in records(run)}
    expected = {
        r["identifier"]
        for r in model.resources
        if r["compartmentId"] == top["id"] and r.get("lifecycleState") in ("RUNNING", "AVAILABLE")
    }
    assert got == expected and summary(run)["out_of_scope_dropped"] == 0


def test_capped_regions_start_home_then_largest_of_the_previous_run(cli, big, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = _run(cli, big, tmp_path, "--workers-region", "1", "--search-shards", "off")
    home = big.model.home_region
    starts = [e.region for e in big.journal.entries() if e.operation == "SearchResources" and "page=" not in e.path]
    assert starts[-2:] == [home, *(r for r in REGIONS if r != home)]
    data = summary(first)
    data["regions"] = [{**r, "records": 7 if r["region"] == home else 9} for r in data["regions"]]
    (first / "run_summary.json").write_text(json.dumps(data), encoding="utf-8")
    counts = previous_region_counts(RunOptions(outdir=tmp_path, query="query all resources"))
    assert counts == {r: 7 if r == home else 9 for r in REGIONS}  # the newest complete run in --outdir
    assert previous_region_counts(RunOptions(outdir=tmp_path / "empty", query="q")) == {}


def test_region_order_and_shard_settings() -> None:
    assert region_order(["c", "b", "home", "a"], "home", {"a": 5, "c": 50}) == ["home", "c", "a", "b"]
    assert region_order(["b", "a"], "home", {}) == ["a", "b"]
    assert (parse_shards("auto"), parse_shards("OFF"), parse_shards("3")) == (None, 1, 3)
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError):
            parse_shards(bad)


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("query all resources", "query all resources"),
        ("QUERY Instance,  Vnic resources where a = 'x'", "query Instance, Vnic resources where a = 'x'"),
        ("query all resources where displayName = 'sorted by'", "query all resources where displayName = 'sorted by'"),
        ("query all resources sorted by displayName", None),
        ("query all resources matching 'x'", None),
        ("query all resources return allAdditionalFields", None),
        ("select everything", None),
    ],
)
def test_which_queries_are_rewritten(query: str, rewritten: str | None) -> None:
    simple = parse_simple(query)
    assert (simple.text() if simple else None) == rewritten


def test_an_expired_page_token_restarts_only_that_shard(cli, big, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(discovery, "SEARCH_PAGE_LIMIT", 200)  # shards of several pages each
    clean = _run(cli, big, tmp_path / "clean", "--search-shards", "3")
    big.journal.clear()
    big.faults.fail_next(1, status=400, code="InvalidParameter", service="query", region=REGIONS[0], paged_only=True)
    try:
        retried = _run(cli, big, tmp_path / "retried", "--search-shards", "3")
    finally:
        big.faults.reset()
    assert [e.status for e in big.journal.entries() if e.operation == "SearchResources"].count(400) == 1
    assert _content(retried) == _content(clean)
    assert _counts(retried) == _counts(clean)
    assert [(r["region"], r["records"]) for r in summary(retried)["regions"]] == [
        (r["region"], r["records"]) for r in summary(clean)["regions"]
    ]
