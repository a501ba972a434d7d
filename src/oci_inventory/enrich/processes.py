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

Frames on both pipes are a 4-byte big-endian length and an orjson document.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

import orjson

from oci_inventory.enrich.base import EnrichStatus, RunContext
from oci_inventory.util.concurrency import Stopped
from oci_inventory.util.processes import Keeper, die_with_parent, reap, stderr_tail

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

_FRAME = struct.Struct(">I")
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def auto_processes() -> int:
    """``--enrich-processes auto``: with 4 cores or more, one per core but one (for the main process), at most
    :data:`AUTO_MAX`; none below 4 cores, where they gained nothing at 24 workers (docs/performance.md)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
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


def write_frame(out: IO[bytes], payload: bytes) -> None:
    out.write(_FRAME.pack(len(payload)) + payload)
    out.flush()


def read_frame(inp: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the stream (a stream cut inside a frame is an ``EOFError``)."""
    header = inp.read(_FRAME.size)
    if not header:
        return None
    if len(header) < _FRAME.size:
        raise EOFError("the stream ended inside a frame header")
    (size,) = _FRAME.unpack(header)
    data = inp.read(size)
    if len(data) < size:
        raise EOFError("the stream ended inside a frame")
    return data


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


class EnrichProcess:
    """One child: start it, send it tasks while it has room, hand each answer to ``done``; when it ends early, hand
    its unfinished tasks to ``lost`` (once)."""

    def __init__(self, index: int, start: bytes, capacity: int, done: Done, lost: Lost, freed: threading.Condition):
        self.index = index
        self._done = done
        self._lost = lost
        self._freed = freed
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by kill()/finish()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", __name__, str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                start_new_session=True,
            )
        except BaseException:
            self._stderr.close()
            raise
        self.pid = self._proc.pid
        self.ready = threading.Event()
        self.stats: dict[str, Any] | None = None
        self.error: str | None = None
        self._slots = threading.Semaphore(capacity)
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._in_flight: dict[int, Task] = {}
        self._alive = True
        self._send(start)
        self._reader = threading.Thread(target=self._read, name=f"enrich-process-{index}", daemon=True)
        self._reader.start()

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

    def _send(self, payload: bytes) -> bool:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            write_frame(stdin, payload)
            return True
        except (BrokenPipeError, OSError, ValueError):  # the child is gone (ValueError: stdin already closed)
            return False

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while (frame := read_frame(stdout)) is not None:
                self._message(orjson.loads(frame))
        except Exception as exc:  # a cut or garbled stream: the child is treated as dead, its tasks as lost
            self.error = self.error or f"{type(exc).__name__} reading its answers"
        finally:
            self._end()

    def _message(self, message: Any) -> None:
        if isinstance(message, list):
            task_id, status, details, edges, error, seconds = message
            with self._lock:
                task = self._in_flight.pop(task_id, None)
            self._slots.release()
            with self._freed:
                self._freed.notify_all()
            if task is not None:
                self._done(task, Enriched(EnrichStatus(status), details, edges, error, float(seconds)))
        elif "ready" in message:
            self.ready.set()
        elif "log" in message:
            relog(message["log"], self.pid)
        elif "stats" in message:
            self.stats = message["stats"]
        elif "error" in message:
            self.error = str(message["error"])

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

    def finish(self) -> None:
        """No more tasks: the child answers the ones it has, sends its figures and ends; wait for all of it."""
        with self._lock:
            stdin = self._proc.stdin
            if stdin is not None:
                with contextlib.suppress(OSError):
                    stdin.close()
        self._reader.join()
        code = self._proc.wait()
        if code != 0 or self.stats is None:
            log.warning(
                "enrichment process %d (pid %d) ended early (%s); the main process enriched what it had not answered",
                self.index,
                self.pid,
                self.error or f"exit {code}",
            )
            self._log_stderr()
        self.kill()

    def kill(self) -> None:
        """Kill the child if it still runs, wait for it, close its pipes. Safe to call twice."""
        reap(self._proc)
        self._stderr.close()

    def _log_stderr(self) -> None:
        text = stderr_tail(self._stderr)
        if text:
            log.debug("enrichment process %d printed:\n%s", self.index, text)


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


def relog(entry: Mapping[str, Any], pid: int) -> None:
    """A child's log record, handled by the main process's loggers (their redaction, stderr and run.log)."""
    level = int(entry.get("levelno", logging.INFO))
    logger = logging.getLogger(str(entry.get("name") or __name__))
    if not logger.isEnabledFor(level):
        return
    fields = {key: value for key, value in entry.items() if key not in ("levelno", "name", "msg")}
    record = logging.makeLogRecord(
        {
            **fields,
            "name": logger.name,
            "levelno": level,
            "levelname": logging.getLevelName(level),
            "msg": str(entry.get("msg", "")),
            "process": pid,
        }
    )
    logger.handle(record)


# --- The child -----------------------------------------------------------------------------------------------------


class FrameWriter:
    """Frames to the parent, one at a time from any thread."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._lock = threading.Lock()

    def send(self, payload: bytes) -> None:
        with self._lock:
            write_frame(self._out, payload)


class _Forward(logging.Handler):
    """Sends each log record to the parent (plain fields only; the message already formatted)."""

    def __init__(self, writer: FrameWriter) -> None:
        super().__init__()
        self._writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry: dict[str, Any] = {"name": record.name, "levelno": record.levelno, "msg": record.getMessage()}
            for key, value in record.__dict__.items():
                if key not in _RECORD_FIELDS and isinstance(value, str | int | float | bool):
                    entry[key] = value
            self._writer.send(orjson.dumps({"log": entry}))
        except Exception:  # a log line must never stop an enrichment
            self.handleError(record)


def forward_logging(out: IO[bytes], level: int, debug: bool) -> FrameWriter:
    """In a child: the frame writer to the parent on ``out``, with every log record of ``level`` and above sent
    through it (the parent re-emits it, :func:`relog`)."""
    from oci_inventory.logging import setup_logging

    writer = FrameWriter(out)
    setup_logging(logging.getLevelName(level), stream=sys.stderr, debug=debug)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Forward(writer))
    return writer


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

    die_with_parent(int(argv[0]), ABANDONED)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the parent's pipe
    first = read_frame(inp)
    if first is None:
        return ABANDONED
    start = orjson.loads(first)
    writer = forward_logging(out, int(start["log_level"]), bool(start["debug"]))
    try:
        context = _context(start)
    except BaseException as exc:
        import traceback

        traceback.print_exc()
        writer.send(orjson.dumps({"error": f"{type(exc).__name__} while starting"}))
        return 1
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
    stats = {"calls": retry.calls.counts(), "retries": retry.stats.as_dict(), "cpu_s": cpu_s, "records": tasks}
    writer.send(orjson.dumps({"stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
