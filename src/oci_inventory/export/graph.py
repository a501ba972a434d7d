"""``graph.graphml``: the run as a graph (nodes = resources, edges = relationships) for networkx, Gephi and yEd.

Streamed: a node per record as the sorted inventory goes by, then an edge per relationship (:class:`GraphTail`,
written aside while the records go by and appended), then a node for every edge end that is not a record (the
tenancy root, a resource Search did not return); GraphML allows nodes after the edges that name them. Only the set
of record OCIDs (an :class:`OcidSet`, 8-byte hashes) and the OCIDs of the ends that are not records (yet) are held
in memory, never records or edges.

Nodes carry ``resourceType``, ``displayName``, ``region``, ``compartmentPath``, ``lifecycleState``,
``enrichStatus`` (absent when null) and ``external`` (``true`` for an edge end that is not a record; its
``resourceType`` is the edge's ``targetType``). Edges carry ``relation``. Every key is declared with ``attr.type``.

Names from OCI are untrusted text: ``&``, ``<``, ``>`` and quotes are escaped, and the characters XML 1.0 forbids
(C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates) become U+FFFD, so the
file always parses. Tab, newline and carriage return are written as character references (``&#13;``), so parsers
keep them exactly (even in attribute values, which XML would otherwise normalize to spaces).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from heapq import heappop, heappush
from pathlib import Path
from typing import Any, TextIO

import orjson

from oci_inventory.export.jsonl import iter_jsonl
from oci_inventory.util.ocidset import OcidSet

GRAPH_GRAPHML = "graph.graphml"
NODE_ATTRIBUTES = ("resourceType", "displayName", "region", "compartmentPath", "lifecycleState", "enrichStatus")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;",
            "\r": "&#13;"}  # fmt: skip
_SPECIAL = re.compile("[&<>\"'\t\n\r]")
_PLAIN = re.compile("[^&<>\"'\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]*")
_BUFFER = 1 << 20
#: Edge targets :class:`GraphTail` remembers as records (or typed external nodes): compartments, subnets, ...
_SETTLED_TARGETS = 1 << 16

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
"""
_FOOTER = "  </graph>\n</graphml>\n"


@dataclass(frozen=True)
class GraphCounts:
    nodes: int  # records + external nodes
    external_nodes: int
    edges: int

    def as_dict(self) -> dict[str, int]:
        return {"nodes": self.nodes, "external_nodes": self.external_nodes, "edges": self.edges}


def xml_text(value: Any) -> str:
    """``value`` as XML 1.0 character data or attribute text: escaped, forbidden characters replaced by U+FFFD."""
    text = value if isinstance(value, str) else str(value)
    if _PLAIN.fullmatch(text):  # the common case: nothing to escape
        return text
    text = _FORBIDDEN.sub("\ufffd", text)
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group()], text)


def _keys() -> str:
    lines = [f'  <key id="{name}" for="node" attr.name="{name}" attr.type="string"/>\n' for name in NODE_ATTRIBUTES]
    lines.append('  <key id="external" for="node" attr.name="external" attr.type="boolean"/>\n')
    lines.append('  <key id="relation" for="edge" attr.name="relation" attr.type="string"/>\n')
    return "".join(lines)


def _data(key: str, value: Any) -> str:
    return f'<data key="{key}">{xml_text(value)}</data>'


_OPEN = {name: f'<data key="{name}">' for name in NODE_ATTRIBUTES}
_FLAG = {external: _data("external", "true" if external else "false") for external in (True, False)}


def node_element(ocid: str, attributes: Mapping[str, Any], *, external: bool) -> str:
    """The ``<node>`` of ``ocid`` with its present ``NODE_ATTRIBUTES``. When the OCID and every value have
    nothing to escape (one match over them all, the common case) they are written as they are."""
    texts = [
        (name, value if value.__class__ is str else str(value))
        for name, value in zip(NODE_ATTRIBUTES, map(attributes.get, NODE_ATTRIBUTES), strict=True)
        if value is not None
    ]
    escape = str if _PLAIN.fullmatch("".join([ocid, *(text for _, text in texts)])) else xml_text
    data = "".join([_OPEN[name] + escape(text) + "</data>" for name, text in texts])
    return f'    <node id="{escape(ocid)}">{data}{_FLAG[external]}</node>\n'


def edge_element(edge: Mapping[str, Any]) -> str:
    return _edge_text(edge["sourceOcid"], edge["targetOcid"], edge["relation"])


def _edge_text(source: Any, target: Any, relation: Any, escape: Callable[[Any], str] = xml_text) -> str:
    """The ``<edge>``; ``escape=str`` for ends and a relation known to need no escaping."""
    return (
        f'    <edge source="{escape(source)}" target="{escape(target)}">'
        f'<data key="relation">{escape(relation)}</data></edge>\n'
    )


def _edges(relationships: Path | None) -> Iterator[dict[str, Any]]:
    if relationships is not None:
        for _, edge in iter_jsonl(relationships):
            yield edge


def graphml_head() -> str:
    """What ``graph.graphml`` starts with, up to its first node: the XML declaration, the keys, the graph."""
    return _HEADER + _keys() + '  <graph id="oci-inventory" edgedefault="directed">\n'


