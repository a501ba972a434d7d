"""The records of Search pages that need no API call, built in processes of their own, so that a big run's record
building is not bound to the main process's one core.

Building a record from its Search summary (``intake.InlineBatch``: the record, its JSONL line, its relationships,
the sorter) is about half of the main process's CPU in a large run, all of it under the GIL with the Search chains
and the rest of the intake (docs/performance.md). So once a region's Search has more than one page
(:meth:`IntakeProcesses.expect_many`), or a run has built :data:`START_AFTER` records inline, it starts
``--intake-processes`` children (``python -m oci_inventory.intake_processes``; ``auto``: see
:func:`auto_processes`) and, from the moment one is ready, sends each page's summary-only results to one of them
(round robin) instead of building them itself. The main process keeps every decision: de-duplication, scope,
terminated resources, which enricher; a child only builds. Until a child is ready, and whenever none is, the
main process builds as before. A run of one Search page per region and fewer records never starts one.

What a child does: it rebuilds the compartment tree the main process listed (for ``compartmentPath``), builds
each result with the same ``InlineBatch`` into a sorter of its own that never spills by itself, and whenever
it holds the sorter's budget, writes them as sorted runs into a directory the main process made for it and
*acknowledges* the pages those runs hold: their run files, how many lines, the counts by type and status, and
the results whose shape ``summary_record`` does not take (the main process builds those itself, as it would
have). The main process's sorter adopts the runs, so the merge at the export reads them with its own; the files
are byte for byte the ones the main process builds alone (only ``collectedAt`` is the page's, as always).

- **Nothing lost**: the main process keeps each page it sent until it is acknowledged; a child that fails or
  dies hands its unacknowledged pages back, and the main process builds them (logged as a warning). Runs a
  child wrote but did not acknowledge are never adopted.
- **Back-pressure**: sending blocks while a child's pipe is full, as building a page inline takes the intake
  thread's time: the Search chains then wait for room (``util/spill.py``), as they do for a busy intake thread.
- **Stopping**: as the enrichment processes (``enrich/processes.py``): own session, ``PR_SET_PDEATHSIG``,
  killed and waited on every way out, log records re-emitted by the main process, stderr shown with ``--debug``.

Frames on both pipes are a 4-byte big-endian length and an orjson document (``util/framed.py``).
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.enrich.base import Enricher, EnrichStatus
from oci_inventory.enrich.default import SKIP, DefaultEnricher
from oci_inventory.util.framed import FramedChild, FrameWriter, open_child, read_frame, starting_failed
from oci_inventory.util.memory import compact
from oci_inventory.util.processes import Keeper, peak_rss_kb, usable_cores

log = logging.getLogger(__name__)

#: Records built inline before the run starts its intake processes, unless a region's Search has a second page first
#: (:meth:`IntakeProcesses.expect_many`): a small run never starts one (a Python process costs about 0.1 s of CPU to
#: start). At 20,000 (the size at which the export starts processes of its own) the main
#: process built a fifth of a 100k run itself during the busiest part of discovery; at 5,000 that run took 0.4-0.7 s
#: less (docs/performance.md), and starting at 1,000 gained nothing more.
START_AFTER = 5_000
#: At most this many children with ``auto``.
AUTO_MAX = 2
#: Exit code of a child whose parent is gone.
ABANDONED = 3

#: The enricher a child's answer names by the status it gives (``intake.SUMMARY_ONLY`` the other way round).
ENRICHER_OF: dict[str, Enricher] = {
    EnrichStatus.NOT_IMPLEMENTED.value: DefaultEnricher(),
    EnrichStatus.SKIPPED.value: SKIP,
}

#: ``[region, enrichStatus, Search summary]``: one result to build, as a page frame carries it.
Entry = list[Any]


def auto_processes(cores: int | None = None) -> int:
    """``--intake-processes auto``: one per core, at most :data:`AUTO_MAX`; none on one core, where a child only
    adds the frames. Not one per core but one: the main process's part of discovery (Search pages, decisions,
    frames) does not fill a core, it waits on Search and on the children's pipes (0.55 of a core at 1M), while one
    child at about 25 µs a record was the discovery's limit, busy 86 % of it; on two cores two children took a 1M
    run from 59.7 to 50.5 s (discovery 29 to 22 s) and changed nothing at 100k (docs/performance.md)."""
    count = usable_cores() if cores is None else cores
    return 0 if count < 2 else min(count, AUTO_MAX)


@dataclass(frozen=True)
class Ack:
    """What a child acknowledges: the sorted runs it wrote for some of the pages it was sent."""

    records: list[Path]
    record_count: int
    counts: dict[tuple[str, str], int]  # (resourceType, enrichStatus) -> records
    rest: list[tuple[str, Entry]]  # (collectedAt, entry) of results it did not build


Acked = Callable[[Ack], None]
Build = Callable[[str, list[Entry]], None]  # (collectedAt, entries): build them in the main process


class IntakeProcess(FramedChild):
    """One child: start it, send it pages while it lives, hand each acknowledgement to ``acked``; when it ends
    early, hand the pages it had not acknowledged to ``build`` (once)."""

    name = "intake process"
    module = __name__

    def __init__(self, index: int, start: bytes, directory: Path, acked: Acked, build: Build) -> None:
        self.directory = directory
        self._acked = acked
        self._build = build
        self._lock = threading.Lock()  # _in_flight and _alive (never held while writing)
        self._in_flight: dict[int, bytes] = {}  # seq -> the frame sent: compact bytes, not the decoded results
        self._alive = True
        super().__init__(index, start)

    @property
    def accepting(self) -> bool:
        return self._alive and self.ready.is_set()

    def send(self, seq: int, collected_at: str, entries: list[Entry]) -> bool:
        """Send one page's entries (blocks while the child's pipe is full); False when the child cannot take it
        (gone, or not ready), and the caller builds them."""
        if not self.accepting:
            return False
        # Kept until acknowledged: a compact copy holds 1.5-1.7 times less than what orjson.dumps allocated.
        payload = compact(orjson.dumps([seq, collected_at, entries]))
        with self._lock:
            if not self._alive:
                return False
            self._in_flight[seq] = payload
        if self._send(payload):
            return True
        with self._lock:  # the child is gone: the page is the caller's again, unless _end took it back already
            return self._in_flight.pop(seq, None) is None

    def _answer(self, message: Any) -> bool:
        if "ack" not in message:
            return False
        with self._lock:
            for seq in message["ack"]:
                self._in_flight.pop(seq, None)
        self._acked(_ack(message))
        return True

    def _end(self) -> None:
        """The child's answers ended: the pages it had not acknowledged are built by the main process."""
        with self._lock:
            self._alive = False
            lost = [self._in_flight[seq] for seq in sorted(self._in_flight)]
            self._in_flight.clear()
        if lost:
            log.warning(
                "intake process %d (pid %d) ended early (%s); the main process builds the records of its %d "
                "unacknowledged pages",
                self.index, self.pid, self.error or "no answer", len(lost),
            )  # fmt: skip
        for payload in lost:
            _seq, collected_at, entries = orjson.loads(payload)
            self._build(collected_at, entries)


