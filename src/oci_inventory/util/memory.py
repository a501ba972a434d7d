"""Process memory settings for long runs.

glibc gives each thread that contends for ``malloc`` an arena of its own, up to eight per core. A run has dozens
of threads (Search chains, intake threads, enrichment workers) that all allocate and free record-sized buffers,
and freed memory stays in each thread's arena: at 100k records that alone was about 50 MB of peak RSS and a
third more CPU in page faults. Two arenas keep the contention low (the GIL serialises most allocation anyway).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8  # glibc's mallopt parameter
RUN_ARENAS = 2


def limit_malloc_arenas(arenas: int = RUN_ARENAS) -> bool:
    """Cap glibc's malloc arenas (call before the run starts its threads); False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl and others: no mallopt, nothing to do
        return False
