"""What the record sorter holds for one record: its JSONL line, then its relationships and, when it was made early,
its GraphML node. One sorted pass over these entries writes ``inventory.jsonl`` and ``relationships.jsonl`` (and
feeds the graph) with no second sorter for the relationships.

Layout: ``line``, a newline, then a header of three 4-byte big-endian numbers (the node's length, the number of
relationships, the length of their keys), the node (UTF-8), each relationship's key (its length, 4 bytes, then
UTF-8), and the relationships' ``relationships.jsonl`` lines joined by newlines. A JSONL line never holds a raw
newline, so the first one ends the record's line, and the relationship lines are written as one slice. A bare line
(no newline) is a record with neither.

A record's relationships are in the order of their keys (``source\\0relation\\0target``, then the line): with the
records in OCID order and every relationship's source the record itself, ``relationships.jsonl`` comes out in key
order, as a sorter of its own would give it. (A source OCID holding a NUL could order differently; no OCID does.)
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

from oci_inventory.export.graph import node_element
from oci_inventory.export.jsonl import dumps_record
from oci_inventory.normalize.schema import Record

_HEAD = struct.Struct(">III")  # node length, relationship count, keys length
_KEY = struct.Struct(">I")


def edge_entry(ocid: str, resource_type: str, relation: Mapping[str, Any]) -> tuple[str, bytes]:
    """One relationship of a record: its key (source, relation and target) and its ``relationships.jsonl``
    line."""
    edge = {"sourceOcid": ocid, "sourceType": resource_type, **relation}
    return f"{ocid}\x00{relation['relation']}\x00{relation['targetOcid']}", dumps_record(edge)


def record_entry(line: bytes, edges: Sequence[tuple[str, bytes]] = (), node: str | None = None) -> bytes:
    """The sorter's entry of a record: its JSONL ``line``, its ``edges`` (:func:`edge_entry` pairs, any order) and
    its GraphML ``node`` if made now. Always a new, exact-size bytes object (``orjson.dumps`` leaves spare capacity
    in what it returns; a sorter holds thousands of these)."""
    node_bytes = node.encode() if node else b""
    if len(edges) == 1:  # the common case (a resource and its compartment), in one join
        key, edge = edges[0]
        kb = key.encode()
        head = _HEAD.pack(len(node_bytes), 1, 4 + len(kb))
        return b"".join((line, b"\n", head, node_bytes, _KEY.pack(len(kb)), kb, edge))
    if len(edges) > 1:
        edges = sorted(edges)
    keys = [key.encode() for key, _ in edges]
    key_blob = b"".join(_KEY.pack(len(k)) + k for k in keys)
    head = _HEAD.pack(len(node_bytes), len(edges), len(key_blob))
    return b"".join((line, b"\n", head, node_bytes, key_blob, b"\n".join(edge for _, edge in edges)))


def prepared_node(record: Record) -> str:
    """A record's GraphML node, made where the record is built (an intake thread or process, or after its
    enrichment) and carried in its entry: the builder has the record as a dict, so the export after the last Search
    page writes the node as it is instead of parsing the line again."""
    return node_element(record["ocid"], record, external=False)


def entry_of(record: Record, *, node: bool) -> bytes:
    """:func:`record_entry` of a record just built: its JSONL line, its relationships and, with ``node`` (the run
    writes a graph), its GraphML node."""
    ocid: str = record["ocid"]
    edges = [edge_entry(ocid, record["resourceType"], relation) for relation in record["relationships"]]
    return record_entry(dumps_record(record), edges, prepared_node(record) if node else None)


Parts = tuple[bytes, int, bytes, "str | None"]  # the line with its newline, edge count, edge lines, node


def entry_parts(entry: bytes) -> Parts:
    """A sorter entry taken apart (:func:`record_entry`'s layout): the record's line with its newline, how many
    relationships it has, their lines (joined by newlines, none at the end) and its GraphML node, if made."""
    end = entry.find(b"\n")
    if end < 0:  # a bare line
        return entry + b"\n", 0, b"", None
    node_len, count, keys_len = _HEAD.unpack_from(entry, end + 1)
    node_at = end + 1 + _HEAD.size
    node = entry[node_at : node_at + node_len].decode() if node_len else None
    return entry[: end + 1], count, entry[node_at + node_len + keys_len :] if count else b"", node


def entry_edges(entry: bytes) -> list[tuple[str, bytes]]:
    """A sorter entry's relationships as ``(key, line)`` pairs, in key order."""
    end = entry.find(b"\n")
    if end < 0:
        return []
    node_len, count, _ = _HEAD.unpack_from(entry, end + 1)
    pos = end + 1 + _HEAD.size + node_len
    keys = []
    for _ in range(count):
        (size,) = _KEY.unpack_from(entry, pos)
        keys.append(entry[pos + 4 : pos + 4 + size].decode())
        pos += 4 + size
    lines = entry[pos:].split(b"\n") if count else []
    if len(lines) != count:
        raise ValueError("a sorter entry's relationships do not match their keys")
    return list(zip(keys, lines, strict=True))
