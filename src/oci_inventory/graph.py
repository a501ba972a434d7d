"""``oci-inv graph``: one resource's neighbourhood in a run, as Mermaid or Graphviz text for a person to read.

The neighbourhood is every resource within ``depth`` hops of the starting OCID, following edges in both
directions, with every edge between those resources. Containment is the exception: a compartment holds thousands
of resources, so ``IN_COMPARTMENT`` edges are followed backwards (compartment → its resources) only from the
starting node, unless ``expand_compartments``. At most ``max_nodes`` nodes are kept (the nearest first); the result
says when some were left out.

Streaming: ``relationships.jsonl`` is read once per hop plus once for the edges, ``inventory.jsonl`` once for the
names; only the OCIDs of the neighbourhood are held.

Every name and OCID read from a run is untrusted: labels are escaped for their format (Mermaid entity codes
``#34;``, DOT string escapes), and control characters become visible escapes (``\\n``) first, so one label stays
one line and cannot become markup, a new statement or a directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oci_inventory.enrich.relations import IN_COMPARTMENT
from oci_inventory.export.jsonl import iter_jsonl
from oci_inventory.util.errors import InputError
from oci_inventory.util.text import visible

RELATIONSHIPS_JSONL = "relationships.jsonl"
FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Node:
    ocid: str
    level: int  # hops from the starting node
    resource_type: str | None
    name: str | None
    external: bool  # an edge end that is not a record of the run

    @property
    def label(self) -> str:
        return f"{self.resource_type or 'unknown'}: {self.name or self.ocid}"


@dataclass(frozen=True)
class Edge:
    source: str
    relation: str
    target: str


@dataclass(frozen=True)
class Neighbourhood:
    around: str
    nodes: list[Node]  # the starting node first, then by hops, then by OCID
    edges: list[Edge]  # in relationships.jsonl order (source, relation, target)
    truncated: bool  # max_nodes was reached: some nodes within depth were left out


def _edges(path: Path) -> Iterator[Mapping[str, Any]]:
    if not path.is_file():  # a run without any edge has no relationships.jsonl
        return
    for lineno, edge in iter_jsonl(path):
        if not all(isinstance(edge.get(key), str) for key in ("sourceOcid", "relation", "targetOcid")):
            raise InputError(f"{path}:{lineno}: not an edge (sourceOcid, relation, targetOcid); use an untouched run")
        yield edge


class _Walk:
    """Breadth-first over the edges file, one pass per hop."""

    def __init__(self, relationships: Path, around: str, max_nodes: int, expand_compartments: bool) -> None:
        self.path = relationships
        self.around = around
        self.max_nodes = max_nodes
        self.expand = expand_compartments
        self.levels: dict[str, int] = {around: 0}
        self.types: dict[str, str | None] = {}
        self.touched = False  # some edge starts or ends at the starting node
        self.truncated = False

    def _reach(self, there: str, level: int) -> bool:
        if there in self.levels:
            return False
        if len(self.levels) >= self.max_nodes:
            self.truncated = True
            return False
        self.levels[there] = level
        return True

    def hop(self, frontier: set[str], level: int) -> set[str]:
        reached: set[str] = set()
        for edge in _edges(self.path):
            source, target = edge["sourceOcid"], edge["targetOcid"]
            self.touched = self.touched or self.around in (source, target)
            if source in frontier and self._reach(target, level):
                reached.add(target)
            backwards_ok = self.expand or edge["relation"] != IN_COMPARTMENT or target == self.around
            if target in frontier and backwards_ok and self._reach(source, level):
                reached.add(source)
        return reached

    def edges(self) -> list[Edge]:
        """Every edge between two nodes of the neighbourhood; notes the types edges give their ends."""
        out: list[Edge] = []
        for edge in _edges(self.path):
            source, target = edge["sourceOcid"], edge["targetOcid"]
            self.touched = self.touched or self.around in (source, target)
            if source in self.levels and target in self.levels:
                out.append(Edge(source, edge["relation"], target))
                self.types.setdefault(source, edge.get("sourceType"))
                self.types.setdefault(target, edge.get("targetType"))
        return out


def _records(inventory: Path, wanted: Mapping[str, int]) -> dict[str, Mapping[str, Any]]:
    return {record["ocid"]: record for _, record in iter_jsonl(inventory) if record.get("ocid") in wanted}


def neighbourhood(
    run: Path, around: str, *, depth: int = 2, max_nodes: int = 200, expand_compartments: bool = False
) -> Neighbourhood:
    """The neighbourhood of ``around`` in the run directory ``run``; :class:`InputError` (exit 2) when the run
    knows no such OCID (neither a record nor an edge end)."""
    from oci_inventory.diff.scope import resolve_inventory_path

    inventory = resolve_inventory_path(run)
    walk = _Walk(inventory.parent / RELATIONSHIPS_JSONL, around, max(1, max_nodes), expand_compartments)
    frontier = {around}
    for level in range(1, depth + 1):
        if not frontier:
            break
        frontier = walk.hop(frontier, level)
    edges = walk.edges()
    records = _records(inventory, walk.levels)
    if around not in records and not walk.touched:
        raise InputError(f"{visible(around)} is neither a resource of {inventory} nor an end of one of its edges")
    nodes = [_node(ocid, level, records.get(ocid), walk.types.get(ocid)) for ocid, level in walk.levels.items()]
    nodes.sort(key=lambda n: (n.level, n.ocid))
    return Neighbourhood(around, nodes, edges, walk.truncated)


def _node(ocid: str, level: int, record: Mapping[str, Any] | None, edge_type: str | None) -> Node:
    if record is None:
        return Node(ocid, level, edge_type, None, external=True)
    return Node(ocid, level, record.get("resourceType"), record.get("displayName"), external=False)


_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 _.,:/()@+=-]")


def mermaid_text(text: str) -> str:
    """``text`` for a quoted Mermaid label: every character that is not plainly safe (quotes, brackets, ``<``,
    ``&``, ``#``, backticks, ...) as a decimal entity code ``#NN;``; letters of any script kept."""
    return "".join(c if _MERMAID_SAFE.match(c) or c.isalnum() else f"#{ord(c)};" for c in visible(text))


def dot_text(text: str) -> str:
    """``text`` for a double-quoted DOT string: backslashes and quotes escaped, ``&`` as ``&amp;`` (Graphviz
    resolves entity references in every string)."""
    return visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def _ids(nb: Neighbourhood) -> dict[str, str]:
    return {node.ocid: f"n{i}" for i, node in enumerate(nb.nodes)}


def to_mermaid(nb: Neighbourhood) -> str:
    ids = _ids(nb)
    lines = ["graph LR"]
    lines += [f"  %% {ids[n.ocid]} = {visible(n.ocid)}" for n in nb.nodes]
    lines += [f'  {ids[n.ocid]}["{mermaid_text(n.label)}"]' for n in nb.nodes]
    lines += [f'  {ids[e.source]} -->|"{mermaid_text(e.relation)}"| {ids[e.target]}' for e in nb.edges]
    lines.append("  classDef start stroke-width:3px")
    lines.append(f"  class {ids[nb.around]} start")
    external = [ids[n.ocid] for n in nb.nodes if n.external]
    if external:
        lines.append("  classDef external stroke-dasharray:5 5")
        lines.append(f"  class {','.join(external)} external")
    return "\n".join(lines) + "\n"


def to_dot(nb: Neighbourhood) -> str:
    ids = _ids(nb)
    lines = ["digraph neighbourhood {", "  rankdir=LR;", "  node [shape=box];"]
    for n in nb.nodes:
        extra = ", penwidth=3" if n.ocid == nb.around else ""
        extra += ", style=dashed" if n.external else ""
        lines.append(f'  {ids[n.ocid]} [label="{dot_text(n.label)}", tooltip="{dot_text(n.ocid)}"{extra}];')
    lines += [f'  {ids[e.source]} -> {ids[e.target]} [label="{dot_text(e.relation)}"];' for e in nb.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(nb: Neighbourhood, fmt: str) -> str:
    return to_dot(nb) if fmt == "dot" else to_mermaid(nb)
