"""``run.log``: every run's own log, JSON lines, inside its run directory.

The pipeline opens it right after creating the (hidden) run directory and closes it before the directory is
committed, so a committed run is never written again and a failed run leaves nothing behind. Its level is the
chosen log level or INFO, whichever is finer: the settings and where each came from (no secrets: none are
settings, and URLs lose any ``user:password@``), each region's Search outcome, every OCI error (service,
operation, region, HTTP status, OCI code, opc-request-id), retries and throttling, and the export steps. With
``--debug`` it also holds the SDK's request log and tracebacks (as the ``exception`` field). Every line passes the
same redaction filter as stderr.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from oci_inventory.logging import CONTEXT_FIELDS, JsonFormatter, RedactingFilter, current_level, redact

RUN_LOG = "run.log"
#: Fields a run.log line may carry besides time, level, logger and message.
RUN_LOG_FIELDS = (*CONTEXT_FIELDS, "code", "settings", "files")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_SETTINGS: dict[str, dict[str, str]] = {}  # name -> {"value", "source"} of this invocation (note_settings)

log = logging.getLogger(__name__)


class _SettingsLike(Protocol):
    def rows(self) -> list[tuple[str, str, str]]: ...


def note_settings(settings: _SettingsLike) -> None:
    """Remember this invocation's settings and their sources for the run.log of the run it makes."""
    _SETTINGS.clear()
    for name, value, source in settings.rows():
        _SETTINGS[name] = {"value": _USERINFO.sub("", redact(value)), "source": source}


def noted_settings() -> dict[str, dict[str, str]]:
    return {name: dict(entry) for name, entry in _SETTINGS.items()}


class RunLogFormatter(JsonFormatter):
    """The stderr JSON line plus the thread and the run.log-only fields (``code``, ``settings``, ``files``)."""

    fields = RUN_LOG_FIELDS

    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        return {**super().entry(record), "thread": record.threadName}


class _RunLogHandler(logging.Handler):
    """Appends to one open file; after :meth:`close` records are dropped (a worker thread that logs while the run
    is being torn down must not re-create the file in a directory that is being removed)."""

    def __init__(self, path: Path, level: int) -> None:
        super().__init__(level)
        self._file: IO[str] | None = open(path, "w", encoding="utf-8", buffering=1 << 16)  # noqa: SIM115
        self._write_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # pragma: no cover - a broken record must not break the run
            self.handleError(record)
            return
        with self._write_lock:
            if self._file is not None:
                self._file.write(line + "\n")

    def close(self) -> None:
        with self._write_lock:
            if self._file is not None:
                self._file.flush()
                self._file.close()
                self._file = None
        super().close()


class _Rundir(Protocol):
    def file(self, name: str) -> Path: ...


class RunLog:
    """The run.log of one run: a handler on the root logger while the run directory is open.

    Use as a context manager next to the run directory (``with RunDirectory.create(...) as d, RunLog(d) as l``) and
    call :meth:`close` before the commit; closing twice is harmless.
    """

    def __init__(self, rundir: _Rundir) -> None:
        self.path = rundir.file(RUN_LOG)
        chosen = logging.getLevelName(current_level())
        self.level = min(chosen if isinstance(chosen, int) else logging.INFO, logging.INFO)
        self._handler: _RunLogHandler | None = None
        self._root_level = logging.NOTSET

    def __enter__(self) -> RunLog:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()  # on an exception the run directory, run.log with it, is removed next

    def open(self) -> None:
        handler = _RunLogHandler(self.path, self.level)
        handler.addFilter(RedactingFilter())
        handler.setFormatter(RunLogFormatter())
        handler.set_name("oci-inv-run-log")
        root = logging.getLogger()
        self._root_level = root.level
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > self.level:
            root.setLevel(self.level)
        self._handler = handler
        log.info("settings of this run", extra={"settings": noted_settings()})

    def finish(self) -> None:
        """The export steps (each file written, with its size), then close: called just before the commit."""
        if self._handler is None:
            return
        sizes: dict[str, int] = {}
        for entry in sorted(self.path.parent.iterdir()):
            if entry.is_file() and not entry.name.startswith(".") and entry.name != RUN_LOG:
                sizes[entry.name] = entry.stat().st_size
        for name, size in sizes.items():
            log.info("export: wrote %s (%s bytes)", name, f"{size:,}")
        log.info(
            "export: %d files written with run.log; committing the run directory", len(sizes), extra={"files": sizes}
        )
        self.close()

    def close(self) -> None:
        handler, self._handler = self._handler, None
        if handler is None:
            return
        root = logging.getLogger()
        root.removeHandler(handler)
        root.setLevel(self._root_level)
        handler.close()
