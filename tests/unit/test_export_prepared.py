"""Records whose GraphML node was made on the intake thread (``prepared_line``) give the very files that the
export makes from bare JSONL lines, whatever the text holds, with the CSV written in process or by the export
process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oci_inventory.export.graph import node_element
from oci_inventory.export.inventory import InventoryPaths, _split, prepared_line, write_inventory
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
        "relationships": [],
    }


def _paths(directory: Path) -> InventoryPaths:
    directory.mkdir()
    return InventoryPaths(
        jsonl=directory / "inventory.jsonl",
        csv=directory / "inventory.csv",
        graphml=directory / "graph.graphml",
        relationships=directory / "relationships.jsonl",
    )


@pytest.mark.parametrize("csv_raw", [False, True])
def test_prepared_lines_give_the_files_bare_lines_give(tmp_path: Path, csv_raw: bool) -> None:
    """Bare, prepared and mixed lines, each with the CSV and nodes written in process and by the export process
    (``follow``, which ignores the prepared nodes): six exports, the same four files."""
    records = sorted((_record(i, name) for i, name in enumerate(HOSTILE)), key=lambda r: r["ocid"])
    edges = [
        (
            f"{r['ocid']}\x00IN\x00ocid1.tenancy..t",
            dumps_record({"relation": "IN", "sourceOcid": r["ocid"], "targetOcid": "ocid1.tenancy..t"}),
        )
        for r in records
    ]
    bare = [dumps_record(r) for r in records]
    prepared = [prepared_line(r, line) for r, line in zip(records, bare, strict=True)]
    mixed = [p if i % 2 else b for i, (p, b) in enumerate(zip(prepared, bare, strict=True))]
    outputs = []
    for label, lines in (("bare", bare), ("prepared", prepared), ("mixed", mixed)):
        for follow in (False, True):
            paths = _paths(tmp_path / f"{label}-{follow}")
            keyed = [(r["ocid"], line) for r, line in zip(records, lines, strict=True)]
            written = write_inventory(paths, keyed, edges, csv_raw=csv_raw, follow=follow)
            assert written.records == len(records) and written.graph.external_nodes == 1
            assert written.graph.nodes == len(records) + 1 and written.graph.edges == len(records)
            outputs.append([p.read_bytes() for p in (paths.jsonl, paths.csv, paths.graphml, paths.relationships)])
            assert sorted(p.name for p in paths.jsonl.parent.iterdir()) == [
                "graph.graphml", "inventory.csv", "inventory.jsonl", "relationships.jsonl"
            ]  # fmt: skip
    assert all(output == outputs[0] for output in outputs)
    for record, line, entry in zip(records, bare, prepared, strict=True):
        parts = _split(entry)
        assert (
            parts is not None and parts[0] == line and parts[1] == node_element(record["ocid"], record, external=False)
        )
    assert _split(bare[0]) is None


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
    with ExternalSorter() as records, ExternalSorter() as edges:
        batch.flush(records, edges, SummaryCounter())
        (line,) = list(records.sorted_lines())
    parts = _split(line)
    assert (parts is not None) is prepare
    if parts is not None:
        assert parts[1].startswith('    <node id="ocid1.vcn.oc1.iad.a">') and "a,b" in parts[1]
