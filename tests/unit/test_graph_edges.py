"""GraphML edges written as their records go by (``GraphTail``), each from its relationship's key
(``entry.edge_entry``), are the edges written after every record from the parsed lines."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import orjson

from oci_inventory.export.entry import edge_entry
from oci_inventory.export.graph import GraphCounts, GraphTail, xml_text


def _inline(edges: list[tuple[str, bytes]], records: list[str]) -> tuple[str, GraphCounts]:
    """As the export writes it: each record (in OCID order), then its relationships from their keys."""
    by_source: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for key, line in edges:
        by_source[key.split("\x00")[0]].append((key, line))
    out = io.StringIO()
    tail = GraphTail(out)
    for ocid in sorted(records):
        tail.record(ocid)
        for key, line in by_source.pop(ocid, []):
            tail.edge_line(key, line)
    for pairs in by_source.values():  # relationships of a source that is not a record
        for key, line in pairs:
            tail.edge_line(key, line)
    counts = tail.close()
    return out.getvalue(), counts


def _after(edges: list[tuple[str, bytes]], records: list[str]) -> tuple[str, GraphCounts]:
    """As a graph made from the run's files: every record first, then every relationship parsed."""
    out = io.StringIO()
    tail = GraphTail(out)
    for ocid in sorted(records):
        tail.record(ocid)
    for _key, line in edges:
        tail.edge(orjson.loads(line))
    counts = tail.close()
    return out.getvalue(), counts


def _same(relations: list[tuple[str, dict[str, Any]]], records: list[str]) -> tuple[str, GraphCounts]:
    edges = sorted(edge_entry(source, "Instance", relation) for source, relation in relations)
    inline, inline_counts = _inline(edges, records)
    after, after_counts = _after(edges, records)
    assert inline == after and inline_counts == after_counts
    return inline, inline_counts


def _external(ocid: str, rtype: str | None) -> str:
    typed = f'<data key="resourceType">{xml_text(rtype)}</data>' if rtype is not None else ""
    return f'<node id="{xml_text(ocid)}">{typed}<data key="external">true</data></node>'


def test_keyed_edges_write_the_same_graph() -> None:
    records = ["ocid1.instance.oc1..a", "ocid1.instance.oc1..b&<c>"]
    relations = [
        ("ocid1.instance.oc1..a", {"relation": "uses", "targetOcid": "ocid1.instance.oc1..b&<c>"}),  # both records
        ("ocid1.instance.oc1..a", {"relation": "in", "targetOcid": "ocid1.vcn.oc1..v", "targetType": None}),
        ("ocid1.instance.oc1..a", {"relation": "on", "targetOcid": "ocid1.vcn.oc1..v", "targetType": "Vcn"}),
        ("ocid1.instance.oc1..b&<c>", {"relation": "on", "targetOcid": "ocid1.vcn.oc1..v", "targetType": "Other"}),
        ("ocid1.instance.oc1..b&<c>", {"relation": "in", "targetOcid": "ocid1.x\x00y", "targetType": "Odd"}),
    ]
    graph, counts = _same(relations, records)
    assert _external("ocid1.vcn.oc1..v", "Vcn") in graph  # typed by a later edge, the first to give a type
    assert counts.external_nodes == 2 and counts.edges == 5 and counts.nodes == 4


def test_keyed_edges_with_names_to_escape_and_repeated_targets_write_the_same_graph() -> None:
    """The key's fast path (one match over source, relation and target; targets remembered once settled) writes
    what the parsed line writes: escaped ends and relations, an external target first untyped then typed, a target
    seen many times, a source that is not a record."""
    records = [f"ocid1.instance.oc1..{i}" for i in range(6)] + ['ocid1.instance.oc1..q"t', "ocid1.compartment.oc1..c"]
    relations = [(source, {"relation": "in", "targetOcid": "ocid1.compartment.oc1..c"}) for source in records[:6]]
    relations += [
        ('ocid1.instance.oc1..q"t', {"relation": "a&b", "targetOcid": "ocid1.compartment.oc1..c"}),
        ("ocid1.instance.oc1..0", {"relation": "uses", "targetOcid": "ocid1.ext.oc1..e\t", "targetType": None}),
        ("ocid1.instance.oc1..1", {"relation": "uses", "targetOcid": "ocid1.ext.oc1..e\t", "targetType": "Ext"}),
        ("ocid1.instance.oc1..2", {"relation": "uses", "targetOcid": "ocid1.ext.oc1..e\t", "targetType": "Other"}),
        ("ocid1.notarecord.oc1..s", {"relation": "in", "targetOcid": "ocid1.compartment.oc1..c"}),
    ]
    graph, counts = _same(relations, records)
    assert 'source="ocid1.instance.oc1..q&quot;t"' in graph and '<data key="relation">a&amp;b</data>' in graph
    assert _external("ocid1.ext.oc1..e\t", "Ext") in graph
    assert counts.external_nodes == 2 and counts.edges == len(relations)


def test_ends_ahead_of_the_records_are_settled_when_the_records_pass_them() -> None:
    """Written as the records go by, an edge's end may sort after the record that has it: it is a record if one
    comes later (no external node), external otherwise, whether the records pass it or end before it; an end
    behind the records that is not a record is external at once. Each takes the first type an edge gives it."""
    records = ["ocid1.b.oc1..1", "ocid1.d.oc1..1", "ocid1.f.oc1..1"]
    relations = [
        ("ocid1.b.oc1..1", {"relation": "r", "targetOcid": "ocid1.d.oc1..1", "targetType": "D"}),  # a later record
        ("ocid1.b.oc1..1", {"relation": "r", "targetOcid": "ocid1.c.oc1..1", "targetType": None}),  # passed by d
        ("ocid1.d.oc1..1", {"relation": "s", "targetOcid": "ocid1.c.oc1..1", "targetType": "C"}),  # now behind
        ("ocid1.d.oc1..1", {"relation": "r", "targetOcid": "ocid1.a.oc1..1", "targetType": "A"}),  # behind, never
        ("ocid1.d.oc1..1", {"relation": "r", "targetOcid": "ocid1.z.oc1..1", "targetType": None}),  # past the last
        ("ocid1.f.oc1..1", {"relation": "r", "targetOcid": "ocid1.z.oc1..1", "targetType": "Z"}),
        ("ocid1.f.oc1..1", {"relation": "r", "targetOcid": "ocid1.b.oc1..1", "targetType": "B"}),  # an earlier one
        ("ocid1.f.oc1..1", {"relation": "r", "targetOcid": "ocid1.f.oc1..1", "targetType": "F"}),  # itself
    ]
    graph, counts = _same(relations, records)
    externals = [line.strip() for line in graph.splitlines() if '"external">true' in line]
    assert externals == [
        _external("ocid1.a.oc1..1", "A"),
        _external("ocid1.c.oc1..1", "C"),
        _external("ocid1.z.oc1..1", "Z"),
    ]
    assert counts == GraphCounts(nodes=6, external_nodes=3, edges=len(relations))
