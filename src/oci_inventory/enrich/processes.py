"""Enrichment in processes of their own, so that API calls are not bound to the main process's one core.

Each enrichment call costs the client about 1.5-2.5 ms of CPU (the SDK builds and signs the request, ``requests``
sends it and parses the answer), all under the GIL: one process cannot go past 400-590 calls/s, and at 24 workers
and 50 ms per call (480 calls/s) its threads queue for the GIL (measured: 391 calls/s, 0.81 of the ideal, see
docs/performance.md). So once a run has handed :data:`START_AFTER` records to API enrichers, it starts
``--enrich-processes`` children (``python -m oci_inventory.enrich.processes``; ``auto``: with 4 cores or more,
one per core but one, at most 4; none on fewer cores, see :func:`auto_processes`) and from the moment each is
ready sends it the records to enrich; until then, and whenever no child can take a record, the main process's
threads enrich it as before. A run with fewer records never starts one.

What a child does: it signs in from the same settings as the main process (:class:`~oci_inventory.oci.factory.
FactoryRecipe`: names, never a key), rebuilds the compartment tree the main process listed, imports the
enrichers' SDK packages, says it is ready, then enriches each record it is sent with ``workers_enrich ÷ children``
threads, with the same enrichers and the same :func:`~.base.enrich_safely` as the main process, and sends back the
status, details, edges, error and latency. The main process builds, counts and sorts the record exactly as for an
enrichment it made itself, so the files do not depend on where a record was enriched (only ``collectedAt``
does, as always). At the end the child sends its API call counts and retries, which the summary adds up.

- **Concurrency**: a child takes at most twice its threads in flight, so the children together run at most
  ``workers_enrich`` calls at once; records go to the child picked by their compartment (the listings an enricher
  shares through :meth:`~.base.RunContext.once`, e.g. the VNIC attachments of a compartment, are then mostly made
  once), or to another one when it is full; when every child is full the intake waits, as for the thread pool.
- **Throttling**: each process paces its own calls (``oci/throttle.py``) and has its own 429 budget; every
  process slows down on the 429s it receives, so together they settle under the limit like independent clients.
- **Nothing lost**: a child that fails or dies gives its unfinished records back, and the main process's threads
  enrich them (logged as a warning); a child that cannot sign in never becomes ready and takes no record.
- **Stopping**: children start in a session of their own and die with the main process (``PR_SET_PDEATHSIG``);
  the run kills and waits for them on every way out. Their log records come back to the main process's log
  (``run.log``, stderr) through the same redaction; their stderr (a traceback) goes to a temporary file that
  only ``--debug`` shows.

Frames on both pipes are a 4-byte big-endian length and an orjson document (``util/framed.py``).
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from oci_inventory.enrich.base import EnrichStatus, RunContext
from oci_inventory.util.concurrency import Stopped
from oci_inventory.util.framed import FramedChild, FrameWriter, open_child, read_frame, starting_failed
from oci_inventory.util.processes import Keeper, usable_cores

log = logging.getLogger(__name__)

#: Records handed to API enrichers before the run starts its enrichment processes (a smaller run has too few
#: calls for a process's start, about 2 s of CPU importing the SDK, to pay off).
START_AFTER = 2000
#: At most this many children with ``auto``, and none on a machine with fewer cores than ``AUTO_MIN_CORES``.
AUTO_MAX = 4
AUTO_MIN_CORES = 4
#: Records in flight per child thread (queued in the child while its threads are busy).
IN_FLIGHT_PER_THREAD = 2
#: Exit code of a child whose parent is gone.
ABANDONED = 3


def auto_processes() -> int:
    """``--enrich-processes auto``: with 4 cores or more, one per core but one (for the main process), at most
    :data:`AUTO_MAX`; none below 4 cores, where they gained nothing at 24 workers (docs/performance.md)."""
    cores = usable_cores()
    return 0 if cores < AUTO_MIN_CORES else min(cores - 1, AUTO_MAX)


def parse_processes(value: str) -> int | None:
    """``auto`` -> None, ``off`` -> 0, ``N`` -> N."""
    text = value.strip().lower()
    if text == "auto":
        return None
    if text == "off":
        return 0
    if text.isdigit():
        return int(text)
    raise ValueError("expected auto, off or a whole number")


@dataclass(frozen=True)
class Enriched:
    """What enriching one record gave, wherever it ran: the record's ``enrichStatus``, ``details``,
    relationship edges (as dicts), ``enrichError``, and the seconds it took."""

    status: EnrichStatus
    details: dict[str, Any]
    edges: list[dict[str, Any]]
    error: str | None
    seconds: float


@dataclass(frozen=True)
class Task:
    """A record handed to a child: its Search summary, the region its record belongs to, and what the caller
    needs to finish it (``token``: kept in the main process, never sent)."""

    item: Mapping[str, Any]
    region: str
    token: object


Done = Callable[[Task, Enriched], None]
Lost = Callable[[list[Task]], None]


class EnrichProcess(FramedChild):
    """One child: start it, send it tasks while it has room, hand each answer to ``done``; when it ends early, hand
    its unfinished tasks to ``lost`` (once)."""

    name = "enrichment process"
    module = __name__
    ended_early_note = "; the main process enriched what it had not answered"

    def __init__(self, index: int, start: bytes, capacity: int, done: Done, lost: Lost, freed: threading.Condition):
        self._done = done
        self._lost = lost
        self._freed = freed
        self._slots = threading.Semaphore(capacity)
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._in_flight: dict[int, Task] = {}
        self._alive = True
        super().__init__(index, start)

    @property
    def accepting(self) -> bool:
        return self._alive and self.ready.is_set()

    def try_submit(self, task: Task) -> bool:
        """Send ``task`` if the child is ready and has room; False otherwise (never blocks on the child)."""
        if not self.accepting or not self._slots.acquire(blocking=False):
            return False
        task_id = next(self._ids)
        payload = orjson.dumps([task_id, task.item, task.region])
        with self._lock:
            if self._alive:
                self._in_flight[task_id] = task
                if self._send(payload):
                    return True
                del self._in_flight[task_id]
        self._slots.release()
        return False

    def _answer(self, message: Any) -> bool:
        if not isinstance(message, list):
            return False
        task_id, status, details, edges, error, seconds = message
        with self._lock:
            task = self._in_flight.pop(task_id, None)
        self._slots.release()
        with self._freed:
            self._freed.notify_all()
        if task is not None:
            self._done(task, Enriched(EnrichStatus(status), details, edges, error, float(seconds)))
        return True

    def _end(self) -> None:
        """The child's answers ended: what it still had goes back (``lost``), and it takes nothing more."""
        with self._lock:
            self._alive = False
            lost = list(self._in_flight.values())
            self._in_flight.clear()
        with self._freed:
            self._freed.notify_all()
        if lost:
            self._lost(lost)


