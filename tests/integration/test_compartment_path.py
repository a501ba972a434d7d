"""Where a resource lives, in words: compartmentPath, --compartment by path or name, compartments.jsonl."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import records, run_dir, summary


def _paths(model: Any) -> dict[str, str]:
    """Every compartment's expected path, computed from the model (DELETED ancestors included)."""
    by_id = {c["id"]: c for c in model.compartments}

    def path(cid: str) -> str:
        if cid == model.tenancy_id:
            return "/"
        c = by_id[cid]
        return path(c["compartmentId"]).rstrip("/") + "/" + c["name"]

    return {cid: path(cid) for cid in [model.tenancy_id, *by_id]}


def _set_state(model: Any, cid: str, state: str) -> None:
    model.compartments = [{**c, "lifecycleState": state} if c["id"] == cid else c for c in model.compartments]
    model.resources = [{**r, "lifecycleState": state} if r["identifier"] == cid else r for r in model.resources]
    model.touch()


def _rename(model: Any, cid: str, name: str) -> None:
    model.compartments = [{**c, "name": name} if c["id"] == cid else c for c in model.compartments]
    model.resources = [{**r, "displayName": name} if r["identifier"] == cid else r for r in model.resources]
    model.touch()


def _nested_with_resources(model: Any) -> dict[str, Any]:
    """An ACTIVE compartment below an ACTIVE non-root parent that holds live resources."""
    by_id = {c["id"]: c for c in model.compartments}
    used = {r["compartmentId"] for r in model.resources if r.get("lifecycleState") not in ("TERMINATED", "DELETED")}
    return next(
        c
        for c in model.compartments
        if c["lifecycleState"] == "ACTIVE"
        and c["id"] in used
        and c["compartmentId"] in by_id
        and by_id[c["compartmentId"]]["lifecycleState"] == "ACTIVE"
    )


def _run(cli: Any, tenancy: Any, outdir: Path, *extra: str) -> Path:
    result = cli("run", *tenancy.args, "--outdir", str(outdir), "--quiet", *extra)
    assert result.code == 0, result.err
    return run_dir(result.out)