def _ack(message: Mapping[str, Any]) -> Ack:
    return Ack(
        records=[Path(p) for p in message["records"]],
        record_count=int(message["record_count"]),
        counts={(str(t), str(s)): int(n) for t, s, n in message["counts"]},
        rest=[(str(at), entry) for at, entry in message["rest"]],
    )


class IntakeProcesses:
    """The run's intake processes: started at a region's second Search page or after :data:`START_AFTER` inline
    records, whichever comes first; sent pages while they live.

    ``start(directory)`` makes a child's first frame; ``acked`` takes each acknowledgement; ``build`` builds
    entries in the main process (the pages of a child that ended early, the results a child did not take)."""

    def __init__(
        self, count: int, tmp_dir: Path | None, start: Callable[[Path], bytes], acked: Acked, build: Build
    ) -> None:
        self.count = count
        self._tmp_dir = tmp_dir
        self._start = start
        self._acked = acked
        self._build = build
        self._lock = threading.Lock()
        self._built = 0
        self._seq = itertools.count()
        self._turn = itertools.count()
        self._stopped = threading.Event()
        self._keeper = Keeper("intake-processes", self._spawn)
        self.processes: list[IntakeProcess] = []

    def built_inline(self, records: int) -> None:
        """The main process built ``records`` inline: the children start once there were :data:`START_AFTER`."""
        if not self.count:
            return
        with self._lock:
            before = self._built
            self._built += records
            if not before < START_AFTER <= self._built:
                return
        self._start_once()

    def expect_many(self) -> None:
        """A region's Search has more than one page: the children start now, while its next pages come, rather
        than after :data:`START_AFTER` records built inline (they take a few tenths of a second to be ready, in
        which the main process would build every record itself). Safe to call from any thread, any number of
        times."""
        if self.count:
            self._start_once()

    def _start_once(self) -> None:
        with self._lock:
            if self._keeper.started or self._stopped.is_set():
                return
            self._keeper.start()

    def accepting(self) -> bool:
        """Whether a child can take a page now."""
        with self._lock:
            return any(p.accepting for p in self.processes)

    def send(self, collected_at: str, entries: list[Entry]) -> bool:
        """Hand one page's entries to a ready child (round robin); False when none can take them."""
        with self._lock:
            ready = [p for p in self.processes if p.accepting]
        if not ready or self._stopped.is_set():
            return False
        seq = next(self._seq)
        first = next(self._turn) % len(ready)
        return any(p.send(seq, collected_at, entries) for p in ready[first:] + ready[:first])

    def _spawn(self) -> None:
        """Start the children (on the keeper's thread), each with a directory for its sorted runs."""
        try:
            for index in range(self.count):
                if self._stopped.is_set():
                    break
                directory = Path(tempfile.mkdtemp(prefix="oci-inv-intake-", dir=self._tmp_dir))
                try:
                    process = IntakeProcess(index, self._start(directory), directory, self._acked, self._build)
                except BaseException:
                    shutil.rmtree(directory, ignore_errors=True)
                    raise
                with self._lock:
                    self.processes.append(process)
            log.info("%d intake processes started", len(self.processes))
        except Exception as exc:  # the main process goes on building every record
            log.warning("intake processes could not start (%s: %s)", type(exc).__name__, exc)

    def finish(self) -> None:
        """Every page is sent: wait for every child's acknowledgements and figures."""
        try:
            for process in self._started():
                process.finish()
                if process.stats is not None:
                    stats = process.stats
                    log.info(
                        "intake process %d built %d records with %.1f s of CPU (peak RSS %.0f MB, %d garbage "
                        "collections)",
                        process.index, stats.get("records", 0), stats.get("cpu_s", 0.0),
                        stats.get("peak_rss_kb", 0) / 1024, stats.get("collections", 0),
                    )  # fmt: skip
        finally:
            self._keeper.end()

    def stop(self) -> None:
        """The run is being stopped: refuse new pages, kill every child."""
        self._stopped.set()
        try:
            for process in self._started():
                process.kill()
        finally:
            self._keeper.end()

    def remove_files(self) -> None:
        """Remove the children's directories (once the sorters that adopted their runs are read and closed)."""
        for process in self._started():
            shutil.rmtree(process.directory, ignore_errors=True)

    def _started(self) -> list[IntakeProcess]:
        self._keeper.wait_spawned()
        with self._lock:
            return list(self.processes)


