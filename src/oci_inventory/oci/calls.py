"""Counting API calls: by SDK operation, by service, and by the resource type whose enrichment made them.

Every SDK call of a run passes through ``RetryPolicy.make_retrying_call``, which counts it here once (retries
are counted by the policy itself). A worker names the resource type it is enriching with :meth:`CallCounter.
attribute`; calls made outside such a block (discovery, the compartment tree) count under ``""``.
:class:`LatencyRecorder` keeps the enrichment latency per resource type for ``run_summary.json``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class CallCounter:
    """Thread-safe counts of logical API calls (one per SDK operation invoked, whatever its retries)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.by_operation: Counter[str] = Counter()
        self.by_service: Counter[str] = Counter()
        self.by_type: Counter[str] = Counter()

    @contextmanager
    def attribute(self, resource_type: str) -> Iterator[None]:
        """Calls made by this thread inside the block count for ``resource_type``."""
        previous = getattr(self._local, "resource_type", "")
        self._local.resource_type = resource_type
        try:
            yield
        finally:
            self._local.resource_type = previous

    def count(self, func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        operation = str(kwargs.get("operation_name") or getattr(func, "__name__", "call"))
        service = str(getattr(getattr(func, "__self__", None), "service", "") or "")
        resource_type = getattr(self._local, "resource_type", "")
        with self._lock:
            self.by_operation[operation] += 1
            self.by_service[service] += 1
            self.by_type[resource_type] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.by_operation.values())

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self.by_operation.values()),
                "by_operation": dict(sorted(self.by_operation.items())),
                "by_service": dict(sorted(self.by_service.items())),
            }

    def counts(self) -> dict[str, dict[str, int]]:
        """Every count, to be added to another process's counter (:meth:`merge`)."""
        with self._lock:
            return {
                "by_operation": dict(self.by_operation),
                "by_service": dict(self.by_service),
                "by_type": dict(self.by_type),
            }

    def merge(self, counts: Mapping[str, Mapping[str, int]]) -> None:
        """Add the :meth:`counts` of another process (an enrichment process's calls)."""
        with self._lock:
            self.by_operation.update(counts.get("by_operation", {}))
            self.by_service.update(counts.get("by_service", {}))
            self.by_type.update(counts.get("by_type", {}))

    def for_types(self) -> dict[str, int]:
        with self._lock:
            return {key: value for key, value in sorted(self.by_type.items()) if key}


class LatencyRecorder:
    """Thread-safe p50/p95 of durations per key (a resource type), in constant memory per key: durations are
    counted in buckets 10 % wide from 0.1 ms, so a quantile is exact to within 10 % (the bucket's upper bound)."""

    _BASE_MS = 0.1
    _RATIO = 1.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, Counter[int]] = {}

    def add(self, key: str, seconds: float) -> None:
        ms = max(seconds * 1000.0, self._BASE_MS)
        index = math.ceil(math.log(ms / self._BASE_MS, self._RATIO) - 1e-9)
        with self._lock:
            self._buckets.setdefault(key, Counter())[index] += 1

    def _quantile(self, counts: Counter[int], share: float) -> float:
        total = sum(counts.values())
        seen = 0
        for index in sorted(counts):
            seen += counts[index]
            if seen >= share * total:
                return round(self._BASE_MS * self._RATIO**index, 1)
        return 0.0  # pragma: no cover - share <= 1 always ends the loop

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{key: {"count", "p50_ms", "p95_ms"}}``, keys sorted."""
        with self._lock:
            buckets = {key: Counter(counts) for key, counts in self._buckets.items()}
        return {
            key: {
                "count": sum(counts.values()),
                "p50_ms": self._quantile(counts, 0.5),
                "p95_ms": self._quantile(counts, 0.95),
            }
            for key, counts in sorted(buckets.items())
        }
