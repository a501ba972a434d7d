"""Model properties, mutate determinism, save/load, journal and the /_emulator control endpoints."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from typing import Any

import oci
import pytest

from oci_emulator import Emulator, JournalEntry, TenancyModel
from oci_emulator.model.generate import build_model
from oci_emulator.model.tenancy import region_of

REGIONS = ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1")


def _control(emu: Emulator, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(emu.base_url + path, data=data, method=method)
    with urllib.request.urlopen(req) as resp:
        return resp.status, json.loads(resp.read()), dict(resp.headers)


def test_model_is_deterministic_and_realistic() -> None:
    a, b = build_model(3, 2000, REGIONS), build_model(3, 2000, REGIONS)
    assert a.to_json() == b.to_json()
    assert a.to_json() != build_model(4, 2000, REGIONS).to_json()
    regional = [r for r in a.resources if region_of(r["identifier"]) is not None]
    non_compartment = [r for r in a.resources if r["resourceType"] != "Compartment"]
    assert 1800 <= len(non_compartment) <= 2200
    assert len({r["resourceType"] for r in regional}) >= 40
    dead = sum(r["lifecycleState"] in ("TERMINATED", "DELETED") for r in regional)
    assert 0.02 <= dead / len(regional) <= 0.1
    assert re.fullmatch(r"ocid1\.instance\.oc1\.(iad|phx|fra)\.[a-z0-9]{60}", next(
        r["identifier"] for r in regional if r["resourceType"] == "Instance"))  # fmt: skip
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["timeCreated"])
        for r in a.resources
        if "timeCreated" in r
    )
    assert any("timeCreated" not in r for r in a.resources) and any(r["displayName"] is None for r in regional)
    assert any(r["availabilityDomain"] for r in regional) and any(r["freeformTags"] for r in regional)
    names = [r["displayName"] or "" for r in regional]
    assert any(n[:1] in "=+-@" for n in names) and any("\n" in n for n in names) and any("日本" in n for n in names)
    assert Counter(c["lifecycleState"] for c in a.compartments)["DELETED"] >= 1


def test_big_model_is_complete() -> None:
    """The build time of this size is measured in benchmarks/model_build.py; here only what it holds."""
    model = build_model(1, 5000, REGIONS)
    assert len(model.resources) >= 5000
    assert len({r["identifier"] for r in model.resources}) == len(model.resources)


def test_mutate_is_deterministic_and_visible(fresh_emu: Emulator, tmp_path: Any, make_client: Any) -> None:
    twin = Emulator(seed=7, size=300)
    summary = fresh_emu.mutate(42, add=6, remove=4, change=3)
    assert summary == twin.mutate(42, add=6, remove=4, change=3)
    assert fresh_emu.model.to_json() == twin.model.to_json()
    assert (len(summary.added), len(summary.removed), len(summary.changed)) == (6, 4, 3)
    cfg = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)))
    ids: set[str] = set()
    for region in REGIONS:
        c = make_client(fresh_emu, oci.resource_search.ResourceSearchClient, "query", cfg, region=region)
        details = oci.resource_search.models.StructuredSearchDetails(query="query all resources")
        ids |= {r.identifier for r in c.search_resources(details, limit=1000).data.items}
    assert set(summary.added) <= ids and not set(summary.removed) & ids
    changed = {r["identifier"]: r for r in fresh_emu.model.resources if r["identifier"] in summary.changed}
    assert all(r["freeformTags"]["mutation"] == "42" for r in changed.values())


def test_save_and_load_round_trip(fresh_emu: Emulator, tmp_path: Any) -> None:
    fresh_emu.mutate(5)
    path = fresh_emu.save_state(tmp_path / "state.json")
    with Emulator.load_state(path) as loaded:
        assert loaded.model.to_json() == fresh_emu.model.to_json()
        assert isinstance(loaded.model, TenancyModel)
        status, state, _ = _control(loaded, "GET", "/_emulator/state")
        assert status == 200 and state["tenancy"]["id"] == fresh_emu.model.tenancy_id


def test_journal_records_operations(fresh_emu: Emulator, tmp_path: Any, make_client: Any) -> None:
    cfg = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)))
    identity = make_client(fresh_emu, oci.identity.IdentityClient, "identity", cfg)
    search = make_client(fresh_emu, oci.resource_search.ResourceSearchClient, "query", cfg, region="eu-frankfurt-1")
    fresh_emu.journal.clear()
    identity.list_compartments(cfg["tenancy"])
    search.search_resources(oci.resource_search.models.StructuredSearchDetails(query="query all resources"))
    with pytest.raises(oci.exceptions.ServiceError):
        identity.get_user("ocid1.user.oc1..missing")
    entries = fresh_emu.journal.entries()
    assert [(e.service, e.region, e.operation, e.status) for e in entries] == [
        ("identity", "us-ashburn-1", "ListCompartments", 200),
        ("query", "eu-frankfurt-1", "SearchResources", 200),
        ("identity", "us-ashburn-1", "GetUser", 404),
    ]
    assert entries[1].method == "POST" and entries[1].path.startswith("/query/eu-frankfurt-1/20180409/resources")
    assert isinstance(entries[0], JournalEntry)


def test_control_endpoints(fresh_emu: Emulator) -> None:
    before = fresh_emu.model.to_json()
    status, summary, headers = _control(
        fresh_emu, "POST", "/_emulator/mutate", {"seed": 9, "add": 2, "remove": 1, "change": 1}
    )
    assert status == 200 and len(summary["added"]) == 2 and headers["content-type"] == "application/json"
    assert fresh_emu.model.to_json() != before
    _, faults, _ = _control(fresh_emu, "POST", "/_emulator/faults", {
        "down_regions": ["us-phoenix-1"], "rate_limits": {"query/us-ashburn-1": [5, 10]},
        "fail_next": {"n": 1, "status": 500, "code": "InternalServerError"},
    })  # fmt: skip
    assert faults["down_regions"] == ["us-phoenix-1"] and faults["rate_limits"] == {"query/us-ashburn-1": [5.0, 10.0]}
    _, journal, _ = _control(fresh_emu, "GET", "/_emulator/journal")
    assert [e["operation"] for e in journal][-2:] == ["Mutate", "ConfigureFaults"]
    assert {e["service"] for e in journal} == {"_emulator"}
    _control(fresh_emu, "DELETE", "/_emulator/journal")
    assert [e.operation for e in fresh_emu.journal.entries()] == ["ClearJournal"]
    _control(fresh_emu, "POST", "/_emulator/reset")
    assert fresh_emu.model.to_json() == before and fresh_emu.faults.down_regions == set()
    with pytest.raises(urllib.error.HTTPError) as err:
        _control(fresh_emu, "POST", "/_emulator/faults", {"bogus": 1})
    assert err.value.code == 400
