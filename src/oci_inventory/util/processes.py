"""Child processes of a run (the diff's workers, the export and enrichment processes): stopped and waited for on
every way out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
