"""GraphML edges made from a relationship's key (``entry.edge_entry``) are the edges made from the parsed line."""

from __future__ import annotations

import io
from typing import Any

from oci_inventory.export.entry import edge_entry
from oci_inventory.export.graph import GraphmlWriter


def _graph(edges: list[tuple[str, bytes]], records: list[str], *, keyed: bool) -> tuple[str, Any]:
    out = io.StringIO()
    writer = GraphmlWriter(out)
    for ocid in records:
        writer.node({"ocid": ocid, "resourceType": "Instance", "displayName": ocid})
    for key, line in edges:
        if keyed:
            writer.edge_line(key, line)
        else:
            import orjson

            writer.edge(orjson.loads(line))
    counts = writer.close()
    return out.getvalue(), counts


def test_keyed_edges_write_the_same_graph() -> None:
    records = ["ocid1.instance.oc1..a", "ocid1.instance.oc1..b&<c>"]
    relations = [
        ("ocid1.instance.oc1..a", {"relation": "uses", "targetOcid": "ocid1.instance.oc1..b&<c>"}),  # both records
        ("ocid1.instance.oc1..a", {"relation": "in", "targetOcid": "ocid1.vcn.oc1..v", "targetType": None}),
        ("ocid1.instance.oc1..a", {"relation": "on", "targetOcid": "ocid1.vcn.oc1..v", "targetType": "Vcn"}),
        ("ocid1.instance.oc1..b&<c>", {"relation": "on", "targetOcid": "ocid1.vcn.oc1..v", "targetType": "Other"}),
        ("ocid1.instance.oc1..b&<c>", {"relation": "in", "targetOcid": "ocid1.x\x00y", "targetType": "Odd"}),
    ]
    edges = sorted(edge_entry(source, "Instance", relation) for source, relation in relations)
    keyed, keyed_counts = _graph(edges, records, keyed=True)
    parsed, parsed_counts = _graph(edges, records, keyed=False)
    assert keyed == parsed and keyed_counts == parsed_counts
    assert '<node id="ocid1.vcn.oc1..v"><data key="resourceType">Vcn</data>' in keyed  # typed by a later edge
    assert keyed_counts.external_nodes == 2 and keyed_counts.edges == 5


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
    edges = sorted(edge_entry(source, "Instance", relation) for source, relation in relations)
    keyed, keyed_counts = _graph(edges, records, keyed=True)
    parsed, parsed_counts = _graph(edges, records, keyed=False)
    assert keyed == parsed and keyed_counts == parsed_counts
    assert 'source="ocid1.instance.oc1..q&quot;t"' in keyed and '<data key="relation">a&amp;b</data>' in keyed
    assert keyed_counts.external_nodes == 2 and keyed_counts.edges == len(relations)
