"""The record sorter's entries (export/entry.py): a record's line with its relationships and, when the intake thread
made it, its GraphML node. Entries with and without nodes give the very same files, whatever the text holds, with
the CSV written in process or by the export process; ``relationships.jsonl`` comes out in the order a sorter of
its own gave it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.export.entry import edge_entry, entry_edges, entry_parts, prepared_node, record_entry
from oci_inventory.export.graph import node_element
from oci_inventory.export.inventory import InventoryPaths, write_inventory
from oci_inventory.export.jsonl import dumps_record

HOSTILE = ["plain", "a,b \"q\"", "line\nbreak\r\n", "=HYPERLINK(1)", "\x00\x07\x1e ctl", "<x>&'\"", "\u2028\u0085",
           "ü😀開発", "x" * 70_000]  # fmt: skip


def _record(i: int, name: str) -> dict[str, Any]:
    ocid = f"ocid1.instance.oc1..{i:04d}" + ("\nodd" if i == 3 else "")  # an untrusted OCID with a newline
    return {
        "ocid": ocid,
        "resourceType": "Instance",
        "displayName": name,
        "compartmentId": "ocid1.compartment.oc1..c",
        "compartmentPath": f"/{name[:50]}",
        "region": "eu-frankfurt-1",
        "lifecycleState": None if i % 2 else "RUNNING",
        "timeCreated": None,
        "definedTags": {"Ops": {"owner": name[:20]}},
        "freeformTags": {} if i % 3 else {"n": name[:10]},
        "collectedAt": "2024-06-01T00:00:00.001Z",
        "enrichStatus": "OK",
        "enrichError": None,
        "details": {"n": i},
        "relationships": _relations(name)[: 1 + i % 3],
    }


def _relations(name: str) -> list[dict[str, Any]]:
    return [
        {"relation": "IN", "targetOcid": "ocid1.tenancy..t"},
        {"relation": "USES", "targetOcid": f"ocid1.subnet..{name[:8]}", "targetType": "Subnet"},
        {"relation": "IN", "targetOcid": "ocid1.compartment..\nc"},
    ]


def _edges(record: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [edge_entry(record["ocid"], record["resourceType"], rel) for rel in record["relationships"]]


def _paths(directory: Path) -> InventoryPaths:
    directory.mkdir()
    return InventoryPaths(
        jsonl=directory / "inventory.jsonl",
        csv=directory / "inventory.csv",
        graphml=directory / "graph.graphml",
        relationships=directory / "relationships.jsonl",
    )


@pytest.mark.parametrize("csv_raw", [False, True])
def test_entries_with_nodes_give_the_files_entries_without_give(tmp_path: Path, csv_raw: bool) -> None:
    """Entries without nodes, with nodes and mixed, each with the CSV and nodes written in process and by the export
    process (``follow``, which ignores the prepared nodes): six exports, the same four files."""
    records = sorted((_record(i, name) for i, name in enumerate(HOSTILE)), key=lambda r: r["ocid"])
    plain = [record_entry(dumps_record(r), _edges(r)) for r in records]
    prepared = [record_entry(dumps_record(r), _edges(r), prepared_node(r)) for r in records]
    mixed = [p if i % 2 else b for i, (p, b) in enumerate(zip(prepared, plain, strict=True))]
    edge_count = sum(len(r["relationships"]) for r in records)
    outputs = []
    for label, entries in (("plain", plain), ("prepared", prepared), ("mixed", mixed)):
        for follow in (False, True):
            paths = _paths(tmp_path / f"{label}-{follow}")
            keyed = [(r["ocid"], entry) for r, entry in zip(records, entries, strict=True)]
            written = write_inventory(paths, keyed, csv_raw=csv_raw, follow=follow)
            assert written.records == len(records) and written.relationships == edge_count
            assert written.graph is not None and written.graph.edges == edge_count
            outputs.append([p.read_bytes() for p in (paths.jsonl, paths.csv, paths.graphml, paths.relationships)])
            assert sorted(p.name for p in paths.jsonl.parent.iterdir()) == [
                "graph.graphml", "inventory.csv", "inventory.jsonl", "relationships.jsonl"
            ]  # fmt: skip
    assert all(output == outputs[0] for output in outputs)
    assert outputs[0][0] == b"".join(dumps_record(r) + b"\n" for r in records)
    # relationships.jsonl in the order of a sorter keyed source\0relation\0target, ties by line
    every_edge = sorted(pair for r in records for pair in _edges(r))
    assert outputs[0][3] == b"".join(line + b"\n" for _, line in every_edge)


def test_entry_parts_and_edges_round_trip() -> None:
    """Whatever the keys and the node hold (newlines, NULs, 70,000 characters), the parts come back exactly, the
    relationships in key order."""
    record = _record(3, HOSTILE[-1])  # an OCID with a newline; a 70,000-character name
    record["relationships"] = _relations("\x00<&>\n")
    edges = list(reversed(_edges(record)))  # any order in: key order out
    line = dumps_record(record)
    for node in (None, prepared_node(record)):
        entry = record_entry(line, edges, node)
        line_nl, count, edge_lines, got_node = entry_parts(entry)
        assert line_nl == line + b"\n" and count == 3 and got_node == node
        assert edge_lines == b"\n".join(edge for _, edge in sorted(edges))
        assert entry_edges(entry) == sorted(edges)
    assert entry_parts(record_entry(line)) == (line + b"\n", 0, b"", None)
    assert entry_edges(record_entry(line)) == []
    assert entry_parts(line) == (line + b"\n", 0, b"", None)  # a bare line: a record with neither
    assert node_element(record["ocid"], record, external=False) == prepared_node(record)


@pytest.mark.parametrize("prepare", [True, False])
def test_inline_batch_prepares_only_when_asked(prepare: bool) -> None:
    from oci_inventory.enrich.default import DefaultEnricher
    from oci_inventory.export.sorter import ExternalSorter
    from oci_inventory.export.summary import SummaryCounter
    from oci_inventory.intake import InlineBatch

    item = {"identifier": "ocid1.vcn.oc1.iad.a", "resourceType": "Vcn", "compartmentId": "ocid1.compartment.oc1..c",
            "displayName": "a,b", "timeCreated": "2024-05-01T10:11:12.123Z"}  # fmt: skip
    batch = InlineBatch("2024-06-01T00:00:00.001Z", lambda cid: "/c", prepare=prepare)
    assert batch.add(item, "us-ashburn-1", DefaultEnricher())
    with ExternalSorter() as records:
        batch.flush(records, SummaryCounter())
        (entry,) = list(records.sorted_lines())
    _, count, edge_lines, node = entry_parts(entry)
    assert (node is not None) is prepare
    if node is not None:
        assert node.startswith('    <node id="ocid1.vcn.oc1.iad.a">') and "a,b" in node
    assert count == 1 and orjson.loads(edge_lines) == {
        "relation": "IN_COMPARTMENT", "sourceOcid": "ocid1.vcn.oc1.iad.a", "sourceType": "Vcn",
        "targetOcid": "ocid1.compartment.oc1..c", "targetType": "Compartment",
    }  # fmt: skip
