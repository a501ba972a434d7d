"""Adaptive pacing of API calls per endpoint (a service in a region): AIMD on the rate at which calls start.

The key is the client's endpoint, not its SDK service: compute, block storage and networking share the
``iaas.<region>`` endpoint, and so its limits.

A key starts unpaced (only the worker count limits it). The first 429 sets its allowed rate to ``DECREASE`` times
the rate at which its calls succeeded over the last second (or were sent, when none succeeded yet); a later 429
cuts it again, but only for a call sent after the previous cut and at least ``CUT_GAP_S`` after it (one cut per
round of pressure, so a steady share of 429s does not drive the rate to the floor at once). Between cuts the rate
grows additively, by ``STEP`` of the rate set at the cut per second (at least ``MIN_STEP``); after ``QUIET_S``
without a 429 the key is unpaced again. Each call reserves its own start time (``1 / rate`` after the previous
one), so waiting workers start one by one, never together. A steady share of 429s that does not fall when calls
slow down (a fault, not a limit) keeps cutting, down to ``FLOOR``.

Each key also holds the run's retry budget for 429s: ``budget`` retries, one given back per successful call (up
to ``budget``). A key throttled forever spends it: its calls are then sent unpaced, once each, and fail on their
first 429, so the run ends (one try per call) instead of crawling at the floor rate.
Keys are independent: a throttled service never slows another one.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

DECREASE = 0.85  # multiplicative decrease of the allowed rate on a 429
STEP = 0.05  # additive increase per second, as a share of the rate set at the last cut (at least MIN_STEP)
MIN_STEP = 1.0  # calls/s per second
QUIET_S = 30.0  # seconds without a 429 after which a key is no longer paced
WINDOW_S = 1.0  # successes counted over this many seconds to measure the sustainable rate
FLOOR = 0.5  # the allowed rate never falls below this many calls per second
CUT_GAP_S = 0.5  # at most one cut per this many seconds


@dataclass
class Pacer:
    """The state of one key. Not thread-safe: :class:`Throttle` holds the lock."""

    budget: float
    capacity: float
    rate: float | None = None  # allowed call starts per second; None = unpaced
    step: float = 0.0
    next_at: float = 0.0
    last_cut: float = float("-inf")
    last_update: float = 0.0
    first_seen: float | None = None
    successes: deque[float] = field(default_factory=deque)
    starts: deque[float] = field(default_factory=deque)

    def reserve(self, now: float) -> float:
        """Seconds the caller waits before sending (0 when unpaced); the slot is taken."""
        if self.first_seen is None:
            self.first_seen = now
        _keep(self.starts, now)
        self.starts.append(now)
        if self.rate is None or self.budget < 1.0:
            return 0.0
        if now - self.last_cut >= QUIET_S:
            self.rate = None
            return 0.0
        self.rate += self.step * max(0.0, now - self.last_update)
        self.last_update = now
        slot = max(self.next_at, now)
        self.next_at = slot + 1.0 / self.rate
        return slot - now

    def succeeded(self, now: float) -> None:
        _keep(self.successes, now)
        self.successes.append(now)
        self.budget = min(self.capacity, self.budget + 1.0)

    def throttled(self, now: float, sent: float) -> bool:
        """A 429 for a call sent at ``sent``: cut the rate once per round of pressure. True when it was cut."""
        if sent < self.last_cut or now - self.last_cut < CUT_GAP_S:
            return False
        _keep(self.successes, now)
        _keep(self.starts, now)
        span = min(WINDOW_S, max(now - (self.first_seen or now), 0.05))
        measured = len(self.successes) / span
        if self.rate is None:  # the first cut: what succeeded, or with nothing yet, what was sent
            base = measured or len(self.starts) / span
        else:
            base = min(self.rate, max(measured, FLOOR))
        self.rate = max(FLOOR, DECREASE * base)
        self.step = max(MIN_STEP, STEP * self.rate)
        self.last_cut = self.last_update = now
        self.next_at = max(self.next_at, now)
        return True

    def spend(self) -> bool:
        """Take one 429 retry from the budget; False when it is spent."""
        if self.budget < 1.0:
            return False
        self.budget -= 1.0
        return True


def _keep(times: deque[float], now: float) -> None:
    """Drop the times older than the window."""
    while times and times[0] < now - WINDOW_S:
        times.popleft()


class Throttle:
    """The pacers of a run, one per key, behind one lock."""

    def __init__(self, budget: int = 1000, clock: Callable[[], float] | None = None) -> None:
        import time

        self.capacity = float(budget)
        self.clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._pacers: dict[str, Pacer] = {}

    def _pacer(self, key: str) -> Pacer:
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = self._pacers[key] = Pacer(self.capacity, self.capacity)
        return pacer

    def reserve(self, key: str) -> float:
        with self._lock:
            return self._pacer(key).reserve(self.clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._pacer(key).succeeded(self.clock())

    def throttled(self, key: str, sent: float) -> bool:
        """Record a 429 of a call sent at ``sent``; True when the key's budget allows one more retry."""
        with self._lock:
            pacer = self._pacer(key)
            if pacer.throttled(self.clock(), sent):
                log.info("throttled: %s paced to %.1f calls/s", key, pacer.rate or 0.0)
            return pacer.spend()

    def rate(self, key: str) -> float | None:
        with self._lock:
            return self._pacer(key).rate
