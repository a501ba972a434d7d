"""Child processes of a run (the diff's workers, the export and enrichment processes): stopped and waited for on
every way out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import IO, Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def reap(proc: subprocess.Popen[Any]) -> None:
    """Kill ``proc`` if it still runs, wait for it, and close its stdin and stdout pipes. Safe to call twice."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with suppress(OSError):
                pipe.close()


def stderr_tail(file: IO[bytes], limit: int = 64 * 1024) -> str:
    """The last ``limit`` bytes a child wrote to its stderr file (a traceback), decoded and stripped; "" when the
    file is already closed or unreadable."""
    try:
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - limit))
        return file.read().decode(errors="replace").strip()
    except (OSError, ValueError):
        return ""


def die_with_parent(parent: int, code: int) -> None:
    """In a child: on Linux, ``SIGKILL`` this process when its parent ends; if it already has, exit with ``code``."""
    if sys.platform.startswith("linux"):
        import ctypes

        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(code)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform says), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def peak_rss_kb() -> int:
    """This process's own peak RSS: ``VmHWM`` on Linux, where ``ru_maxrss`` of an exec'd child also counts the
    memory of the parent it was forked from (the kernel records the old address space's peak at ``exec``)."""
    with suppress(OSError, ValueError, IndexError), open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Keeper:
    """Starts a run's children (``spawn``) on a thread of its own that lives until :meth:`end`: a child gets
    ``SIGKILL`` when the *thread* that started it ends (``PR_SET_PDEATHSIG``), so neither an intake thread nor a
    worker may start one."""

    def __init__(self, name: str, spawn: Callable[[], None]) -> None:
        self._name = name
        self._spawn = spawn
        self._spawned = threading.Event()  # spawn() returned: every child it will start is started
        self._over = threading.Event()  # every child is finished or killed: the thread may end
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._keep, name=self._name, daemon=True)
        self._thread.start()

    def _keep(self) -> None:
        try:
            self._spawn()
        finally:
            self._spawned.set()
        self._over.wait()

    def wait_spawned(self) -> None:
        """Until every child that will start has (at once when :meth:`start` was never called)."""
        if self._thread is not None:
            self._spawned.wait()

    def end(self) -> None:
        self._over.set()
        if self._thread is not None:
            self._thread.join()
