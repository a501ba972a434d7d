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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.export.graph import GraphCounts, GraphmlWriter, open_graphml
from oci_inventory.export.parquet_child import ParquetChild

log = logging.getLogger(__name__)

_BUFFER = 1 << 20
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


def _parsed(lines: Iterable[bytes], path: Path, child: ParquetChild | None = None) -> Iterator[dict[str, Any]]:
    """Each line written to ``path`` (with its newline), then yielded parsed. With ``child``: the file is flushed
    after every :data:`_NOTICE` bytes or so (at a line end) and the child told its size, and told when it is
    complete and closed."""
    size = 0
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        if child is None:
            for line in lines:
                write(line)
                write(b"\n")
                yield orjson.loads(line)
            return
        notice = _NOTICE
        for line in lines:
            write(line)
            write(b"\n")
            size += len(line) + 1
            if size >= notice:
                fh.flush()
                child.progress(size)
                notice = size + _NOTICE
            yield orjson.loads(line)
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
            for record in _parsed(records, paths.jsonl, child):
                csv.write(record)
                graph.node(record)
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
