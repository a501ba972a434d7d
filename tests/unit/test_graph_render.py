"""The graph outputs on hand-made runs: the neighbourhood walk, Mermaid/DOT escaping, and GraphML escaping."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.export.graph import write_graphml, xml_text
from oci_inventory.graph import dot_text, mermaid_text, neighbourhood, to_dot, to_mermaid
from oci_inventory.util.errors import InputError

HOSTILE = 'web"]; click n0 call x()\n<b>&amp;</b> #quot; `x` [/bold] \x1b[31m\\N'
TENANCY = "ocid1.tenancy.oc1..t"


def _rec(ocid: str, rtype: str, name: str | None, compartment: str = "ocid1.compartment.oc1..c") -> dict[str, Any]:
    return {
        "ocid": ocid,
        "resourceType": rtype,
        "displayName": name,
        "region": "us-ashburn-1",
        "compartmentId": compartment,
        "compartmentPath": "/prod",
        "lifecycleState": "AVAILABLE",
        "enrichStatus": "OK",
    }


def _edge(source: str, stype: str, relation: str, target: str, ttype: str | None) -> dict[str, Any]:
    return {"sourceOcid": source, "sourceType": stype, "relation": relation, "targetOcid": target, "targetType": ttype}


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """instance -> vnic -> subnet -> vcn, everything in compartment c (child of the tenancy), plus a volume the
    run does not hold (external) and a second instance in the same compartment."""
    c = "ocid1.compartment.oc1..c"
    records = [
        _rec(c, "Compartment", "prod", TENANCY),
        _rec("ocid1.instance.oc1..i", "Instance", HOSTILE),
        _rec("ocid1.instance.oc1..j", "Instance", "other"),
        _rec("ocid1.subnet.oc1..s", "Subnet", "app"),
        _rec("ocid1.vcn.oc1..v", "Vcn", None),
        _rec("ocid1.vnic.oc1..n", "Vnic", "web-vnic"),
    ]
    edges = [
        _edge(c, "Compartment", "IN_COMPARTMENT", TENANCY, "Compartment"),
        _edge("ocid1.instance.oc1..i", "Instance", "HAS_VNIC", "ocid1.vnic.oc1..n", "Vnic"),
        _edge("ocid1.instance.oc1..i", "Instance", "IN_COMPARTMENT", c, "Compartment"),
        _edge("ocid1.instance.oc1..i", "Instance", "USES_VOLUME", "ocid1.volume.oc1..gone", "Volume"),
        _edge("ocid1.instance.oc1..j", "Instance", "IN_COMPARTMENT", c, "Compartment"),
        _edge("ocid1.subnet.oc1..s", "Subnet", "IN_VCN", "ocid1.vcn.oc1..v", "Vcn"),
        _edge("ocid1.vnic.oc1..n", "Vnic", "IN_SUBNET", "ocid1.subnet.oc1..s", "Subnet"),
    ]
    _write(tmp_path / "inventory.jsonl", sorted(records, key=lambda r: r["ocid"]))
    _write(tmp_path / "relationships.jsonl", edges)
    return tmp_path


def _ocids(nb: Any) -> list[str]:
    return [n.ocid for n in nb.nodes]


def test_depth_counts_hops_in_both_directions(run: Path) -> None:
    nb = neighbourhood(run, "ocid1.vnic.oc1..n", depth=1)
    assert set(_ocids(nb)) == {"ocid1.vnic.oc1..n", "ocid1.instance.oc1..i", "ocid1.subnet.oc1..s"}
    assert _ocids(nb)[0] == "ocid1.vnic.oc1..n"
    nb2 = neighbourhood(run, "ocid1.vnic.oc1..n", depth=2)
    assert {"ocid1.vcn.oc1..v", "ocid1.volume.oc1..gone", "ocid1.compartment.oc1..c"} <= set(_ocids(nb2))
    assert [n.level for n in nb2.nodes] == sorted(n.level for n in nb2.nodes)
    assert {(e.source, e.relation, e.target) for e in nb2.edges} >= {
        ("ocid1.vnic.oc1..n", "IN_SUBNET", "ocid1.subnet.oc1..s"),
        ("ocid1.subnet.oc1..s", "IN_VCN", "ocid1.vcn.oc1..v"),
    }


def test_compartments_are_expanded_backwards_only_from_the_start(run: Path) -> None:
    around_instance = neighbourhood(run, "ocid1.instance.oc1..i", depth=2)
    assert "ocid1.instance.oc1..j" not in _ocids(around_instance)  # not through the shared compartment
    assert TENANCY in _ocids(around_instance)  # forwards: compartment -> its parent
    around_compartment = neighbourhood(run, "ocid1.compartment.oc1..c", depth=1)
    assert {"ocid1.instance.oc1..i", "ocid1.instance.oc1..j"} <= set(_ocids(around_compartment))
    expanded = neighbourhood(run, "ocid1.instance.oc1..i", depth=2, expand_compartments=True)
    assert "ocid1.instance.oc1..j" in _ocids(expanded)


def test_the_edges_are_those_between_nodes_of_the_neighbourhood(run: Path) -> None:
    nb = neighbourhood(run, "ocid1.subnet.oc1..s", depth=1)
    nodes = set(_ocids(nb))
    assert nodes == {"ocid1.subnet.oc1..s", "ocid1.vcn.oc1..v", "ocid1.vnic.oc1..n"}
    assert all(e.source in nodes and e.target in nodes for e in nb.edges) and len(nb.edges) == 2


def test_max_nodes_keeps_the_nearest_and_says_so(run: Path) -> None:
    nb = neighbourhood(run, "ocid1.instance.oc1..i", depth=3, max_nodes=3)
    assert len(nb.nodes) == 3 and nb.truncated
    assert all(n.level <= 1 for n in nb.nodes)
    assert not neighbourhood(run, "ocid1.instance.oc1..i", depth=3).truncated


def test_external_ends_and_names(run: Path) -> None:
    nb = neighbourhood(run, "ocid1.instance.oc1..i", depth=1)
    volume = next(n for n in nb.nodes if n.ocid == "ocid1.volume.oc1..gone")
    assert volume.external and volume.label == "Volume: ocid1.volume.oc1..gone"
    vcn = next(n for n in neighbourhood(run, "ocid1.vcn.oc1..v", depth=0).nodes)
    assert vcn.label == "Vcn: ocid1.vcn.oc1..v" and not vcn.external  # no name: the OCID stands in


def test_an_unknown_ocid_is_an_input_error_naming_it(run: Path) -> None:
    with pytest.raises(InputError, match=r"ocid1\.nothing\.oc1\.\.x"):
        neighbourhood(run, "ocid1.nothing.oc1..x")
    assert _ocids(neighbourhood(run, TENANCY, depth=0)) == [TENANCY]  # an edge end is known


def test_mermaid_labels_cannot_break_out(run: Path) -> None:
    out = to_mermaid(neighbourhood(run, "ocid1.instance.oc1..i", depth=1))
    assert out.startswith("graph LR\n")
    label = next(line for line in out.splitlines() if "Instance:" in line)
    inside = label.split('["', 1)[1].rsplit('"]', 1)[0]
    assert not set(inside) & set('"[]<>&`\n\x1b\\') and "#34;" in inside and "#60;b#62;" in inside
    assert "#35;quot#59;" in inside  # a literal entity code in a name stays literal
    assert '-->|"HAS_VNIC"|' in out
    assert re.search(r"class n\d+(,n\d+)* external", out)
    assert all(line.startswith(("graph LR", "  ")) for line in out.splitlines())  # one statement per line


def test_dot_labels_cannot_break_out(run: Path) -> None:
    out = to_dot(neighbourhood(run, "ocid1.instance.oc1..i", depth=1))
    assert out.startswith("digraph neighbourhood {\n") and out.endswith("}\n")
    label = next(line for line in out.splitlines() if "Instance:" in line)
    text = re.search(r'label="((?:[^"\\]|\\.)*)"', label)
    assert text is not None and "\\n" in text.group(1) and "\x1b" not in label
    assert "&amp;amp;" in text.group(1) and '\\"' in text.group(1) and "\\\\N" in text.group(1)
    assert "style=dashed" in out and "penwidth=3" in out


def test_escaping_functions() -> None:
    assert mermaid_text('a"b') == "a#34;b"
    assert mermaid_text("finanças 開発 (x)") == "finanças 開発 (x)"
    assert mermaid_text("a\nb") == "a#92;nb"
    assert dot_text('a"b\\c&d\ne') == 'a\\"b\\\\c&amp;d\\\\ne'
    assert xml_text("a<b>&\"'\x01\x0b\ufffe\r\n\t") == "a&lt;b&gt;&amp;&quot;&apos;\ufffd\ufffd\ufffd&#13;&#10;&#9;"


def test_graphml_of_hostile_names_parses_and_keeps_them(run: Path, tmp_path: Path) -> None:
    nasty = "x<y>&\"'\x01\r\n\t]]><!--"
    rows = [json.loads(line) for line in (run / "inventory.jsonl").read_text().splitlines()]
    rows[1]["displayName"] = nasty
    _write(run / "inventory.jsonl", rows)
    out = tmp_path / "g.graphml"
    counts = write_graphml(out, run / "inventory.jsonl", run / "relationships.jsonl")
    assert counts.as_dict() == {"nodes": 6 + 2, "external_nodes": 2, "edges": 7}
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(out).getroot()
    keys = root.findall("g:key", ns)
    assert all(k.get("attr.type") in ("string", "boolean") for k in keys) and len(keys) == 8
    names = [d.text for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data") if d.get("key") == "displayName"]
    assert "x<y>&\"'\ufffd\r\n\t]]><!--" in names
    external = {n.get("id") for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node") if _external(n)}
    assert external == {TENANCY, "ocid1.volume.oc1..gone"}


def _external(node: ET.Element) -> bool:
    return any(d.get("key") == "external" and d.text == "true" for d in node)


def test_graphml_without_relationships_has_only_record_nodes(run: Path, tmp_path: Path) -> None:
    counts = write_graphml(tmp_path / "g.graphml", run / "inventory.jsonl", None)
    assert counts.as_dict() == {"nodes": 6, "external_nodes": 0, "edges": 0}
    ET.parse(tmp_path / "g.graphml")


@pytest.mark.parametrize(
    "name", ["plain", "a&b", "<x>", 'q"uote', "tab\there", "nl\nx", "ctl\x01", "\ufffe", "\ud800", "", "ü😀"]
)
def test_node_element_writes_plain_values_as_they_are_and_escapes_the_rest(name: str) -> None:
    """node_element takes one match over the OCID and every value to skip escaping: any value needing it (or an
    OCID needing it) still goes through xml_text, and the element parses back to the values."""
    from oci_inventory.export.graph import NODE_ATTRIBUTES, node_element

    attributes = {"resourceType": "Instance", "displayName": name, "region": "r", "lifecycleState": None,
                  "compartmentPath": "/a", "enrichStatus": 3}  # fmt: skip
    for ocid in ("ocid1.instance.oc1..a", f"ocid1.{name}"):
        element = node_element(ocid, attributes, external=False)
        expected = "".join(
            f'<data key="{key}">{xml_text(attributes[key])}</data>'
            for key in NODE_ATTRIBUTES
            if attributes.get(key) is not None
        )
        assert element == f'    <node id="{xml_text(ocid)}">{expected}<data key="external">false</data></node>\n'
        shown = ET.fromstring(element).find("data[@key='displayName']")
        assert shown is not None and (shown.text or "") == re.sub("[\x01\ufffe\ud800]", "\ufffd", name)
    assert node_element("o", {}, external=True).endswith('<data key="external">true</data></node>\n')
