from __future__ import annotations

import json


def test_list_regions_json_and_table(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("list-regions", *shared_tenancy.args, "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["name"] for r in rows] == sorted(["us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1"])
    assert {r["name"]: r["key"] for r in rows}["eu-frankfurt-1"] == "FRA"
    assert [r["name"] for r in rows if r["home"]] == ["us-ashburn-1"]
    assert {r["status"] for r in rows} == {"READY"}
    table = cli("list-regions", *shared_tenancy.args)
    assert table.code == 0 and "eu-frankfurt-1" in table.out and "FRA" in table.out


def test_list_compartments_whole_tree_with_paths(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    model = shared_tenancy.emu.model
    result = cli("list-compartments", *shared_tenancy.args, "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    live = {c["id"] for c in model.compartments if c["lifecycleState"] != "DELETED"}
    assert {r["id"] for r in rows} == live
    by_id = {c["id"]: c for c in model.compartments}
    everything = json.loads(cli("list-compartments", *shared_tenancy.args, "--format", "json", "--include-deleted").out)
    assert {r["id"] for r in everything} == set(by_id)
    assert any(r["lifecycle_state"] == "DELETED" for r in everything)
    path_of = {r["id"]: r["path"] for r in everything} | {model.tenancy_id: ""}
    depths = set()
    for row in everything:
        assert row["parent_id"] == by_id[row["id"]]["compartmentId"]
        assert row["path"] == f"{path_of[row['parent_id']]}/{by_id[row['id']]['name']}"
        depths.add(row["path"].count("/"))
    assert max(depths) >= 3, "the emulated tree is nested"


def test_list_compartments_is_one_paged_subtree_call(cli, tenancy) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.journal.clear()
    assert cli("list-compartments", *tenancy.args, "--format", "json").code == 0
    calls = [e for e in tenancy.emu.journal.entries() if e.operation == "ListCompartments"]
    assert calls and all("compartmentIdInSubtree=true" in e.path and "accessLevel=ANY" in e.path for e in calls)


def test_table_output_for_people(cli, shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate-auth", *shared_tenancy.args)
    assert result.code == 0 and "Authentication OK" in result.out and "us-ashburn-1" in result.out
