"""Logging set-up: text or JSON lines on stderr, with secrets scrubbed from every message.

Context such as region, service, operation and opc-request-id travels in ``extra=`` and is emitted as fields of
the JSON line (or appended as ``key=value`` in text form).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

import orjson

CONTEXT_FIELDS = ("region", "service", "operation", "opc_request_id", "status", "attempt", "delay_s")

_SECRET_PATTERNS = (
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
    re.compile(r'signature="[^"]*"'),
    re.compile(r"ST\$[A-Za-z0-9_\-\.=]+"),
    re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    re.compile(r"(?i)(pass_?phrase|password|token)(['\"]?\s*[:=]\s*)(['\"]?)[^\s'\",}]+"),
)


def redact(text: str) -> str:
    """Remove private keys, signatures, tokens and passphrases from a string."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}<redacted>", text)
        else:
            text = pattern.sub("<redacted>", text)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message once and scrubs secrets from it (and from any exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the ``fields`` present, ``exception``."""

    fields: tuple[str, ...] = CONTEXT_FIELDS

    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        return {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }

    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        for name in self.fields:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, option=orjson.OPT_SORT_KEYS, default=str).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(
            f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if getattr(record, name, None) is not None
        )
        return f"{text} [{context}]" if context else text


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record, not the one at set-up.

    While progress bars run, Rich swaps ``sys.stderr`` for a proxy that prints above the bars; a handler bound to
    the original stream would glue log lines onto the bars instead.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it; the property ignores it
        return None


_FORMAT = {"current": "text"}
_LEVEL = {"current": "WARNING"}
_DEBUG = {"on": False}


def current_level() -> str:
    """The level of the stderr log set by :func:`setup_logging` (run.log uses it, or INFO if that is coarser)."""
    return _LEVEL["current"]


def debug_enabled() -> bool:
    """True with ``--debug`` / ``OCI_INV_DEBUG``: tracebacks, and the SDK's own request log (``ClientFactory``)."""
    return _DEBUG["on"]


def report_error(line: str, exc: BaseException | None = None) -> None:
    """The one error line of the CLI boundary, after the ``--debug`` traceback of ``exc`` (redacted) when given.
    With ``--log-format json`` both are one JSON line, the traceback its ``exception`` field: never raw text."""
    import traceback

    text = None
    if exc is not None:
        text = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip())
    if _FORMAT["current"] != "json":
        sys.stderr.write((text + "\n" if text else "") + line + "\n")
        sys.stderr.flush()
        return

    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    entry = {"level": "ERROR", "logger": "oci_inventory", "message": redact(line), "time": stamp}
    if text:
        entry["exception"] = text
    sys.stderr.write(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS).decode() + "\n")
    sys.stderr.flush()


def say(line: str, level: str = "WARNING") -> None:
    """A line for the person running oci-inv (a warning, a summary) on stderr, whatever the log level: as is with
    text logs, as one JSON object (``time, level, logger, message``) with ``--log-format json``, so stderr stays
    parseable line by line."""
    if _FORMAT["current"] == "json":
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
        entry = {"level": level, "logger": "oci_inventory", "message": redact(line), "time": stamp}
        line = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS).decode()
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def setup_logging(level: str = "WARNING", fmt: str = "text", stream: Any = None, *, debug: bool = False) -> None:
    """Configure the root logger once per invocation; safe to call again (replaces our handler).

    The handler has the level itself, so a run's ``run.log`` (:mod:`oci_inventory.runlog`) may lower the root
    logger's level to INFO without more reaching stderr."""

    _FORMAT["current"] = fmt
    _LEVEL["current"] = level
    _DEBUG["on"] = debug

    handler = logging.StreamHandler(stream) if stream is not None else StderrHandler()
    handler.addFilter(RedactingFilter())
    formatter: logging.Formatter
    if fmt == "json":
        formatter = JsonFormatter()
    else:
        formatter = TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.set_name("oci-inv")
    handler.setLevel(level)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "oci-inv":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # The SDK logs request details at DEBUG; keep it quiet unless asked for explicitly.
    logging.getLogger("oci").setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("urllib3").setLevel(logging.WARNING)
