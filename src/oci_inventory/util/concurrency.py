"""Thread pools with back-pressure, so a fast producer cannot queue a million tasks in memory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Stopped(Exception):
    """Raised to a producer waiting for a slot when the pool is being stopped."""


class BoundedExecutor:
    """A ThreadPoolExecutor that admits at most ``max_pending`` unfinished tasks.

    ``submit`` blocks while the pool is full and raises :class:`Stopped` once ``stop`` was called. Exceptions of
    tasks are handed to ``on_error`` (tasks are fire-and-forget: no future is kept per task).
    """

    def __init__(
        self,
        workers: int,
        *,
        max_pending: int | None = None,
        name: str = "worker",
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(max_pending or workers * 4)
        self._stopped = threading.Event()
        self._on_error = on_error

    def submit(self, fn: Callable[..., Any], /, *args: Any, on_wait: Callable[[bool], None] | None = None) -> None:
        """Run ``fn(*args)`` on the pool; blocks while it is full (``on_wait(True)`` before waiting,
        ``on_wait(False)`` after)."""
        if not self._slots.acquire(blocking=False):
            if on_wait is not None:
                on_wait(True)
            try:
                while not self._slots.acquire(timeout=0.2):
                    if self._stopped.is_set():
                        raise Stopped()
            finally:
                if on_wait is not None:
                    on_wait(False)
        if self._stopped.is_set():
            self._slots.release()
            raise Stopped()
        future = self._pool.submit(fn, *args)
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        self._slots.release()
        if future.cancelled():
            return
        error = future.exception()
        if error is not None and self._on_error is not None:
            self._on_error(error)

    def join(self) -> None:
        """Wait until every submitted task has finished; the pool cannot be used afterwards."""
        self._pool.shutdown(wait=True)

    def stop(self) -> None:
        """Refuse new tasks, drop queued ones, and return without waiting for running ones."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
