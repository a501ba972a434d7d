"""The files of a run that derive from its records, written in one pass over the sorted records.

Each sorted line goes to ``inventory.jsonl`` as it is, is parsed once (orjson), and the record feeds the CSV
row, the Parquet columns (``--parquet``) and the graph node; then each sorted relationship line goes to
``relationships.jsonl`` and feeds the graph edge. No file is read back, and nothing is held per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.export.graph import GraphCounts, GraphmlWriter, open_graphml
from oci_inventory.export.parquet import ParquetStream

_BUFFER = 1 << 20


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


def _parsed(lines: Iterable[bytes], path: Path) -> Iterator[dict[str, Any]]:
    """Each line written to ``path`` (with its newline), then yielded parsed."""
    with open(path, "wb", buffering=_BUFFER) as fh:
        write = fh.write
        for line in lines:
            write(line)
            write(b"\n")
            yield orjson.loads(line)


def write_inventory(
    paths: InventoryPaths, records: Iterable[bytes], relationships: Iterable[bytes], *, csv_raw: bool = False
) -> Written:
    """Write every derived file from the sorted record lines and the sorted relationship lines.

    ``relationships.jsonl`` is written even when empty; the caller decides whether to keep it."""
    csv = CsvWriter(paths.csv, raw=csv_raw)
    parquet = ParquetStream(paths.parquet) if paths.parquet is not None else None
    edges = 0
    try:
        with open_graphml(paths.graphml) as graph_file:
            graph = GraphmlWriter(graph_file)
            for record in _parsed(records, paths.jsonl):
                csv.write(record)
                if parquet is not None:
                    parquet.write(record)
                graph.node(record)
            for edge in _parsed(relationships, paths.relationships):
                graph.edge(edge)
                edges += 1
            counts = graph.close()
    finally:
        csv.close()
        if parquet is not None:
            parquet.close()
    return Written(csv.count, edges, counts)
