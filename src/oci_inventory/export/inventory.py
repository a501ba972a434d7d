"""The files of a run that derive from its records, written in one pass over the sorted records.

Each sorted line goes to ``inventory.jsonl`` as it is and feeds the graph node (made on the intake thread, see
:func:`prepared_line`, or here from the parsed line); then each sorted relationship line goes to
``relationships.jsonl`` and feeds the graph edge. Nothing is held per record.

``inventory.csv``, ``inventory.parquet`` (``--parquet``) and the report's inventory figures need every record
parsed: for ``--parquet`` and for runs of :data:`FOLLOW_MIN_RECORDS` records or more, a process of its own on the
other core (:mod:`~.follower`) makes them, reading ``inventory.jsonl`` up to where this pass says it is flushed
(every MiB); this pass waits for it only at the end, after the relationships, and kills it on any other way out.
A smaller run writes its CSV here, and its report reads the JSONL.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.export.follower import Derived, Follower
from oci_inventory.export.graph import GraphCounts, GraphmlWriter, node_element, open_graphml
from oci_inventory.normalize.schema import Record
from oci_inventory.report.digest import InventoryScan

log = logging.getLogger(__name__)

_BUFFER = 1 << 20
_TAIL = struct.Struct(">I")
#: The export process is told how far ``inventory.jsonl`` is complete after every this many bytes.
_NOTICE = 1 << 20
#: From this many records on (or with ``--parquet``), the CSV and the report's figures are made by the export
#: process (:mod:`~.follower`): at 20,000 records it saves about 1 s of the main process for 0.15 s of start-up.
FOLLOW_MIN_RECORDS = 20_000


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
    scan: InventoryScan | None  # the report's figures, when the export process made them


def prepared_line(record: Record, line: bytes) -> bytes:
    """What the record sorter holds for a record: its JSONL ``line``, then (after a newline) its GraphML node,
    built now, on the intake thread, so that the export after the last Search page only merges and writes. The
    tail is the ``>I`` length of the OCID, the OCID, the node (UTF-8). A JSONL line never holds a raw newline, so
    the first one ends it; a line without one is a bare JSONL line, whose node the export makes itself."""
    ocid = str(record["ocid"]).encode()
    node = node_element(record["ocid"], record, external=False).encode()
    return b"".join((line, b"\n", _TAIL.pack(len(ocid)), ocid, node))


def _split(entry: bytes) -> tuple[bytes, str, str] | None:
    """``(line, ocid, node)`` of a :func:`prepared_line`, or None for a bare JSONL line."""
    end = entry.find(b"\n")
    if end < 0:
        return None
    start = end + 1 + _TAIL.size
    (ocid_len,) = _TAIL.unpack_from(entry, end + 1)
    node_start = start + ocid_len
    return entry[:end], entry[start:node_start].decode(), entry[node_start:].decode()


def _jsonl_of(entries: Iterable[bytes]) -> Iterator[tuple[bytes, tuple[bytes, str, str] | None]]:
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
    pairs: Iterable[tuple[bytes, tuple[bytes, str, str] | None]], path: Path, children: list[Follower]
) -> Iterator[tuple[bytes, tuple[bytes, str, str] | None]]:
    """Each pair's JSONL line written to ``path`` (with its newline), then the pair yielded; the export processes
    are told how far the file is flushed after every :data:`_NOTICE` bytes."""
    size = 0
    notice = _NOTICE
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for pair in pairs:
            line = pair[0]
            write(line)
            write(b"\n")
            size += len(line) + 1
            if size >= notice and children:
                fh.flush()
                for child in children:
                    child.progress(size)
                notice = size + _NOTICE
            yield pair
    for child in children:
        child.finish(size)


def write_inventory(
    paths: InventoryPaths,
    records: Iterable[bytes],
    relationships: Iterable[bytes],
    *,
    csv_raw: bool = False,
    follow: bool = False,
) -> Written:
    """Write every derived file from the sorted record lines and the sorted relationship lines; with ``follow``
    the CSV and the report's figures by an export process, and ``inventory.parquet`` always by one
    (:mod:`~.follower`).

    ``relationships.jsonl`` is written even when empty; the caller decides whether to keep it."""
    children: list[Follower] = []
    csv = None
    count = edges = 0
    try:
        if follow:
            children.append(Follower(Derived(paths.jsonl, csv=paths.csv, csv_raw=csv_raw)))
        else:
            csv = CsvWriter(paths.csv, raw=csv_raw)
        if paths.parquet is not None:
            children.append(Follower(Derived(paths.jsonl, parquet=paths.parquet)))
        with open_graphml(paths.graphml) as graph_file:
            graph = GraphmlWriter(graph_file)
            for line, parts in _written(_jsonl_of(records), paths.jsonl, children):
                count += 1
                if parts is not None:
                    graph.node_text(parts[1], parts[2])
                if csv is None and parts is not None:
                    continue
                record = orjson.loads(line)
                if csv is not None:
                    csv.write(record)
                if parts is None:  # a bare JSONL line: its node is made here
                    graph.node(record)
            for edge in _parsed(relationships, paths.relationships):  # meanwhile the children catch up
                graph.edge(edge)
                edges += 1
            counts = graph.close()
        scans = [_wait(child, count) for child in children]
    finally:
        if csv is not None:
            csv.close()
        for child in children:
            child.close()
    return Written(count, edges, counts, next((scan for scan in scans if scan is not None), None))


def _wait(child: Follower, records: int) -> InventoryScan | None:
    result = child.wait(records)
    log.info(
        "%s: %d rows written by process %d (%.1f s of CPU, peak RSS %.0f MB)",
        child.writes, result.rows, child.pid, result.cpu_s, result.peak_rss_kb / 1024,
    )  # fmt: skip
    return result.scan