class EnrichProcesses:
    """The run's enrichment processes: started after :data:`START_AFTER` records, fed while they are ready."""

    def __init__(self, count: int, workers: int, start: Callable[[int], bytes], done: Done, lost: Lost) -> None:
        self.count = count
        self.threads = max(1, -(-workers // count)) if count else 0
        self._start = start
        self._done = done
        self._lost = lost
        self._freed = threading.Condition()
        self._lock = threading.Lock()
        self._seen = 0
        self._stopped = threading.Event()
        self._keeper = Keeper("enrich-processes", self._spawn)
        self.processes: list[EnrichProcess] = []

    def submit(self, task: Task, affinity: str, on_wait: Callable[[bool], None] | None = None) -> bool:
        """Hand ``task`` to a ready child (the one ``affinity`` picks, else any with room; waits while every ready
        child is full). False: no child is ready (or none is wanted), the caller enriches it itself."""
        if not self.count:
            return False
        self._maybe_start()
        while True:
            with self._lock:
                ready = [p for p in self.processes if p.accepting]
            if not ready:
                return False
            first = zlib.crc32(affinity.encode()) % len(ready)
            for process in ready[first:] + ready[:first]:
                if process.try_submit(task):
                    return True
            self._wait_for_room(on_wait)

    def _maybe_start(self) -> None:
        with self._lock:
            self._seen += 1
            if self._seen != START_AFTER:
                return
        self._keeper.start()

    def _spawn(self) -> None:
        """Start the children (on the keeper's thread)."""
        try:
            capacity = self.threads * IN_FLIGHT_PER_THREAD
            for index in range(self.count):
                if self._stopped.is_set():
                    break
                start = self._start(self.threads)
                process = EnrichProcess(index, start, capacity, self._done, self._lost, self._freed)
                with self._lock:
                    self.processes.append(process)
            log.info("%d enrichment processes started, %d threads each", len(self.processes), self.threads)
        except Exception as exc:  # the main process's threads go on enriching every record
            log.warning("enrichment processes could not start (%s: %s)", type(exc).__name__, exc)

    def _wait_for_room(self, on_wait: Callable[[bool], None] | None) -> None:
        if on_wait is not None:
            on_wait(True)
        try:
            with self._freed:
                self._freed.wait(0.2)
        finally:
            if on_wait is not None:
                on_wait(False)
        if self._stopped.is_set():
            raise Stopped()

    def finish(self) -> list[dict[str, Any]]:
        """Wait for every child's answers and end; the figures of those that sent them."""
        try:
            for process in self._started():
                process.finish()
        finally:
            self._keeper.end()
        return [process.stats for process in self.processes if process.stats is not None]

    def stop(self) -> None:
        """The run is being stopped: refuse new tasks, kill every child (their tasks are not needed)."""
        self._stopped.set()
        with self._freed:
            self._freed.notify_all()
        try:
            for process in self._started():
                process.kill()
        finally:
            self._keeper.end()

    def _started(self) -> list[EnrichProcess]:
        self._keeper.wait_spawned()
        with self._lock:
            return list(self.processes)


# --- The child -----------------------------------------------------------------------------------------------------


def _context(start: Mapping[str, Any]) -> RunContext:
    """The child's run context: the factory signed in from the recipe, the tree as the parent listed it."""
    from oci_inventory.enrich.registry import REGISTRY
    from oci_inventory.oci.compartments import tree_from_json
    from oci_inventory.oci.factory import FactoryRecipe, build_factory

    factory, _warnings = build_factory(FactoryRecipe.from_json(start["recipe"]))  # the parent showed them
    REGISTRY.prewarm().join()  # the SDK packages, before the first record
    return RunContext(factory, tree_from_json(start["tree"]))


def _enrich(writer: FrameWriter, context: RunContext, task_id: int, item: Mapping[str, Any], region: str) -> None:
    from oci_inventory.enrich.base import EnrichContext, EnrichResult, describe_error, enrich_safely, search_summary
    from oci_inventory.enrich.registry import REGISTRY

    started = time.perf_counter()
    try:
        enricher = REGISTRY.get(str(item.get("resourceType") or ""))
        result = enrich_safely(enricher, item, EnrichContext(context, region))
        edges = [edge.as_dict() for edge in result.relationships]
        payload = orjson.dumps(
            [task_id, result.status.value, result.details, edges, result.error, time.perf_counter() - started]
        )
    except Exception as exc:  # never lose a record: an answer that cannot be sent is an ERROR answer
        result = EnrichResult(EnrichStatus.ERROR, {"searchSummary": search_summary(item)}, [], describe_error(exc))
        payload = orjson.dumps(
            [task_id, result.status.value, result.details, [], result.error, time.perf_counter() - started]
        )
    writer.send(payload)


def child_main(argv: list[str]) -> int:
    """``python -m oci_inventory.enrich.processes PARENT_PID``; frames on stdin and stdout."""
    from concurrent.futures import ThreadPoolExecutor

    from oci_inventory.util.memory import gc_collections, relax_gc_for_life

    collected = relax_gc_for_life()  # as the main process during a run (util/memory.py)
    opened = open_child(argv, ABANDONED)
    if isinstance(opened, int):
        return opened
    inp, start, writer = opened
    try:
        context = _context(start)
    except BaseException as exc:
        return starting_failed(writer, exc)
    writer.send(orjson.dumps({"ready": os.getpid()}))
    pool = ThreadPoolExecutor(int(start["threads"]), thread_name_prefix="enrich")
    tasks = 0
    while (frame := read_frame(inp)) is not None:
        task_id, item, region = orjson.loads(frame)
        pool.submit(_enrich, writer, context, task_id, item, region)
        tasks += 1
    pool.shutdown(wait=True)
    retry = context.factory.retry
    usage = os.times()
    cpu_s = usage.user + usage.system
    stats = {
        "calls": retry.calls.counts(),
        "retries": retry.stats.as_dict(),
        "cpu_s": cpu_s,
        "records": tasks,
        "collections": gc_collections() - collected,
    }
    writer.send(orjson.dumps({"stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