class GraphTail:
    """What ``graph.graphml`` holds after the record nodes, written while the records go by in OCID order
    (:meth:`record` for each, then :meth:`edge_line` or :meth:`edge` for each of its relationships): an ``<edge>``
    per relationship at once, then, at :meth:`close`, a node for every end that is not a record, and the footer;
    returns the counts. The record nodes are the caller's to write, before these (in the same file, or in one this
    is appended to).

    Whether an end is a record is known for good once the records have passed it: one that sorts before the
    record being written and is not a record by then is external; one ahead of it waits (with the type the first
    edge that gives one says) until the records pass it or the last one is written. So the edges need no spool
    and no second pass, and memory holds the record set (8-byte hashes, an :class:`OcidSet`), the external ends and
    the ends still ahead of the records, never records or edges. Edges that come after every record (a graph made
    from the run's files) work the same way.

    ``records``: how many records are coming, when known: the record set is made that large at once instead of
    growing (each growth re-inserts every hash in Python, about 2 million at a million records)."""

    def __init__(self, out: TextIO, *, records: int = 0) -> None:
        self._out = out
        self._records = OcidSet(records)
        self._last = ""  # the newest record: every record that sorts before it is known
        self._externals: dict[str, str | None] = {}  # ends passed by the records that are not records -> type
        self._ahead: dict[str, str | None] = {}  # ends the records have not passed yet -> type (None: none yet)
        self._heap: list[str] = []  # the keys of _ahead, smallest first
        self._settled_targets: set[str] = set()  # targets that are records or typed external ends
        self._edges = 0

    def record(self, ocid: str) -> None:
        """The next record, in OCID order (its node is written elsewhere); call before its edges."""
        self._records.add(ocid)
        self._last = ocid
        heap = self._heap
        while heap and heap[0] <= ocid:  # passed by the records now: a record (this one) or external for good
            end = heappop(heap)
            rtype = self._ahead.pop(end)
            if end != ocid and end not in self._records:
                self._external(end, rtype)

    def edge(self, edge: Mapping[str, Any]) -> None:
        """A relationship as parsed from its ``relationships.jsonl`` line."""
        self._out.write(edge_element(edge))
        self._edges += 1
        self._end(edge["sourceOcid"], edge.get("sourceType"))
        self._end(edge["targetOcid"], edge.get("targetType"))

    def edge_line(self, key: str, line: bytes) -> None:
        """:meth:`edge` of a relationship as a record's entry carries it (``entry.edge_entry``): the ends and the
        relation read from its key, ``source\0relation\0target``; the line is parsed only when an end is not a
        record and has no type yet (the external node takes its type from the line), or the key does not split in
        three (an OCID holding a NUL)."""
        parts = key.split("\x00")
        if len(parts) != 3 or not (self._settled(parts[2]) and self._is_settled(parts[0])):
            self.edge(orjson.loads(line))
            return
        source, relation, target = parts
        plain = _PLAIN.fullmatch(source + relation + target)  # nothing to escape in any of the three (one match)
        self._out.write(_edge_text(source, target, relation, str if plain else xml_text))
        self._edges += 1

    def _end(self, ocid: str, rtype: str | None) -> None:
        """An edge's end: nothing when it is a record; else its type noted (the first one given) as an external
        end, or as an end ahead of the records."""
        if ocid in self._records:
            return
        if ocid < self._last:
            self._external(ocid, rtype)
        elif ocid not in self._ahead:
            self._ahead[ocid] = rtype
            heappush(self._heap, ocid)
        elif self._ahead[ocid] is None:
            self._ahead[ocid] = rtype

    def _external(self, ocid: str, rtype: str | None) -> None:
        if self._externals.get(ocid) is None:
            self._externals[ocid] = rtype

    def _is_settled(self, ocid: str) -> bool:
        """``ocid`` is a record, or an end whose type is known already: its edge needs nothing from the line (the
        type an end takes is the first one given)."""
        if ocid in self._records:
            return True
        known = self._externals if ocid < self._last else self._ahead
        return known.get(ocid) is not None

    def _settled(self, target: str) -> bool:
        """:meth:`_is_settled` for an edge's target, remembered: targets repeat (every resource of a compartment
        points to it), sources do not. Up to :data:`_SETTLED_TARGETS` of them."""
        if target in self._settled_targets:
            return True
        if not self._is_settled(target):
            return False
        if len(self._settled_targets) < _SETTLED_TARGETS:
            self._settled_targets.add(target)
        return True

    def close(self) -> GraphCounts:
        """The external nodes (the ends still ahead are past the last record: external unless records), sorted by
        OCID, and the footer."""
        for end in self._heap:
            if end not in self._records:
                self._external(end, self._ahead[end])
        self._heap, self._ahead = [], {}
        for ocid in sorted(self._externals):
            self._out.write(node_element(ocid, {"resourceType": self._externals[ocid]}, external=True))
        self._out.write(_FOOTER)
        externals = len(self._externals)
        return GraphCounts(len(self._records) + externals, externals, self._edges)


def open_graphml(path: Path) -> TextIO:
    return open(path, "w", encoding="utf-8", newline="\n", buffering=_BUFFER)


def write_graphml(path: Path, inventory: Path, relationships: Path | None) -> GraphCounts:
    """Write ``path`` from the run's ``inventory.jsonl`` and ``relationships.jsonl`` (None: no edges)."""
    with open_graphml(path) as out:
        out.write(graphml_head())
        tail = GraphTail(out)
        for _, record in iter_jsonl(inventory):
            tail.record(record["ocid"])
            out.write(node_element(record["ocid"], record, external=False))
        for edge in _edges(relationships):
            tail.edge(edge)
        return tail.close()
