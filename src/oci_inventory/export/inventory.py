"""The files of a run that derive from its records, written in one pass over the sorted record entries.

Each entry (:mod:`~.entry`) holds a record's JSONL line and its relationships: the line goes to ``inventory.jsonl``
and the relationship lines to ``relationships.jsonl`` as they are (a record's relationships are in key order, and
the records in OCID order, so the file is in key order with no sorter of its own). The graph's edges are written
as their records go by (``graph.GraphTail``), each from its key (source, relation, target) without parsing the
line unless an end is not a record and has no type yet, into a tail appended to ``graph.graphml`` after the nodes;
whether an end is a record is settled once the records pass it. Nothing is held per record but its OCID's hash in
the graph's record set.

Each record's GraphML node comes in its entry too, made where the record was built (``entry.prepared_node``: the builder
has the record as a dict), so this pass writes the head and the nodes of ``graph.graphml`` itself, parsing a line
only for an entry without one.

``inventory.csv`` and the report's inventory figures need every record parsed: for runs of
:data:`FOLLOW_MIN_RECORDS` records or more, a process of its own on the other core (:mod:`~.follower`) makes them,
reading ``inventory.jsonl`` up to where this pass says it is flushed (every MiB); ``inventory.parquet``
(``--parquet``) is always written by such a process. This pass waits for them only at the end, after the graph,
and kills them on any other way out. A smaller run writes its CSV here, and its report reads the JSONL.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.export.entry import Parts, entry_edges, entry_parts
from oci_inventory.export.follower import Derived, Follower
from oci_inventory.export.graph import GraphCounts, GraphTail, graphml_head, node_element, open_graphml
from oci_inventory.normalize.schema import Record
from oci_inventory.report.digest import InventoryScan

log = logging.getLogger(__name__)

_BUFFER = 1 << 20
#: The export process is told how far ``inventory.jsonl`` is complete after every this many bytes.
_NOTICE = 1 << 20
#: From this many records on, the CSV with the report's figures is made by an export process (:mod:`~.follower`):
#: at 20,000 records it takes about 0.2 s of rows and figures off the main process (about 10 µs a record, parsing
#: included, measured at 97k) and spares the report reading the file again, for about 0.1 s of start-up.
FOLLOW_MIN_RECORDS = 20_000


@dataclass(frozen=True)
class InventoryPaths:
    jsonl: Path
    csv: Path
    graphml: Path | None  # None: no graph.graphml (--no-graph)
    relationships: Path
    parquet: Path | None = None  # None: no --parquet


@dataclass(frozen=True)
class Written:
    records: int
    relationships: int
    graph: GraphCounts | None  # None: no graph.graphml
    scan: InventoryScan | None  # the report's figures, when the export process made them


class _Graph:
    """What this pass writes of ``graph.graphml``: the head and each record's node into the file itself; the
    edges, the external nodes and the footer into ``tail`` (:class:`GraphTail`, as the records go by), appended to
    the file after the last node."""

    def __init__(self, nodes: TextIO, tail: TextIO, records: int) -> None:
        self._nodes = nodes
        self._tail = GraphTail(tail, records=records)
        nodes.write(graphml_head())

    def record(
        self, ocid: str, entry: bytes, count: int, node: str | None, line_nl: bytes, record: Record | None
    ) -> None:
        """A record (``entry``, of ``count`` relationships), its node and its relationships. The node is the one
        its builder made (``entry.prepared_node``), else made from ``record`` (parsed already for the CSV) or its
        line."""
        tail = self._tail
        tail.record(ocid)
        if node is None:
            node = node_element(ocid, record if record is not None else orjson.loads(line_nl), external=False)
        self._nodes.write(node)
        if count:
            for key, line in entry_edges(entry):
                tail.edge_line(key, line)

    def close(self) -> GraphCounts:
        return self._tail.close()


_Written = tuple[str, bytes, Parts]  # OCID (the sorter's key), the entry, its parts


def _written(
    records: Iterable[tuple[str, bytes]], paths: InventoryPaths, children: list[Follower]
) -> Iterator[_Written]:
    """Each entry's JSONL line written to ``inventory.jsonl`` and its relationship lines to ``relationships.jsonl``,
    then the entry yielded; the export processes are told how far the JSONL is flushed after every :data:`_NOTICE`
    bytes."""
    size = 0
    notice = _NOTICE
    with open(paths.jsonl, "wb", buffering=_BUFFER) as fh, open(paths.relationships, "wb", buffering=_BUFFER) as rel:
        write, write_edges = fh.write, rel.write
        for ocid, entry in records:
            parts = entry_parts(entry)
            write(parts[0])
            size += len(parts[0])
            if parts[1]:
                write_edges(parts[2])
                write_edges(b"\n")
            if size >= notice and children:
                fh.flush()
                for child in children:
                    child.progress(size)
                notice = size + _NOTICE
            yield ocid, entry, parts
    for child in children:
        child.finish(size)


def write_inventory(
    paths: InventoryPaths,
    records: Iterable[tuple[str, bytes]],
    *,
    csv_raw: bool = False,
    follow: bool = False,
    expected: int = 0,
) -> Written:
    """Write every derived file from the sorted ``(OCID, entry)`` pairs (``entry.record_entry``); with ``follow``
    the CSV with the report's figures by an export process, and ``inventory.parquet`` always by one
    (:mod:`~.follower`).

    ``relationships.jsonl`` is written even when empty; the caller decides whether to keep it. ``expected``: how
    many records are coming, when known (the graph's record set is sized for them at once). Without
    ``paths.graphml`` (``--no-graph``) nothing of the graph is made.
    """
    children: list[Follower] = []
    csv = None
    count = edges = 0
    graphml = paths.graphml
    tail = graphml.with_name(f".{graphml.name}.tail") if graphml is not None else None  # the edges, appended
    try:
        if follow:
            children.append(Follower(Derived(paths.jsonl, csv=paths.csv, csv_raw=csv_raw, scan=True)))
        else:
            csv = CsvWriter(paths.csv, raw=csv_raw)
        if paths.parquet is not None:
            children.append(Follower(Derived(paths.jsonl, parquet=paths.parquet)))
        with _graph_files(graphml, tail) as files:
            graph = _Graph(files[0], files[1], expected) if files is not None else None
            for ocid, entry, (line_nl, n_edges, _, node) in _written(records, paths, children):
                count += 1
                edges += n_edges
                record = None
                if csv is not None:
                    record = orjson.loads(line_nl)
                    csv.write(record)
                if graph is not None:
                    graph.record(ocid, entry, n_edges, node, line_nl, record)
            counts = graph.close() if graph is not None else None
        if tail is not None and graphml is not None:  # both set or both None
            _append(tail, graphml)
        scans = [_wait(child, count) for child in children]
    finally:
        if csv is not None:
            csv.close()
        for child in children:
            child.close()
        if tail is not None:
            tail.unlink(missing_ok=True)
    return Written(count, edges, counts, next((scan for scan in scans if scan is not None), None))


@contextmanager
def _graph_files(graphml: Path | None, tail: Path | None) -> Iterator[tuple[TextIO, TextIO] | None]:
    """The two files this pass writes the graph into: ``graphml`` (the head and the nodes) and the tail; None
    without a graph."""
    if graphml is None or tail is None:
        yield None
        return
    with open_graphml(graphml) as nodes, open_graphml(tail) as edges:
        yield nodes, edges


def _append(tail: Path, graphml: Path) -> None:
    """The edges, external nodes and footer the main process wrote, after the head and nodes of the child's."""
    with open(tail, "rb") as src, open(graphml, "ab") as out:
        shutil.copyfileobj(src, out, _BUFFER)


def _wait(child: Follower, records: int) -> InventoryScan | None:
    result = child.wait(records)
    log.info(
        "%s: %d rows written by process %d (%.1f s of CPU, peak RSS %.0f MB, %d garbage collections)",
        child.writes, result.rows, child.pid, result.cpu_s, result.peak_rss_kb / 1024, result.collections,
    )  # fmt: skip
    return result.scan