def test_every_record_has_its_compartment_path_in_jsonl_csv_and_parquet(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    model = tenancy.emu.model
    nested = _nested_with_resources(model)
    _set_state(model, nested["compartmentId"], "DELETED")  # a DELETED ancestor stays part of the path
    directory = _run(cli, tenancy, tmp_path, "--parquet")
    expected = _paths(model)
    recs = records(directory)
    assert recs and all(r["compartmentPath"] == expected[r["compartmentId"]] for r in recs)
    assert any(r["compartmentPath"] == "/" for r in recs), "resources in the root"
    in_nested = [r for r in recs if r["compartmentId"] == nested["id"]]
    parent = next(c for c in model.compartments if c["id"] == nested["compartmentId"])
    assert in_nested and all(r["compartmentPath"].endswith(f"/{parent['name']}/{nested['name']}") for r in in_nested)
    compartment_records = [r for r in recs if r["resourceType"] == "Compartment"]
    assert compartment_records and all(
        r["compartmentPath"] == expected[next(c for c in model.compartments if c["id"] == r["ocid"])["compartmentId"]]
        for r in compartment_records
    ), "a Compartment record's path is where it lives: its parent's path"

    with open(directory / "inventory.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        by_ocid = {row["ocid"]: row["compartmentPath"] for row in reader}
    assert fields.index("compartmentPath") == fields.index("compartmentId") + 1
    assert by_ocid == {r["ocid"]: r["compartmentPath"] for r in recs}
    table = pq.read_table(directory / "inventory.parquet")
    assert table.column("compartmentPath").to_pylist() == [r["compartmentPath"] for r in recs]


def test_a_resource_in_an_unknown_compartment_has_a_null_path(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = next(r for r in model.resources if ".iad." in r["identifier"] and r.get("lifecycleState") == "RUNNING")
    model.resources = [
        {**r, "compartmentId": "ocid1.compartment.oc1..invisible"} if r is target else r for r in model.resources
    ]
    model.touch()
    recs = records(_run(cli, tenancy, tmp_path, "--regions", "us-ashburn-1"))
    assert {r["ocid"]: r["compartmentPath"] for r in recs}[target["identifier"]] is None


def test_compartment_by_path_or_name_selects_the_same_records(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = shared_tenancy.emu.model
    chosen = _nested_with_resources(model)
    path = _paths(model)[chosen["id"]]
    by_ocid = _run(cli, shared_tenancy, tmp_path / "a", "--compartment", chosen["id"])
    by_path = _run(cli, shared_tenancy, tmp_path / "b", "--compartment", path)
    by_name = _run(cli, shared_tenancy, tmp_path / "c", "--compartment", chosen["name"])
    ocids = [r["ocid"] for r in records(by_ocid)]
    assert ocids and ocids == [r["ocid"] for r in records(by_path)] == [r["ocid"] for r in records(by_name)]
    assert all(r["compartmentPath"].startswith(path) for r in records(by_path))


def test_compartment_root_path_is_the_whole_tenancy(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    regions = ("--regions", "ap-tokyo-1")
    everything = _run(cli, shared_tenancy, tmp_path / "a", *regions)
    root = _run(cli, shared_tenancy, tmp_path / "b", *regions, "--compartment", "/")
    assert [r["ocid"] for r in records(root)] == [r["ocid"] for r in records(everything)]


def test_bad_compartment_names_are_exit_2(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    live = [c for c in model.compartments if c["lifecycleState"] == "ACTIVE"]
    one, two = live[0], next(c for c in live[1:] if c["compartmentId"] != live[0]["compartmentId"])
    _rename(model, one["id"], "twin")
    _rename(model, two["id"], "twin")
    deleted = next(c for c in model.compartments if c["lifecycleState"] == "DELETED")
    paths = _paths(model)
    cases = [
        ("twin", ["ambiguous", paths[one["id"]], paths[two["id"]]]),
        ("no-such-name", ["'no-such-name'", "not found", "list-compartments"]),
        ("/no/such/path", ["'/no/such/path'", "not found", "list-compartments"]),
        (deleted["name"], [paths[deleted["id"]], deleted["id"], "DELETED"]),
        (deleted["id"], [deleted["id"], "DELETED"]),
    ]
    out = tmp_path / "out"
    for spec, needles in cases:
        result = cli("run", *tenancy.args, "--outdir", str(out), "--quiet", "--compartment", spec)
        assert result.code == 2, (spec, result.err)
        assert result.err.startswith("oci-inv: error: ") and result.err.count("\n") == 1, result.err
        for needle in needles:
            assert needle in result.err, (spec, needle, result.err)
    assert not out.exists() or not any(out.iterdir()), "nothing is written"


def test_compartments_jsonl_is_the_tree_the_run_used(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directory = _run(cli, shared_tenancy, tmp_path, "--regions", "ap-tokyo-1")
    assert "compartments.jsonl" in summary(directory)["files"]
    lines = (directory / "compartments.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    listed = json.loads(cli("list-compartments", *shared_tenancy.args, "--format", "json", "--include-deleted").out)
    assert rows == [
        {
            "id": r["id"],
            "name": r["name"],
            "parentId": r["parent_id"],
            "path": r["path"],
            "lifecycleState": r["lifecycle_state"],
        }
        for r in listed
    ]
    assert [(r["path"], r["id"]) for r in rows] == sorted((r["path"], r["id"]) for r in rows)
    assert lines == [json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for r in rows]


@pytest.mark.parametrize("with_compartment", [False, True])
def test_every_run_lists_the_tree_once(cli, tenancy, tmp_path: Path, with_compartment: bool) -> None:  # type: ignore[no-untyped-def]
    tenancy.emu.journal.clear()
    extra = ("--compartment", "/") if with_compartment else ()
    _run(cli, tenancy, tmp_path, "--regions", "us-ashburn-1", *extra)
    calls = [e for e in tenancy.emu.journal.entries() if e.operation == "ListCompartments"]
    assert calls and all("compartmentIdInSubtree=true" in e.path for e in calls)
    assert len(calls) == 1, "one page of up to 1000 compartments"


def test_a_compartment_rename_is_one_change(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    nested = _nested_with_resources(model)
    first = _run(cli, tenancy, tmp_path, "--regions", "us-ashburn-1")
    _rename(model, nested["id"], nested["name"] + "-renamed")
    second = _run(cli, tenancy, tmp_path, "--regions", "us-ashburn-1", "--prev", str(first))
    moved = [r for r in records(second) if r["compartmentId"] == nested["id"]]
    assert moved and all(r["compartmentPath"].endswith("-renamed") for r in moved)
    diff_summary = json.loads((second / "diff_summary.json").read_text())
    assert (diff_summary["added"], diff_summary["removed"], diff_summary["changed"]) == (0, 0, 1)
    changed = json.loads((second / "diff.json").read_text())["changed"]
    assert [c["ocid"] for c in changed] == [nested["id"]]


def test_without_permission_to_list_compartments_the_run_goes_on_without_paths(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    refuse = {"status": 404, "code": "NotAuthorizedOrNotFound", "operation": "ListCompartments"}
    tenancy.emu.faults.fail_next(1, **refuse)
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path / "a"), "--quiet", "--regions", "us-ashburn-1")
    assert result.code == 0, result.err
    assert "cannot list the compartments" in result.err and "inspect compartments" in result.err
    directory = run_dir(result.out)
    recs = records(directory)
    assert recs and {r["compartmentPath"] for r in recs if r["compartmentId"] == model.tenancy_id} == {"/"}
    assert all(r["compartmentPath"] is None for r in recs if r["compartmentId"] != model.tenancy_id)
    assert not (directory / "compartments.jsonl").exists()
    assert "compartments.jsonl" not in summary(directory)["files"]

    tenancy.emu.faults.fail_next(1, **refuse)
    scoped = cli("run", *tenancy.args, "--outdir", str(tmp_path / "b"), "--quiet", "--compartment", "/")
    assert scoped.code == 3, "--compartment needs the tree: the refusal is an authorization failure"
    assert scoped.err.startswith("oci-inv: error: ") and not (tmp_path / "b").exists()
