"""The files of a run that derive from its records, written in one pass over the sorted records.

Each sorted line goes to ``inventory.jsonl`` as it is; then each sorted relationship line goes to
``relationships.jsonl`` and feeds the graph edge, made from the relationship sorter's key (source, relation,
target) without parsing the line unless an end is an external node still without a type. Nothing is held per
record but its OCID's hash in the graph's record set (the ends of edges that are not records become external
nodes).

``inventory.csv``, the GraphML nodes and the report's inventory figures need every record parsed: for runs of
:data:`FOLLOW_MIN_RECORDS` records or more, processes of their own on the other core (:mod:`~.follower`) make them,
reading ``inventory.jsonl`` up to where this pass says it is flushed (every MiB): one the CSV, one the head and
the nodes of ``graph.graphml`` with the figures; this pass writes the edges, the external nodes and the footer aside
and appends them once that child is done. ``inventory.parquet`` (``--parquet``) is always written by such a
process. This pass waits for them only at the end, after the relationships, and kills them on any other way out.
A smaller run writes its CSV and nodes here (a node the intake thread made while it had time,
:func:`prepared_line`, as it is; any other from the parsed line), and its report reads the JSONL.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.export.follower import Derived, Follower
from oci_inventory.export.graph import GraphCounts, GraphmlWriter, node_element, open_graphml
from oci_inventory.normalize.schema import Record
from oci_inventory.report.digest import InventoryScan

log = logging.getLogger(__name__)

_BUFFER = 1 << 20
#: The export process is told how far ``inventory.jsonl`` is complete after every this many bytes.
_NOTICE = 1 << 20
#: From this many records on, the CSV and the GraphML nodes with the report's figures are made by export processes
#: (:mod:`~.follower`): at 20,000 records they save about 1 s of the main process for 0.15 s of start-up each.
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


def prepared_line(record: Record, line: bytes) -> bytes:
    """What the record sorter holds for a record: its JSONL ``line``, then (after a newline) its GraphML node,
    built now, on the intake thread, so that the export after the last Search page only merges and writes. A
    JSONL line never holds a raw newline, so the first one ends it; a line without one is a bare JSONL line,
    whose node the export makes itself."""
    return b"".join((line, b"\n", node_element(record["ocid"], record, external=False).encode()))


def _split(entry: bytes) -> tuple[bytes, str] | None:
    """``(line, node)`` of a :func:`prepared_line`, or None for a bare JSONL line."""
    end = entry.find(b"\n")
    if end < 0:
        return None
    return entry[:end], entry[end + 1 :].decode()


_Entry = tuple[bytes, str, "tuple[bytes, str] | None"]  # JSONL line, OCID (the sorter's key), _split's parts


class _NoGraph:
    """What the export feeds the graph with, when there is no ``graph.graphml``: nothing is kept or written."""

    def record(self, ocid: str) -> None:
        pass

    def node(self, record: Record) -> None:
        pass

    def node_text(self, ocid: str, text: str) -> None:
        pass

    def edge_line(self, key: str, line: bytes) -> None:
        pass

    def close(self) -> None:
        return None


def _jsonl_of(items: Iterable[tuple[str, bytes]]) -> Iterator[_Entry]:
    for key, entry in items:
        parts = _split(entry)
        yield (entry if parts is None else parts[0]), key, parts


def _edges_written(items: Iterable[tuple[str, bytes]], path: Path) -> Iterator[tuple[str, bytes]]:
    """Each ``(key, line)``'s line written to ``path`` (with its newline), then the pair yielded."""
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for key, line in items:
            write(line)
            write(b"\n")
            yield key, line


