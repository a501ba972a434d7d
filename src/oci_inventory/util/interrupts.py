"""Ctrl-C, SIGTERM and SIGHUP: the first one interrupts, a second one ends the process at once.

``cli.main`` installs :func:`handle` for the three signals. The first signal raises ``KeyboardInterrupt`` in the
main thread, which unwinds the run (the partial run directory is removed on the way) back to ``main``; a
second signal while that cleanup runs ends the process immediately with exit 130 and no traceback.

The commit of a run directory and the printing of its path run inside :func:`deferred`: a signal that lands
there is held until the block ends, so a run is either not committed (exit 130) or committed and known to be
(``main`` prints its path and exits 0) — never committed but reported as interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
INTERRUPTED = 130


@dataclass
class State:
    """Process-wide interrupt state of one ``main`` invocation."""

    signals: int = 0
    deferring: bool = False
    pending: bool = False
    committed: Path | None = None  # the run directory, once renamed into place
    announced: Path | None = None  # the run directory whose path was printed on stdout


STATE = State()


def reset() -> None:
    global STATE
    STATE = State()


def exit_now(code: int) -> None:
    """Flush and end the process without waiting for worker threads (one may be in a 60 s HTTP read)."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def handle(signum: int, frame: FrameType | None, *, hard_exit: Callable[[int], None] = exit_now) -> None:
    """The signal handler: interrupt once; on a second signal exit at once (0 if the run was committed)."""
    STATE.signals += 1
    if STATE.signals > 1:
        if STATE.committed is not None:
            announce(STATE.committed)
            hard_exit(0)
        else:
            sys.stderr.write("oci-inv: interrupted again; exiting now\n")
            hard_exit(INTERRUPTED)
        return
    if STATE.deferring:
        STATE.pending = True
        return
    raise KeyboardInterrupt


@contextmanager
def installed() -> Iterator[None]:
    """Install :func:`handle` for SIGINT, SIGTERM and SIGHUP (main thread only); restore the old handlers after."""
    reset()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handle) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold a first signal until the block is done, then raise ``KeyboardInterrupt`` for it."""
    STATE.deferring = True
    try:
        yield
    finally:
        STATE.deferring = False
    if STATE.pending:
        STATE.pending = False
        raise KeyboardInterrupt


def note_run_started() -> None:
    """A new run begins: an earlier run of this process (the demo runs two) no longer answers for an interrupt."""
    STATE.committed = None


def note_committed(path: Path) -> None:
    STATE.committed = path


def announce(path: Path) -> None:
    """Print the run directory as the last line on stdout, once per run (the demo runs twice in one process)."""
    if STATE.announced == path:
        return
    STATE.announced = path
    sys.stdout.write(f"{path}\n")
    sys.stdout.flush()


def workers_busy() -> bool:
    """True when a non-daemon thread other than this one is still running (e.g. blocked in an HTTP read)."""
    current = threading.current_thread()
    return any(t is not current and t.is_alive() and not t.daemon for t in threading.enumerate())
