"""Adaptive pacing per endpoint (AIMD) and the retry policy's 429 handling, on a fake clock."""

from __future__ import annotations

import random
from typing import Any

import oci
import pytest

from oci_inventory.oci import throttle
from oci_inventory.oci.clients import RetryPolicy, call_key
from oci_inventory.oci.throttle import Throttle

KEY = "https://iaas.us-ashburn-1.oraclecloud.com"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def paced(clock: Clock, successes: int = 50, over_s: float = 1.0) -> Throttle:
    """A throttle whose KEY saw ``successes`` calls succeed over ``over_s`` seconds, then one 429."""
    t = Throttle(budget=100, clock=clock)
    for _ in range(successes):
        assert t.reserve(KEY) == 0.0  # unpaced until the first 429
        t.succeeded(KEY)
        clock.sleep(over_s / successes)
    assert t.throttled(KEY, sent=clock.now - 0.05)
    return t


def test_the_first_429_paces_the_key_below_the_rate_that_succeeded() -> None:
    clock = Clock()
    t = paced(clock)
    assert t.rate(KEY) == pytest.approx(throttle.DECREASE * 50)
    waits = [t.reserve(KEY) for _ in range(5)]  # five workers at once: each gets its own slot, one after another
    gap = 1 / (throttle.DECREASE * 50)
    assert waits == pytest.approx([0.0, gap, 2 * gap, 3 * gap, 4 * gap])


def test_one_cut_per_round_of_pressure() -> None:
    clock = Clock()
    t = paced(clock)
    first = t.rate(KEY)
    cut_at = clock.now
    clock.sleep(throttle.CUT_GAP_S + 0.1)
    t.throttled(KEY, sent=cut_at - 0.01)  # sent before the cut: already accounted for
    assert t.rate(KEY) == first
    t.throttled(KEY, sent=clock.now - 0.01)
    assert t.rate(KEY) < first  # sent after the cut, past the gap: a new round


def test_the_rate_recovers_additively_then_the_key_is_unpaced() -> None:
    clock = Clock()
    t = paced(clock)
    first = t.rate(KEY)
    assert first is not None
    clock.sleep(2.0)
    t.reserve(KEY)
    step = max(throttle.MIN_STEP, throttle.STEP * first)
    assert t.rate(KEY) == pytest.approx(first + 2.0 * step)
    clock.sleep(throttle.QUIET_S)
    assert t.reserve(KEY) == 0.0 and t.rate(KEY) is None


def test_keys_are_independent() -> None:
    clock = Clock()
    t = paced(clock)
    other = "https://identity.us-ashburn-1.oraclecloud.com"
    assert [t.reserve(other) for _ in range(10)] == [0.0] * 10
    assert t.rate(other) is None


def test_the_429_budget_is_spent_refilled_and_once_spent_unpaces() -> None:
    clock = Clock()
    t = Throttle(budget=3, clock=clock)
    assert [t.throttled(KEY, sent=clock.now) for _ in range(4)] == [True, True, True, False]
    assert t.rate(KEY) is not None
    assert t.reserve(KEY) == 0.0  # budget spent: calls go out unpaced, once each
    t.succeeded(KEY)
    assert t.throttled(KEY, sent=clock.now)  # a success gave one retry back


def service_error(status: int, retry_after: str | None = None) -> oci.exceptions.ServiceError:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    code = "TooManyRequests" if status == 429 else "InternalServerError"
    return oci.exceptions.ServiceError(status, code, headers, "injected")


class Flaky:
    """A stand-in for ``BaseClient.call_api``: raises the given errors in turn, then answers."""

    service = "compute"
    endpoint = f"{KEY}/20160918"

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = list(errors)
        self.calls = 0

    def call_api(self, **kwargs: Any) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def policy(clock: Clock, **kwargs: Any) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, clock=clock, rng=random.Random(1), **kwargs)


def test_429s_do_not_spend_the_attempts_meant_for_errors() -> None:
    clock = Clock()
    p = policy(clock, max_attempts=2)
    flaky = Flaky([service_error(429, "0")] * 12 + [service_error(500)])
    assert p.make_retrying_call(flaky.call_api) == "ok"
    assert flaky.calls == 14
    stats = p.stats.as_dict()
    assert (stats["throttled"], stats["server_errors"], stats["retries"]) == (12, 1, 13)
    assert stats["by_service"]["compute"]["throttled"] == 12
    with pytest.raises(oci.exceptions.ServiceError):  # two errors are two attempts: the second is final
        p.make_retrying_call(Flaky([service_error(500), service_error(503)]).call_api)


def test_retry_after_is_honoured_with_jitter_and_the_call_time_is_bounded() -> None:
    clock = Clock()
    p = policy(clock, max_total_s=10.0)
    flaky = Flaky([service_error(429, "2")] * 100)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        p.make_retrying_call(flaky.call_api)
    assert err.value.status == 429
    assert 3 <= p.stats.throttled <= 4  # waits of 2 to 3 s each (plus pacing) within 10 s
    delays = {round(p.delay_for(service_error(429, "2"), 1), 3) for _ in range(20)}
    assert len(delays) > 1 and all(2.0 <= d <= 3.0 for d in delays)  # workers do not wake together


def test_call_key_strips_the_api_version() -> None:
    assert call_key(Flaky([]).call_api) == ("compute", KEY)
    assert call_key(print) == ("", "")


def test_latency_quantiles_per_type_are_within_ten_percent() -> None:
    from oci_inventory.oci.calls import LatencyRecorder

    recorder = LatencyRecorder()
    for ms in range(1, 101):  # 1 .. 100 ms
        recorder.add("Instance", ms / 1000.0)
    recorder.add("Vcn", 0.0)
    figures = recorder.as_dict()
    assert list(figures) == ["Instance", "Vcn"]
    assert figures["Instance"]["count"] == 100
    assert 50 <= figures["Instance"]["p50_ms"] <= 55 and 95 <= figures["Instance"]["p95_ms"] <= 104.5
    assert figures["Vcn"] == {"count": 1, "p50_ms": 0.1, "p95_ms": 0.1}
