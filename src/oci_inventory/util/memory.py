"""Process memory settings for long runs.

glibc gives each thread that contends for ``malloc`` an arena of its own, up to eight per core. A run has dozens
of threads (Search chains, intake threads, enrichment workers) that all allocate and free record-sized buffers,
and freed memory stays in each thread's arena: at 100k records that alone was about 50 MB of peak RSS and a
third more CPU in page faults. Two arenas keep the contention low (the GIL serialises most allocation anyway).

Python's cyclic garbage collector runs a young collection every 700 net container allocations, and a full one
(every tracked object of the process: the SDK's classes, pages waiting, the sorters' entries) every hundred or
so of those. A run allocates a dozen dicts per record and frees them at once, almost never in a cycle: at 100k
records the collector took 1.8 s of 12 s of CPU, 1.2 s of it in 8 full collections. :func:`relaxed_gc` makes
the young collections rarer for the time of a run; cycles are still collected, a little later.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

M_ARENA_MAX = -8  # glibc's mallopt parameter
RUN_ARENAS = 2
RUN_GC_THRESHOLDS = (50_000, 20, 20)  # young collection every 50,000 net allocations (default 700, 10, 10)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, loaded on first use (Linux only; None elsewhere or if it cannot be loaded)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def limit_malloc_arenas(arenas: int = RUN_ARENAS) -> bool:
    """Cap glibc's malloc arenas (call before the run starts its threads); False where there is no glibc."""
    mallopt = getattr(_libc(), "mallopt", None)  # musl and others: no mallopt, nothing to do
    return bool(mallopt(M_ARENA_MAX, arenas)) if mallopt is not None else False


@contextmanager
def relaxed_gc(thresholds: tuple[int, int, int] = RUN_GC_THRESHOLDS) -> Iterator[None]:
    """Collection thresholds for a run (see the module doc), restored afterwards."""
    previous = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def trim_malloc() -> bool:
    """Give the free memory at the top of glibc's heaps back to the system (``malloc_trim(0)``), e.g. after a
    sorter wrote its buffer (32 MiB of records) to disk; False where there is no glibc."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    return bool(trim(0))