# --- The child -----------------------------------------------------------------------------------------------------


class _Tally:
    """The counts of the records built since the last acknowledgement (``intake.Counts``)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def add_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        self.counts.update(counts)


class _Builder:
    """The child's state: its sorter, the pages and counts since the last acknowledgement."""

    def __init__(self, start: Mapping[str, Any], out: FrameWriter) -> None:
        from oci_inventory.export.sorter import ExternalSorter
        from oci_inventory.oci.compartments import tree_from_json

        self._out = out
        self._path_of = tree_from_json(start["tree"]).path_of
        directory = Path(start["directory"])
        self._budget = int(start["records_budget"])
        self._graph = bool(start.get("graph"))  # the run writes graph.graphml: each record's node is made here
        self.records = ExternalSorter(1 << 62, tmp_dir=directory)  # spilled here, at an acknowledgement only
        self._seqs: list[int] = []
        self._tally = _Tally()
        self._rest: list[list[Any]] = []
        self._handed = 0  # records handed over so far
        self.built = 0

    def page(self, seq: int, collected_at: str, entries: list[Entry]) -> None:
        from oci_inventory.intake import InlineBatch

        batch = InlineBatch(collected_at, self._path_of, prepare=self._graph, owned=True)  # decoded for it alone
        for entry in entries:
            region, status, item = entry
            if batch.add(item, region, ENRICHER_OF[status]):
                self.built += 1
            else:
                self._rest.append([collected_at, entry])
        batch.flush(self.records, self._tally)
        self._seqs.append(seq)
        if self.records.buffered_bytes >= self._budget:
            self.acknowledge()

    def acknowledge(self) -> None:
        """Write what is in memory as sorted runs and acknowledge the pages they hold."""
        if not self._seqs:
            return
        records = self.records.hand_over()
        count = len(self.records) - self._handed
        self._handed = len(self.records)
        message = {
            "ack": self._seqs,
            "records": [str(p) for p in records],
            "record_count": count,
            "counts": [[t, s, n] for (t, s), n in self._tally.counts.items()],
            "rest": self._rest,
        }
        self._out.send(orjson.dumps(message))
        self._seqs, self._tally, self._rest = [], _Tally(), []


def child_main(argv: list[str]) -> int:
    """``python -m oci_inventory.intake_processes PARENT_PID``; frames on stdin and stdout."""
    from oci_inventory.util.memory import gc_collections, relax_gc_for_life, tune_malloc

    tune_malloc()  # frames of a megabyte, as in the main process (util/memory.py)
    collected = relax_gc_for_life()  # a dozen dicts per record, freed at once (util/memory.py)
    opened = open_child(argv, ABANDONED)
    if isinstance(opened, int):
        return opened
    inp, start, writer = opened
    try:
        builder = _Builder(start, writer)
    except BaseException as exc:
        return starting_failed(writer, exc)
    writer.send(orjson.dumps({"ready": os.getpid()}))
    while (frame := read_frame(inp)) is not None:
        seq, collected_at, entries = orjson.loads(frame)
        builder.page(seq, collected_at, entries)
    builder.acknowledge()
    usage = os.times()
    stats = {
        "cpu_s": usage.user + usage.system,
        "records": builder.built,
        "peak_rss_kb": peak_rss_kb(),
        "collections": gc_collections() - collected,
    }
    writer.send(orjson.dumps({"stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
