"""``inventory.csv`` with the report's inventory figures, and ``inventory.parquet``, each made by a process of its
own from ``inventory.jsonl`` while the main process writes it.

The export pass (:mod:`~.inventory`) is CPU-bound on one core. This module moves the pieces that need each record
parsed to the second core: :class:`Follower` starts ``python -m oci_inventory.export.follower``, the main process
tells it how far ``inventory.jsonl`` is complete (a byte offset at a line boundary, on the child's stdin, after
each flushed MiB), and the child reads the file up to there, parses each line once and feeds what its
:class:`Derived` names: the CSV writer (:class:`~.csv.CsvWriter`) and the digest's
:class:`~oci_inventory.report.digest.InventoryScan`; :class:`~.parquet.ParquetStream`. Each is unchanged, so every
file is the same as when written in the main process, and the reports need not read the file again. The main
process keeps what needs no parsing: the JSONL itself, the relationships and the GraphML file (each record's node
was made where the record was built and comes with it). The export starts the CSV child in runs of at least
:data:`~.inventory.FOLLOW_MIN_RECORDS` records (below that, starting a Python process costs more than it saves,
and the main process writes the CSV itself), and one for ``--parquet``: processes each parsing every line balance
the two cores better than one doing it all (measured at 1M). The GraphML nodes had a process of their own too
until their builders made them (docs/performance.md).

Why the child reads the file and not a pipe of lines: a pipe holds 64 KiB to 1 MiB, so whenever the child is
slower (parsing plus the Parquet columns cost more than what is left to the main process), the main process would
wait on a full pipe, and nothing of its own work after the records (the relationships, the GraphML edges) could
overlap the child's. The file is a buffer without a bound that already exists: the main process never waits for
the child until the end of the export, the lines are read back from the page cache, and no line is copied through
a pipe. Reading the file only once it is complete would put the whole conversion after the records pass instead of
beside it.

Why a plain ``subprocess`` (as :mod:`oci_inventory.diff.shard` does) and not ``multiprocessing``: ``fork`` is
not safe in a process with dozens of threads, and spawn/forkserver would pickle arguments and re-import the
caller's ``__main__`` for no gain; the child needs a few paths and a pipe. The child:

- starts in a session of its own, so the terminal's Ctrl-C and hang-up reach only the main process, whose
  interrupt handling (``util/interrupts.py``) unwinds to :meth:`Follower.close`, which kills and waits it on
  every exit path (exception, ``KeyboardInterrupt``, an input that stops early);
- on Linux asks for ``SIGKILL`` when its parent dies (``PR_SET_PDEATHSIG``), so a parent killed with ``SIGKILL``
  (or ended by ``os._exit``) does not leave it writing; it also stops when its stdin ends before the last offset;
- reports on its stdout a JSON line once it is ready (the death signal set), and a last one: the rows written,
  its peak RSS and the inventory scan, or the error. Its stderr (a traceback)
  goes to an unnamed temporary file: the main process raises a clear error and keeps the traceback as the error's
  cause, which only ``--debug`` prints. An ``OSError`` (disk full) is raised again as an ``OSError`` with the same
  errno, so the run directory maps it to exit 2 exactly as when the files were written in process; no line of the
  inventory is ever part of a message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from oci_inventory.export.csv import CsvWriter
from oci_inventory.report.digest import InventoryScan
from oci_inventory.util import errors
from oci_inventory.util.memory import gc_collections, relax_gc_for_life
from oci_inventory.util.processes import die_with_parent, peak_rss_kb, reap, stderr_tail

#: Bytes of ``inventory.jsonl`` read at a time by the child.
_READ = 1 << 20
#: Characters kept of each text field of an error report (a path, an OS message).
_FIELD = 2000
#: Exit code of a child whose parent stopped before the end (its stdin closed early, or the parent is gone).
ABANDONED = 3


class FollowerError(errors.OciInvError):
    """An export process (the CSV or the Parquet file) failed (exit 1): not the environment,
    not the input."""


class ChildTraceback(Exception):
    """The traceback the child printed, kept as the cause of the error raised in the main process."""


@dataclass(frozen=True)
class Derived:
    """What a child derives from ``jsonl``: the CSV (cells as ``--csv-raw`` says); the report's
    :class:`InventoryScan` (``scan``); the Parquet file in row groups of ``batch_size``."""

    jsonl: Path
    csv: Path | None = None
    csv_raw: bool = False
    parquet: Path | None = None
    batch_size: int = 20_000
    scan: bool = False

    @property
    def names(self) -> str:
        """The files this child writes, for messages (``inventory.csv``, ``inventory.parquet``)."""
        return " and ".join(path.name for path in (self.csv, self.parquet) if path is not None)

    def as_json(self) -> bytes:
        return orjson.dumps(
            {
                "jsonl": os.fspath(self.jsonl),
                "csv": os.fspath(self.csv) if self.csv is not None else None,
                "csv_raw": self.csv_raw,
                "parquet": os.fspath(self.parquet) if self.parquet is not None else None,
                "batch_size": self.batch_size,
                "scan": self.scan,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Derived:
        data = orjson.loads(text)
        csv, parquet = data["csv"], data["parquet"]
        return cls(
            Path(data["jsonl"]),
            Path(csv) if csv is not None else None,
            bool(data["csv_raw"]),
            Path(parquet) if parquet is not None else None,
            int(data["batch_size"]),
            bool(data["scan"]),
        )


@dataclass(frozen=True)
class ChildResult:
    rows: int
    peak_rss_kb: int  # the child's own peak RSS (see util.processes.peak_rss_kb)
    cpu_s: float  # the child's own CPU time, user + system
    collections: int  # garbage collections the child made while converting (util/memory.py)
    scan: InventoryScan | None  # the report's figures of inventory.jsonl, when Derived.scan asked for them


class Follower:
    """The process that writes what ``derived`` names from its ``jsonl`` as the caller writes it (see the module
    docstring).

    Call :meth:`progress` with the size of ``jsonl`` flushed so far (at a line boundary), :meth:`finish` once the
    file is complete and closed, then :meth:`wait` for the result; :meth:`close` (also as a context manager) kills
    the process if it still runs and waits for it, whatever happened."""

    def __init__(self, derived: Derived) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        args = [sys.executable, "-m", __name__, str(os.getpid()), derived.as_json().decode()]
        try:
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                bufsize=0,
                start_new_session=True,
                env={**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"},  # see convert()
            )
        except BaseException:
            self._stderr.close()
            raise
        self.pid = self._proc.pid
        self.writes = derived.names
        self._finished = False

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def progress(self, offset: int) -> None:
        """The first ``offset`` bytes of ``jsonl`` are written and flushed. Raises at once if the child failed."""
        if self._proc.poll() is not None:
            raise self._failure()
        self._send(b"%d\n" % offset)

    def finish(self, offset: int) -> None:
        """``jsonl`` is complete at ``offset`` bytes; the child writes the rest and the footer meanwhile."""
        if self._proc.poll() is not None:
            raise self._failure()
        self._send(b"done %d\n" % offset)
        self._finished = True
        stdin = self._proc.stdin
        assert stdin is not None
        with suppress(BrokenPipeError):
            stdin.close()

    def wait(self, records: int) -> ChildResult:
        """Wait for the child to finish the file; raise if it failed or did not write ``records`` rows."""
        assert self._finished, "finish() first"
        stdout = self._proc.stdout
        assert stdout is not None
        report = stdout.read()
        code = self._proc.wait()
        reply = _reply(report)
        if code != 0 or "rows" not in reply:
            raise self._failure(reply)
        scan = InventoryScan.from_json(reply["scan"]) if reply.get("scan") is not None else None
        result = ChildResult(
            int(reply["rows"]),
            int(reply.get("peak_rss_kb", 0)),
            float(reply.get("cpu_s", 0)),
            int(reply.get("collections", 0)),
            scan,
        )
        if result.rows != records:
            raise FollowerError(f"the process writing {self.writes} read {result.rows} records of {records}")
        return result

    def close(self) -> None:
        """Kill the child if it still runs, wait for it, and close its pipes and files. Safe to call twice."""
        reap(self._proc)
        self._stderr.close()

    def _send(self, notice: bytes) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(notice)
            return
        except BrokenPipeError:
            pass
        raise self._failure()  # outside the except: the child's traceback is the cause, not the broken pipe

    def _failure(self, reply: dict[str, Any] | None = None) -> BaseException:
        """The error to raise for a child that stopped (it is waited for here), its traceback as the cause."""
        if reply is None:
            stdout = self._proc.stdout
            assert stdout is not None
            reply = _reply(stdout.read())  # the child has ended or is ending: its stdout is at its end
        code = self._proc.wait()
        exc = _error(reply.get("error"), code, self.writes)
        text = stderr_tail(self._stderr)
        if text:
            exc.__cause__ = ChildTraceback(f"the process that wrote {self.writes} printed:\n{text}")
        return exc


def _reply(report: bytes) -> dict[str, Any]:
    try:
        reply = orjson.loads(report.strip().splitlines()[-1]) if report.strip() else {}
    except orjson.JSONDecodeError:
        return {}
    return reply if isinstance(reply, dict) else {}


def _error(error: Any, code: int, writes: str) -> BaseException:
    """The exception for a failed child: its ``OSError`` or oci-inv error again, else :class:`FollowerError`."""
    if isinstance(error, dict):
        kind = error.get("kind")
        if kind == "oserror" and isinstance(error.get("errno"), int):
            args: list[Any] = [error["errno"], str(error.get("strerror") or os.strerror(error["errno"]))]
            if error.get("filename") is not None:
                args.append(str(error["filename"]))
            return OSError(*args)
        cls = getattr(errors, str(error.get("type")), None)
        if kind == "oci-inv" and isinstance(cls, type) and issubclass(cls, errors.OciInvError):
            hint = error.get("hint")
            return cls(str(error.get("message")), hint=str(hint) if hint is not None else None)
        return FollowerError(
            f"writing {writes} failed in its own process ({error.get('type')})",
            hint="rerun with --debug for its traceback",
        )
    if code < 0:
        try:
            what = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            what = f"killed by signal {-code}"
    else:
        what = f"exit {code}"
    return FollowerError(f"writing {writes} failed in its own process ({what})")


# --- The child -----------------------------------------------------------------------------------------------------


class _Abandoned(Exception):
    """The parent closed the notices before the last offset: it stopped, nothing is to be finished."""


class _Sinks:
    """What the child feeds with each parsed record: the CSV, the scan, the Parquet stream."""

    def __init__(self, derived: Derived) -> None:
        self.count = 0
        self.csv = CsvWriter(derived.csv, raw=derived.csv_raw) if derived.csv is not None else None
        self.scan = InventoryScan() if derived.scan else None
        self.parquet = None
        if derived.parquet is not None:
            from oci_inventory.export.parquet import ParquetStream

            # The parent starts this process with ARROW_DEFAULT_MEMORY_POOL=system: Arrow's default pool (jemalloc
            # or mimalloc) keeps freed row groups for reuse, 160 MB of peak RSS at 100k records; the system
            # allocator gives them back (120 MB), at no measurable cost for one row group at a time.
            self.parquet = ParquetStream(derived.parquet, derived.batch_size)

    def feed(self, lines: list[bytes]) -> None:
        loads = orjson.loads
        csv = self.csv.write if self.csv is not None else None
        scan = self.scan.add if self.scan is not None else None
        parquet = self.parquet.write if self.parquet is not None else None
        for line in lines:
            record = loads(line)
            if csv is not None:
                csv(record)
            if scan is not None:
                scan(record)
            if parquet is not None:
                parquet(record)
        self.count += len(lines)

    def close(self) -> None:
        for sink in (self.csv, self.parquet):
            if sink is not None:
                sink.close()


def convert(derived: Derived, notices: IO[bytes]) -> tuple[int, InventoryScan | None]:
    """Write the files of ``derived`` from its ``jsonl`` as far as each notice on ``notices`` says (``OFFSET``
    or, last, ``done OFFSET``); the number of rows and the scan. Raises :class:`_Abandoned` when the notices end
    before ``done``."""
    sinks = _Sinks(derived)
    fd = -1
    pos = 0
    tail = b""
    try:
        for notice in notices:
            done = notice.startswith(b"done ")
            target = int(notice.split()[-1])
            if fd < 0:
                fd = os.open(derived.jsonl, os.O_RDONLY)
            while pos < target:
                chunk = os.read(fd, min(_READ, target - pos))
                if not chunk:
                    raise OSError(f"{derived.jsonl} ends at {pos} bytes, before {target}")
                pos += len(chunk)
                lines = (tail + chunk if tail else chunk).split(b"\n")
                tail = lines.pop()
                sinks.feed(lines)
                del lines
            if done:
                if tail:
                    sinks.feed([tail])
                break
        else:
            raise _Abandoned
        sinks.close()
    finally:
        if fd >= 0:
            os.close(fd)
    return sinks.count, sinks.scan


def _report(reply: dict[str, Any]) -> None:
    out = sys.stdout.buffer
    out.write(orjson.dumps(reply) + b"\n")
    out.flush()


def _error_report(exc: BaseException) -> dict[str, Any]:
    """What the parent needs to raise the same kind of error; never a line of the inventory."""
    name = type(exc).__name__
    if isinstance(exc, OSError) and exc.errno is not None:
        filename = os.fsdecode(exc.filename)[:_FIELD] if exc.filename is not None else None
        strerror = (exc.strerror or os.strerror(exc.errno))[:_FIELD]
        return {"kind": "oserror", "type": name, "errno": exc.errno, "strerror": strerror, "filename": filename}
    if isinstance(exc, errors.OciInvError):
        return {"kind": "oci-inv", "type": name, "message": exc.message[:_FIELD], "hint": exc.hint}
    return {"kind": "other", "type": name}


def child_main(argv: list[str]) -> int:
    """``python -m oci_inventory.export.follower PARENT_PID DERIVED_JSON``."""
    die_with_parent(int(argv[0]), ABANDONED)
    collected = relax_gc_for_life()  # a dict per line parsed, freed at once (util/memory.py)
    _report({"ready": os.getpid()})  # from here on, the end of the parent ends this process
    try:
        rows, scan = convert(Derived.from_json(argv[1]), sys.stdin.buffer)
    except _Abandoned:
        return ABANDONED
    except BaseException as exc:
        import traceback

        traceback.print_exc()
        _report({"error": _error_report(exc)})
        return 1
    usage = os.times()
    _report(
        {
            "rows": rows,
            "peak_rss_kb": peak_rss_kb(),
            "cpu_s": round(usage.user + usage.system, 3),
            "collections": gc_collections() - collected,
            "scan": scan.as_json() if scan is not None else None,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
