"""A first-in first-out queue of Search pages that never blocks its producers: memory up to a budget, then disk.

Search paging must not wait for enrichment. A region's page chains put each page here and go on to the next
request; the region's intake thread takes pages out in order and does the per-record work (de-duplication,
scope, inline records, hand-off to the enrichment pool, which may block it). While the pages waiting in all the
run's spills stay under one :class:`MemoryBudget` they are kept as the lists the SDK returned. Beyond it:

* while the intake thread waits for the enrichment pool (``consumer_waiting``), each page is written (orjson)
  to an unnamed temporary file and read back when its turn comes, so a slow enrichment never holds a tenancy in
  memory and never slows Search; the file is emptied whenever no spilled page is waiting;
* while the intake thread is busy with the records themselves (CPU, one core under the GIL), the chain waits
  for room instead: paging faster than the records can be built gains nothing, and a round trip through the
  disk would cost the same CPU again. A chain waits *before* asking for its next page (:meth:`PageSpill.reserve`
  takes the page's room in the budget ahead, sized like the spill's last page), not with a decoded page in hand:
  32 chains (4 regions, 8 type shards) each holding a decoded page of 1,000 results were 150 MB of a run's peak.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

DEFAULT_MEMORY = 24 * 2**20
ITEM_SIZE_GUESS = 2048  # bytes per Search item on the wire when the page size is not known
OBJECT_FACTOR = 4  # a decoded page holds about 4 times its wire size in Python objects
FIRST_PAGE_GUESS = 1000 * ITEM_SIZE_GUESS * OBJECT_FACTOR  # room reserved for a spill's first page


@dataclass(frozen=True)
class Page:
    region: str
    relisting: bool
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class _Spilled:
    region: str
    relisting: bool
    offset: int
    length: int


class Closed(Exception):
    """``put`` after ``close``."""


class MemoryBudget:
    """Bytes of pages the spills of one run may hold in memory together."""

    def __init__(self, limit: int = DEFAULT_MEMORY) -> None:
        self.limit = limit
        self._used = 0
        self._lock = threading.Lock()
        self.peak = 0

    def take(self, size: int, *, force: bool = False) -> bool:
        with self._lock:
            if not force and self._used + size > self.limit:
                return False
            self._used += size
            self.peak = max(self.peak, self._used)
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self._used -= size


class PageSpill:
    """``put`` from any thread, iterate from one thread; iteration ends after ``close`` once the queue is empty.

    ``abort`` drops what waits and ends the iteration at once.
    """

    def __init__(self, budget: MemoryBudget | None = None, tmp_dir: Path | None = None) -> None:
        self._budget = budget or MemoryBudget()
        self._tmp_dir = tmp_dir
        self._cond = threading.Condition()
        self._queue: deque[tuple[Page, int] | _Spilled] = deque()
        self._memory = 0
        self._file: Any = None
        self._end = 0  # bytes written to the file
        self._spilled_waiting = 0
        self._closed = False
        self._aborted = False
        self._consumer_waiting = False
        self._reserved: dict[int, int] = {}  # thread id -> budget bytes taken by reserve() for its next page
        self._expected = FIRST_PAGE_GUESS  # budget bytes of the next page: the last page's
        self.pages_spilled = 0

    def reserve(self) -> None:
        """Called by a chain before it asks for its next page: waits until the page will have room in memory (the
        rule of :meth:`put`), takes that room, and returns; ``put`` from the same thread then never waits. Returns
        at once, reserving nothing, while the intake thread waits for the enrichment pool (the page may go to
        disk), or once the spill is closed or aborted."""
        size = self._expected
        with self._cond:
            while not self._closed and not self._aborted:
                if self._budget.take(size, force=not self._queue):
                    self._reserved[threading.get_ident()] = self._reserved.get(threading.get_ident(), 0) + size
                    return
                if self._consumer_waiting:
                    return
                self._cond.wait(0.05)

    def _unreserve(self) -> None:
        """Give back the room this thread reserved (its page arrived, or never will). Caller holds the lock."""
        reserved = self._reserved.pop(threading.get_ident(), 0)
        if reserved:
            self._budget.give(reserved)

    def put(self, region: str, items: list[dict[str, Any]], *, relisting: bool = False, nbytes: int = 0) -> None:
        size = (nbytes or len(items) * ITEM_SIZE_GUESS) * OBJECT_FACTOR
        with self._cond:
            self._expected = size
            if self._reserved.get(threading.get_ident()):  # room was taken before the request: no wait
                self._unreserve()
                if not self._closed and not self._aborted:
                    self._budget.take(size, force=True)
                    self._queue.append((Page(region, relisting, items), size))
                    self._memory += size
                    self._cond.notify_all()
                    return
            while True:
                if self._closed:
                    raise Closed("the page spill is closed")
                if self._aborted:
                    return
                if self._budget.take(size, force=not self._queue):  # one page may always wait in memory
                    self._queue.append((Page(region, relisting, items), size))
                    self._memory += size
                    break
                if self._consumer_waiting:
                    self._queue.append(self._write(region, relisting, items))
                    break
                self._cond.wait(0.05)  # the intake thread is busy with records: wait for room (see module doc)
            self._cond.notify_all()

    def consumer_waiting(self, waiting: bool) -> None:
        """The intake thread says it waits for the enrichment pool (True) or works again (False)."""
        with self._cond:
            self._consumer_waiting = waiting
            self._cond.notify_all()

    def _write(self, region: str, relisting: bool, items: list[dict[str, Any]]) -> _Spilled:
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._tmp_dir)  # noqa: SIM115 - closed by close()/abort()
        data = orjson.dumps(items)
        os.pwrite(self._file.fileno(), data, self._end)
        entry = _Spilled(region, relisting, self._end, len(data))
        self._end += len(data)
        self._spilled_waiting += 1
        self.pages_spilled += 1
        return entry

    def _take(self) -> Page | None:
        with self._cond:
            while not self._queue and not self._closed and not self._aborted:
                self._cond.wait()
            if self._aborted or not self._queue:
                return None
            entry = self._queue.popleft()
            if isinstance(entry, tuple):
                page, size = entry
                self._memory -= size
                self._budget.give(size)
                self._cond.notify_all()
                return page
            data = os.pread(self._file.fileno(), entry.length, entry.offset)
            self._spilled_waiting -= 1
            if self._spilled_waiting == 0:  # nothing waits on disk: start the file over
                self._file.truncate(0)
                self._end = 0
        return Page(entry.region, entry.relisting, orjson.loads(data))

    @property
    def backlog(self) -> int:
        """Pages waiting for the intake thread (in memory or on disk)."""
        return len(self._queue)

    def __iter__(self) -> Iterator[Page]:
        while (page := self._take()) is not None:
            yield page

    def close(self) -> None:
        """No more pages: iteration ends when the queue is empty. Room reserved for pages that never came (a chain
        that failed) is given back."""
        with self._cond:
            self._closed = True
            self._budget.give(sum(self._reserved.values()))
            self._reserved.clear()
            self._cond.notify_all()

    def abort(self) -> None:
        """Drop every waiting page and end the iteration now."""
        with self._cond:
            self._aborted = True
            self._closed = True
            self._queue.clear()
            self._budget.give(sum(self._reserved.values()))
            self._reserved.clear()
            self._budget.give(self._memory)
            self._memory = 0
            self._cond.notify_all()
        self.release()

    def release(self) -> None:
        """Remove the temporary file (done by ``abort``; call it once iteration has ended)."""
        with self._cond:
            if self._file is not None:
                self._file.close()
                self._file = None