def _written(entries: Iterable[_Entry], path: Path, children: list[Follower]) -> Iterator[_Entry]:
    """Each entry's JSONL line written to ``path`` (with its newline), then the entry yielded; the export
    processes are told how far the file is flushed after every :data:`_NOTICE` bytes."""
    size = 0
    notice = _NOTICE
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for entry in entries:
            line = entry[0]
            write(line)
            write(b"\n")
            size += len(line) + 1
            if size >= notice and children:
                fh.flush()
                for child in children:
                    child.progress(size)
                notice = size + _NOTICE
            yield entry
    for child in children:
        child.finish(size)


def write_inventory(
    paths: InventoryPaths,
    records: Iterable[tuple[str, bytes]],
    relationships: Iterable[tuple[str, bytes]],
    *,
    csv_raw: bool = False,
    follow: bool = False,
    expected: int = 0,
) -> Written:
    """Write every derived file from the sorted ``(OCID, record line)`` pairs and the sorted relationship
    ``(key, line)`` pairs (``intake.edge_entry``);
    with ``follow`` the CSV, and the GraphML nodes with the report's figures, by export processes, and
    ``inventory.parquet`` always by one (:mod:`~.follower`).

    ``relationships.jsonl`` is written even when empty; the caller decides whether to keep it. ``expected``: how
    many records are coming, when known (the graph's record set is sized for them at once). Without
    ``paths.graphml`` (``--no-graph``) nothing of the graph is made, and the CSV process makes the report's figures.
    """
    children: list[Follower] = []
    csv = None
    count = edges = 0
    graphml = paths.graphml
    tail = graphml.with_name(f".{graphml.name}.tail") if graphml is not None else None  # with follow: the edges
    try:
        if follow:
            children.append(Follower(Derived(paths.jsonl, csv=paths.csv, csv_raw=csv_raw, scan=graphml is None)))
            if graphml is not None:
                children.append(Follower(Derived(paths.jsonl, graphml=graphml, scan=True)))
        else:
            csv = CsvWriter(paths.csv, raw=csv_raw)
        if paths.parquet is not None:
            children.append(Follower(Derived(paths.jsonl, parquet=paths.parquet)))
        with _graph_file(tail if follow else graphml) as graph_file:
            graph = _NoGraph() if graph_file is None else GraphmlWriter(graph_file, head=not follow, records=expected)
            for line, ocid, parts in _written(_jsonl_of(records), paths.jsonl, children):
                count += 1
                if csv is None:  # the export process writes the node
                    graph.record(ocid)
                    continue
                record = orjson.loads(line)
                csv.write(record)
                if parts is None:  # a bare JSONL line: its node is made here
                    graph.node(record)
                else:
                    graph.node_text(ocid, parts[1])
            for key, line in _edges_written(relationships, paths.relationships):  # meanwhile the children catch up
                graph.edge_line(key, line)
                edges += 1
            counts = graph.close()
        scans = [_wait(child, count) for child in children]
        if follow and tail is not None and graphml is not None:  # both set or both None
            _append(tail, graphml)
    finally:
        if csv is not None:
            csv.close()
        for child in children:
            child.close()
        if tail is not None:
            tail.unlink(missing_ok=True)
    return Written(count, edges, counts, next((scan for scan in scans if scan is not None), None))


def _graph_file(path: Path | None) -> AbstractContextManager[TextIO | None]:
    """The file this pass writes the graph to (with ``follow``, the tail: the export process writes the head and
    the nodes); nowhere without a graph."""
    return nullcontext() if path is None else open_graphml(path)


def _append(tail: Path, graphml: Path) -> None:
    """The edges, external nodes and footer the main process wrote, after the head and nodes of the child's."""
    with open(tail, "rb") as src, open(graphml, "ab") as out:
        shutil.copyfileobj(src, out, _BUFFER)


def _wait(child: Follower, records: int) -> InventoryScan | None:
    result = child.wait(records)
    log.info(
        "%s: %d rows written by process %d (%.1f s of CPU, peak RSS %.0f MB)",
        child.writes, result.rows, child.pid, result.cpu_s, result.peak_rss_kb / 1024,
    )  # fmt: skip
    return result.scan
