"""Child processes that talk to the run in frames: a 4-byte big-endian length and an orjson document, on the
child's stdin and stdout (the enrichment processes, ``enrich/processes.py``, and the intake processes,
``intake_processes.py``).

The parent's side is :class:`FramedChild`: it starts ``python -m MODULE PARENT_PID`` in a session of its own
with its stderr in a temporary file, sends the first frame, reads the answers on a thread of its own, handles the
messages every such child sends (``ready``, ``log``, ``stats``, ``error``) and leaves the others to the subclass,
then :meth:`~FramedChild.finish` or :meth:`~FramedChild.kill`. The child's side is :func:`open_child` (the death
signal, the first frame, the log records forwarded to the parent, which re-emits them with :func:`relog`) and
:class:`FrameWriter`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from typing import IO, Any

import orjson

from oci_inventory.util.processes import die_with_parent, reap, stderr_tail

log = logging.getLogger(__name__)

_FRAME = struct.Struct(">I")
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


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


class FramedChild:
    """The parent's side of one child (see the module docstring). ``name`` names it in log lines; ``module`` is
    what ``python -m`` runs. A subclass sets its own state, then calls ``super().__init__``, and implements
    :meth:`_answer` (its own messages) and :meth:`_end` (its answers ended: what it had not answered)."""

    name = "child process"
    module = ""
    #: What the warning of a child that ended early adds (what the main process did instead).
    ended_early_note = ""

    def __init__(self, index: int, start: bytes) -> None:
        self.index = index
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by kill()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", self.module, str(os.getpid())],
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
        self._write_lock = threading.Lock()  # one frame at a time on stdin
        # The first frame goes out on the reader thread: writing it waits for the child to import its modules and
        # read it (a tree of many compartments is more than a pipe holds), and children started one after another
        # then get ready together instead of in turn. Nothing else is written before the child says it is ready.
        self._start: bytes | None = start
        self._start_sent = threading.Event()  # the first frame is written (or the child is gone)
        self._reader = threading.Thread(target=self._read, name=f"{self.name.replace(' ', '-')}-{index}", daemon=True)
        self._reader.start()

    def _send(self, payload: bytes) -> bool:
        """Write one frame (blocks while the pipe is full); False when the child is gone."""
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            with self._write_lock:
                write_frame(stdin, payload)
            return True
        except (BrokenPipeError, OSError, ValueError):  # the child is gone (ValueError: stdin already closed)
            return False

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        start, self._start = self._start, None
        try:
            if start is not None:
                self._send(start)  # when the child is gone already, its stdout ends at once and _end says so
        finally:
            self._start_sent.set()
        del start
        try:
            while (frame := read_frame(stdout)) is not None:
                self._message(orjson.loads(frame))
        except Exception as exc:  # a cut or garbled stream, or an answer the main process could not take
            self.error = self.error or f"{type(exc).__name__} reading its answers"
        finally:
            self._end()

    def _message(self, message: Any) -> None:
        if self._answer(message):
            return
        if "ready" in message:
            self.ready.set()
        elif "log" in message:
            relog(message["log"], self.pid)
        elif "stats" in message:
            self.stats = message["stats"]
        elif "error" in message:
            self.error = str(message["error"])

    def _answer(self, message: Any) -> bool:
        """Handle a message of this kind of child; False: not one of its own."""
        raise NotImplementedError

    def _end(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """No more work: the child answers what it has, sends its figures and ends; wait for all of it."""
        self._start_sent.wait()  # closing stdin before the first frame would end a healthy child as abandoned
        with self._write_lock:
            stdin = self._proc.stdin
            if stdin is not None:
                with contextlib.suppress(OSError):
                    stdin.close()
        self._reader.join()
        code = self._proc.wait()
        if code != 0 or self.stats is None:
            log.warning(
                "%s %d (pid %d) ended early (%s)%s",
                self.name, self.index, self.pid, self.error or f"exit {code}", self.ended_early_note,
            )  # fmt: skip
            text = stderr_tail(self._stderr)
            if text:
                log.debug("%s %d printed:\n%s", self.name, self.index, text)
        self.kill()

    def kill(self) -> None:
        """Kill the child if it still runs, wait for it, close its pipes. Safe to call twice."""
        reap(self._proc)
        self._stderr.close()


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
        except Exception:  # a log line must never stop the child's work
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


def open_child(argv: list[str], abandoned: int) -> tuple[IO[bytes], Mapping[str, Any], FrameWriter] | int:
    """In a child started by :class:`FramedChild` (``argv``: ``[PARENT_PID]``): die with the parent, keep stdout for
    frames, read the first frame and forward logging as it says (``log_level``, ``debug``). Returns stdin, the
    first frame and the writer to the parent, or the exit code ``abandoned`` when the parent sent nothing."""
    die_with_parent(int(argv[0]), abandoned)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the parent's pipe
    first = read_frame(inp)
    if first is None:
        return abandoned
    start = orjson.loads(first)
    return inp, start, forward_logging(out, int(start["log_level"]), bool(start["debug"]))


def starting_failed(writer: FrameWriter, exc: BaseException) -> int:
    """In a child: its start failed; print the traceback (to its stderr file), tell the parent, exit code 1."""
    import traceback

    traceback.print_exc()
    writer.send(orjson.dumps({"error": f"{type(exc).__name__} while starting"}))
    return 1
