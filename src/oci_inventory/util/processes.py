"""Child processes of a run (the diff's workers, the export processes): stopped and waited for on every way out."""

from __future__ import annotations

import subprocess
from contextlib import suppress
from typing import Any


def reap(proc: subprocess.Popen[Any]) -> None:
    """Kill ``proc`` if it still runs, wait for it, and close its stdin and stdout pipes. Safe to call twice."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with suppress(OSError):
                pipe.close()
