"""Seeded fault injection for service routes: latency, throttling (token buckets, random 429s), 5xx, connection
resets, region outages, scripted failures."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oci_emulator.core.errors import (
    ApiError,
    CustomError,
    InternalServerError,
    ServiceUnavailable,
    TooManyRequests,
)


class DropConnection(Exception):
    """The server resets the connection instead of answering (a connection reset, as a client sees it)."""


RateLimits = Mapping[tuple[str, str], tuple[float, float]]


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _Scripted:
    remaining: int
    status: int
    code: str
    retry_after: float | None
    service: str | None
    region: str | None = None
    operation: str | None = None
    paged_only: bool = False

    def matches(self, service: str, region: str, operation: str, paged: bool) -> bool:
        return (
            self.remaining > 0
            and self.service in (None, service)
            and self.region in (None, region)
            and self.operation in (None, operation)
            and (paged or not self.paged_only)
        )


def _parse_rate_limits(raw: Any) -> dict[tuple[str, str], tuple[float, float]]:
    """Accept {(service, region): (rate, burst)} or the JSON form {"service/region": [rate, burst]}."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, value in dict(raw or {}).items():
        service, region = tuple(key) if isinstance(key, tuple | list) else str(key).split("/", 1)
        rate, burst = value
        out[(str(service), str(region))] = (float(rate), float(burst))
    return out


class Faults:
    """Fault configuration and per-request decisions. Thread-safe; all randomness comes from ``seed``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.latency_ms = 0.0
            self.per_item_ms = 0.0
            self.error_rate = 0.0
            self.throttle_rate = 0.0
            self.reset_rate = 0.0
            self.rate_limits: dict[tuple[str, str], tuple[float, float]] = {}
            self.retry_after_s: float = 1
            self.down_regions: set[str] = set()
            self.slow_regions: dict[str, float] = {}
            self.seed = 0
            self._rng = random.Random(0)
            self._buckets: dict[tuple[str, str], _Bucket] = {}
            self._scripted: list[_Scripted] = []

    def configure(
        self,
        latency_ms: float = 0.0,
        per_item_ms: float = 0.0,
        error_rate: float = 0.0,
        throttle_rate: float = 0.0,
        reset_rate: float = 0.0,
        rate_limits: RateLimits | Mapping[str, Any] | None = None,
        retry_after_s: float = 1,
        down_regions: Iterable[str] = (),
        slow_regions: Mapping[str, float] | None = None,
        seed: int = 0,
    ) -> None:
        """Replace the whole fault configuration (anything not given returns to its default)."""
        if not all(0.0 <= rate <= 1.0 for rate in (error_rate, throttle_rate, reset_rate)):
            raise ValueError("error_rate, throttle_rate and reset_rate must be within [0, 1]")
        limits = _parse_rate_limits(rate_limits)
        with self._lock:
            self.latency_ms = float(latency_ms)
            self.per_item_ms = float(per_item_ms)
            self.error_rate = float(error_rate)
            self.throttle_rate = float(throttle_rate)
            self.reset_rate = float(reset_rate)
            self.rate_limits = limits
            self.retry_after_s = retry_after_s
            self.down_regions = set(down_regions)
            self.slow_regions = {str(k): float(v) for k, v in (slow_regions or {}).items()}
            self.seed = seed
            self._rng = random.Random(seed)
            self._buckets = {}

    def fail_next(
        self,
        n: int,
        status: int = 429,
        code: str = "TooManyRequests",
        retry_after: float | None = None,
        service: str | None = None,
        region: str | None = None,
        operation: str | None = None,
        paged_only: bool = False,
    ) -> None:
        """Make the next ``n`` matching service requests fail with status/code.

        A request matches when it is of ``service``, ``region`` and ``operation`` (each None = any) and, with
        ``paged_only``, carries a ``page`` parameter (a later page of a list, e.g. an expired page token).
        """
        with self._lock:
            self._scripted.append(_Scripted(n, status, code, retry_after, service, region, operation, paged_only))

    def check(self, service: str, region: str, operation: str = "", *, paged: bool = False) -> None:
        """Raise the ApiError this request should fail with, if any (called before the handler runs)."""
        with self._lock:
            if region in self.down_regions:
                raise ServiceUnavailable(f"Region {region} is unavailable")
            for rule in self._scripted:
                if rule.matches(service, region, operation, paged):
                    rule.remaining -= 1
                    headers = {"retry-after": _fmt(rule.retry_after)} if rule.retry_after is not None else {}
                    if rule.status == 429 and not headers:
                        headers = {"retry-after": _fmt(self.retry_after_s)}
                    raise CustomError(rule.status, rule.code, "Injected failure (fail_next)", headers)
            self._scripted = [r for r in self._scripted if r.remaining > 0]
            limit = self.rate_limits.get((service, region))
            if limit is not None:
                bucket = self._buckets.get((service, region))
                now = time.monotonic()
                if bucket is None:
                    bucket = self._buckets[(service, region)] = _Bucket(limit[0], limit[1], limit[1], now)
                if not bucket.take(now):
                    raise TooManyRequests(
                        "Too many requests for the tenancy", {"retry-after": _fmt(self.retry_after_s)}
                    )
            if self.reset_rate and self._rng.random() < self.reset_rate:
                raise DropConnection()
            if self.throttle_rate and self._rng.random() < self.throttle_rate:
                raise TooManyRequests("Too many requests (injected)", {"retry-after": _fmt(self.retry_after_s)})
            if self.error_rate and self._rng.random() < self.error_rate:
                raise InternalServerError("Injected internal server error")

    def delay_s(self, region: str, items: int) -> float:
        """Seconds to wait before answering a request that returned ``items`` items."""
        ms = self.latency_ms + self.per_item_ms * items + self.slow_regions.get(region, 0.0)
        return ms / 1000.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "per_item_ms": self.per_item_ms,
            "error_rate": self.error_rate,
            "throttle_rate": self.throttle_rate,
            "reset_rate": self.reset_rate,
            "rate_limits": {f"{s}/{r}": list(v) for (s, r), v in self.rate_limits.items()},
            "retry_after_s": self.retry_after_s,
            "down_regions": sorted(self.down_regions),
            "slow_regions": self.slow_regions,
            "seed": self.seed,
        }


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


__all__ = ["ApiError", "DropConnection", "Faults"]
