"""graph.graphml of a real run loads in networkx with the expected nodes and edges; ``oci-inv graph`` prints a
neighbourhood, escapes hostile names, and refuses an unknown OCID with exit 2."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.integration.helpers import records, run_dir, summary

HOSTILE = 'evil"] --> x["pwn</b>&amp;\n#quot;`\x1b[31m'


def _edges(directory: Path) -> list[dict[str, Any]]:
    path = directory / "relationships.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def graph_run(shared_tenancy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    from oci_inventory.cli import main

    out = tmp_path_factory.mktemp("graph-run")
    try:
        main(["run", *shared_tenancy.args, "--outdir", str(out), "--quiet"])
    except SystemExit as exc:
        assert exc.code == 0
    yield next(p for p in out.iterdir() if p.name[:1].isdigit())


def test_graphml_loads_in_networkx_with_every_record_edge_and_external_end(graph_run: Path) -> None:
    recs = {r["ocid"]: r for r in records(graph_run)}
    edges = _edges(graph_run)
    ends = {e["sourceOcid"] for e in edges} | {e["targetOcid"] for e in edges}
    external = ends - set(recs)
    assert external, "the tenancy root at least is an edge target that is not a record"

    g = nx.read_graphml(graph_run / "graph.graphml")
    assert g.is_directed()
    assert g.number_of_nodes() == len(recs) + len(external)
    assert g.number_of_edges() == len(edges)
    assert {n for n, a in g.nodes(data=True) if a["external"]} == external
    for ocid, record in list(recs.items())[::97]:
        attrs = g.nodes[ocid]
        for key in ("resourceType", "displayName", "region", "compartmentPath", "lifecycleState", "enrichStatus"):
            assert attrs.get(key) == record[key], (ocid, key)
    for edge in edges[::97]:
        data = g.get_edge_data(edge["sourceOcid"], edge["targetOcid"])
        relations = [d["relation"] for d in data.values()] if g.is_multigraph() else [data["relation"]]
        assert edge["relation"] in relations
    figures = summary(graph_run)
    assert figures["graph"] == {
        "nodes": len(recs) + len(external),
        "external_nodes": len(external),
        "edges": len(edges),
    }
    assert "graph.graphml" in figures["files"]


def test_graph_around_matches_the_neighbourhood_networkx_computes(cli, graph_run: Path) -> None:  # type: ignore[no-untyped-def]
    edges = _edges(graph_run)
    degree: dict[str, int] = {}
    for e in edges:
        if e["sourceType"] != "Compartment":
            degree[e["sourceOcid"]] = degree.get(e["sourceOcid"], 0) + 1
    around = max(sorted(degree), key=lambda o: degree[o])  # the record with the most edges of its own
    g = nx.read_graphml(graph_run / "graph.graphml")
    ego = nx.ego_graph(g, around, radius=1, undirected=True)

    result = cli("graph", "--inventory", str(graph_run), "--around", around, "--depth", "1", "--format", "dot")
    assert result.code == 0, result.err
    assert result.out.startswith("digraph neighbourhood {")
    assert len(re.findall(r"^  n\d+ \[label=", result.out, re.M)) == ego.number_of_nodes()
    assert len(re.findall(r"^  n\d+ -> n\d+ ", result.out, re.M)) == ego.number_of_edges()
    assert f'tooltip="{around}", penwidth=3' in result.out

    mermaid = cli("graph", "--inventory", str(graph_run), "--around", around, "--depth", "1")
    assert mermaid.code == 0 and mermaid.out.startswith("graph LR\n")
    assert f"%% n0 = {around}" in mermaid.out
    assert len(re.findall(r"-->\|", mermaid.out)) == ego.number_of_edges()


def test_unknown_ocid_is_exit_2_naming_it(cli, graph_run: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("graph", "--inventory", str(graph_run), "--around", "ocid1.instance.oc1..nosuch")
    assert result.code == 2
    assert "ocid1.instance.oc1..nosuch" in result.err and result.out == ""
    missing = cli("graph", "--inventory", str(graph_run / "nope"), "--around", "ocid1.instance.oc1..nosuch")
    assert missing.code == 2 and "does not exist" in missing.err


def test_hostile_names_are_escaped_in_graphml_mermaid_and_dot(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tenancy.emu.model
    target = next(
        r for r in model.resources if ".iad." in r["identifier"] and r.get("lifecycleState") not in ("TERMINATED",)
    )
    model.resources = [{**r, "displayName": HOSTILE} if r is target else r for r in model.resources]
    model.touch()
    done = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--regions", "us-ashburn-1", "--no-enrich", "--quiet")
    assert done.code == 0, done.err
    directory = run_dir(done.out)

    g = nx.read_graphml(directory / "graph.graphml")
    assert g.nodes[target["identifier"]]["displayName"] == HOSTILE.replace("\x1b", "\ufffd")

    mermaid = cli("graph", "--inventory", str(directory), "--around", target["identifier"], "--depth", "1")
    assert mermaid.code == 0, mermaid.err
    line = next(x for x in mermaid.out.splitlines() if x.startswith("  n0["))
    assert line.startswith('  n0["') and line.endswith('"]') and line.count('"') == 2
    assert "<" not in line and "\x1b" not in mermaid.out and "-->" not in line
    assert "#34;#93; --#62; x#91;#34;pwn#60;/b#62;#38;amp#59;#92;n#35;quot#59;#96;#92;x1b#91;31m" in line

    dot = cli("graph", "--inventory", str(directory), "--around", target["identifier"], "--format", "dot")
    assert dot.code == 0, dot.err
    line = next(x for x in dot.out.splitlines() if x.startswith("  n0 ["))
    assert 'evil\\"] --> x[\\"pwn</b>&amp;amp;\\\\n#quot;`\\\\x1b[31m' in line
    assert "\x1b" not in dot.out and len(dot.out.splitlines()) == dot.out.count("\n")


def test_no_graph_writes_no_graphml_and_the_graph_command_still_answers(  # type: ignore[no-untyped-def]
    cli, shared_tenancy, graph_run: Path, tmp_path: Path
) -> None:
    done = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--no-graph", "--quiet")
    assert done.code == 0, done.err
    directory = run_dir(done.out)
    assert not (directory / "graph.graphml").exists()
    assert not [p.name for p in directory.iterdir() if p.name.startswith(".")]  # no tail left behind
    figures = summary(directory)
    assert figures["graph"] is None and "graph.graphml" not in figures["files"]
    assert figures["flags"]["no_graph"] is True and summary(graph_run)["flags"]["no_graph"] is False
    assert (directory / "relationships.jsonl").read_bytes() == (graph_run / "relationships.jsonl").read_bytes()
    assert (directory / "report.md").exists() and (directory / "report.html").exists()
    around = _edges(directory)[0]["sourceOcid"]
    shown = cli("graph", "--inventory", str(directory), "--around", around, "--depth", "1", "--format", "dot")
    assert shown.code == 0, shown.err
    assert shown.out == cli("graph", "--inventory", str(graph_run), "--around", around, "--depth", "1",
                            "--format", "dot").out  # fmt: skip
