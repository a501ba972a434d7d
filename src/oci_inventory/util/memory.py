"""Process memory settings for long runs.

glibc gives each thread that contends for ``malloc`` an arena of its own, up to eight per core. A run has dozens
of threads (Search chains, intake threads, enrichment workers) that all allocate and free record-sized buffers,
and freed memory stays in each thread's arena: at 100k records that alone was about 50 MB of peak RSS and a
third more CPU in page faults. Two arenas keep the contention low (the GIL serialises most allocation anyway).

glibc serves a block of 128 KiB or more with ``mmap``, but raises that threshold (up to 32 MiB) each time such a
block is freed; from then on the megabyte-sized buffers a run passes around (Search response bodies, the frames
sent to an intake process and kept until acknowledged) come from the heap, between long-lived small objects, and
the heap cannot shrink. A fixed threshold of 512 KiB keeps them in ``mmap``: at 1M records with an intake process
the main process's peak went from 292 to 251 MB (sampled, docs/performance.md).

Python's cyclic garbage collector runs a young collection every 700 net container allocations, and a full one
(every tracked object of the process: the SDK's classes, pages waiting, the sorters' entries) every hundred or
so of those. A run allocates a dozen dicts per record and frees them at once, almost never in a cycle: at 100k
records the collector took 1.8 s of 12 s of CPU, 1.2 s of it in 8 full collections. :func:`relaxed_gc` makes
the young collections rarer for the time of a run; cycles are still collected, a little later. The run's
processes (intake, export, enrichment) do the same for their whole life (:func:`relax_gc_for_life`): they parse or
build a record per line the same way, and with the default thresholds the collector was about a fifth of the
Parquet process's CPU and nearly half of an intake process's (docs/performance.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

M_ARENA_MAX = -8  # glibc's mallopt parameters
M_MMAP_THRESHOLD = -3
RUN_ARENAS = 2
RUN_MMAP_THRESHOLD = 512 * 1024
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


def tune_malloc(arenas: int = RUN_ARENAS, mmap_threshold: int = RUN_MMAP_THRESHOLD) -> bool:
    """Cap glibc's malloc arenas and fix its mmap threshold (call before the run starts its threads); False where
    there is no glibc."""
    mallopt = getattr(_libc(), "mallopt", None)  # musl and others: no mallopt, nothing to do
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, arenas)) and bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold))


@contextmanager
def relaxed_gc(thresholds: tuple[int, int, int] = RUN_GC_THRESHOLDS) -> Iterator[None]:
    """Collection thresholds for a run (see the module doc), restored afterwards."""
    previous = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def relax_gc_for_life(thresholds: tuple[int, int, int] = RUN_GC_THRESHOLDS) -> int:
    """:func:`relaxed_gc`'s thresholds for the rest of this process (a run's child process, which lives for the
    run alone); returns :func:`gc_collections` so far, to report those made from here on."""
    gc.set_threshold(*thresholds)
    return gc_collections()


def gc_collections() -> int:
    """How many garbage collections (of any generation) this process has made."""
    return sum(int(generation["collections"]) for generation in gc.get_stats())


def trim_malloc() -> bool:
    """Give the free memory at the top of glibc's heaps back to the system (``malloc_trim(0)``), e.g. after a
    sorter wrote its buffer (32 MiB of records) to disk; False where there is no glibc."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    return bool(trim(0))


def compact(data: bytes) -> bytes:
    """A copy of ``data`` that holds only its length: ``orjson.dumps`` returns bytes whose allocation keeps its
    spare capacity (about 8 KiB for a 1 KiB document), so bytes kept for long, by the thousand, are copied."""
    return bytes(memoryview(data))
