"""The files of a run that derive from its records, written in one pass over the sorted records.

Each sorted line goes to ``inventory.jsonl`` as it is, is parsed once (orjson), and the record feeds the CSV
row and the graph node; then each sorted relationship line goes to ``relationships.jsonl`` and feeds the graph
edge. No file is read back, and nothing is held per record.

``inventory.parquet`` (``--parquet``) is written by a process of its own on the other core
(:mod:`~.parquet_child`), which reads ``inventory.jsonl`` up to where this pass says it is flushed (every MiB);
this pass waits for it only at the end, after the relationships, and kills it on any other way out.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.export.csv import CsvWriter, csv_text
from oci_inventory.export.graph import GraphCounts, GraphmlWriter, node_element, open_graphml
from oci_inventory.export.parquet_child import ParquetChild
from oci_inventory.normalize.schema import Record

log = logging.getLogger(__name__)

_BUFFER = 1 << 20
_TAIL = struct.Struct(">II")
#: The child writing Parquet is told how far ``inventory.jsonl`` is complete after every this many bytes.
_NOTICE = 1 << 20


@dataclass(frozen=True)
class InventoryPaths:
    jsonl: Path
    csv: Path
    graphml: Path
    relationships: Path
    parquet: Path | None = None  # None: no --parquet


@dataclass(frozen=True)
class Written:
    records: int
    relationships: int
    graph: GraphCounts


def prepared_line(record: Record, line: bytes, *, csv_raw: bool = False) -> bytes:
    """What the record sorter holds for a record: its JSONL ``line``, then (after a newline) its GraphML node and
    CSV row, built now, on the intake thread, so that the export after the last Search page only merges and
    writes. The tail is ``>II`` lengths of the OCID and the node, the OCID, the node, the CSV row (UTF-8). A JSONL
    line never holds a raw newline, so the first one ends it; a line without one is a bare JSONL line, which the
    export parses and formats itself."""
    ocid = str(record["ocid"]).encode()
    node = node_element(record["ocid"], record, external=False).encode()
    row = csv_text(record, raw=csv_raw).encode()
    return b"".join((line, b"\n", _TAIL.pack(len(ocid), len(node)), ocid, node, row))


def _split(entry: bytes) -> tuple[bytes, str, str, str] | None:
    """``(line, ocid, node, csv row)`` of a :func:`prepared_line`, or None for a bare JSONL line."""
    end = entry.find(b"\n")
    if end < 0:
        return None
    start = end + 1 + _TAIL.size
    ocid_len, node_len = _TAIL.unpack_from(entry, end + 1)
    node_start = start + ocid_len
    row_start = node_start + node_len
    return (
        entry[:end],
        entry[start:node_start].decode(),
        entry[node_start:row_start].decode(),
        entry[row_start:].decode(),
    )


def _jsonl_of(entries: Iterable[bytes]) -> Iterator[tuple[bytes, tuple[bytes, str, str, str] | None]]:
    for entry in entries:
        parts = _split(entry)
        yield (entry if parts is None else parts[0]), parts


def _parsed(lines: Iterable[bytes], path: Path) -> Iterator[dict[str, Any]]:
    """Each line written to ``path`` (with its newline), then yielded parsed."""
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for line in lines:
            write(line)
            write(b"\n")
            yield orjson.loads(line)


def _written(
    pairs: Iterable[tuple[bytes, tuple[bytes, str, str, str] | None]], path: Path, child: ParquetChild | None
) -> Iterator[tuple[bytes, tuple[bytes, str, str, str] | None]]:
    """Each pair's JSONL line written to ``path`` (with its newline), then the pair yielded; the Parquet child is
    told how far the file is flushed as :func:`_parsed` does."""
    size = 0
    notice = _NOTICE
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for pair in pairs:
            line = pair[0]
            write(line)
            write(b"\n")
            if child is not None:
                size += len(line) + 1
                if size >= notice:
                    fh.flush()
                    child.progress(size)
                    notice = size + _NOTICE
            yield pair
    if child is not None:
        child.finish(size)


def write_inventory(
    paths: InventoryPaths, records: Iterable[bytes], relationships: Iterable[bytes], *, csv_raw: bool = False
) -> Written:
    """Write every derived file from the sorted record lines and the sorted relationship lines.

    ``relationships.jsonl`` is written even when empty; the caller decides whether to keep it."""
    csv = CsvWriter(paths.csv, raw=csv_raw)
    child = None
    edges = 0
    try:
        if paths.parquet is not None:
            child = ParquetChild(paths.parquet, paths.jsonl)
        with open_graphml(paths.graphml) as graph_file:
            graph = GraphmlWriter(graph_file)
            for line, parts in _written(_jsonl_of(records), paths.jsonl, child):
                if parts is None:  # a bare JSONL line: parsed and formatted here
                    record = orjson.loads(line)
                    csv.write(record)
                    graph.node(record)
                else:
                    _, ocid, node, row = parts
                    csv.write_text(row)
                    graph.node_text(ocid, node)
            for edge in _parsed(relationships, paths.relationships):  # meanwhile the child catches up
                graph.edge(edge)
                edges += 1
            counts = graph.close()
        if child is not None:
            result = child.wait(csv.count)
            log.info(
                "inventory.parquet: %d rows written by process %d (peak RSS %.0f MB)",
                result.rows, child.pid, result.peak_rss_kb / 1024,
            )  # fmt: skip
    finally:
        csv.close()
        if child is not None:
            child.close()
    return Written(csv.count, edges, counts)
