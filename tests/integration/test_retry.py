"""Our retry policy and the disabled circuit breaker, through the real SDK against the emulator."""

from __future__ import annotations

import oci
import pytest

from oci_inventory.auth.providers import build_auth
from oci_inventory.oci.clients import ClientFactory, RetryPolicy, retry_after_seconds


def make_factory(tenancy, policy: RetryPolicy) -> ClientFactory:  # type: ignore[no-untyped-def]
    auth = build_auth("api_key", config_file=str(tenancy.config_file), endpoint_template=tenancy.emu.endpoint_template)
    return ClientFactory(auth, endpoint_template=tenancy.emu.endpoint_template, retry=policy)


def test_retry_after_is_honoured(tenancy) -> None:  # type: ignore[no-untyped-def]
    slept: list[float] = []
    factory = make_factory(tenancy, RetryPolicy(max_attempts=5, sleep=slept.append))
    tenancy.emu.faults.fail_next(2, status=429, code="TooManyRequests", retry_after=3, service="identity")
    regions = factory.identity().list_regions().data
    assert regions, "the call succeeded after the throttled attempts"
    waits = [s for s in slept if s >= 1.0]  # the others are the paced key's short waits for its next slot
    assert len(waits) == 2 and all(3.0 <= s <= 4.5 for s in waits)  # Retry-After plus up to half of it of jitter
    assert factory.retry.stats.throttled == 2


def test_5xx_uses_jittered_backoff_and_4xx_is_not_retried(tenancy) -> None:  # type: ignore[no-untyped-def]
    slept: list[float] = []
    factory = make_factory(tenancy, RetryPolicy(max_attempts=5, base_s=0.5, sleep=slept.append))
    tenancy.emu.faults.fail_next(2, status=500, code="InternalServerError", service="identity")
    factory.identity().list_regions()
    assert len(slept) == 2 and 0 <= slept[0] <= 0.5 and 0 <= slept[1] <= 1.0
    slept.clear()
    tenancy.emu.faults.fail_next(1, status=404, code="NotAuthorizedOrNotFound", service="identity")
    with pytest.raises(oci.exceptions.ServiceError) as err:
        factory.identity().list_regions()
    assert err.value.status == 404 and slept == []


def test_attempts_and_total_time_are_bounded(tenancy) -> None:  # type: ignore[no-untyped-def]
    slept: list[float] = []
    factory = make_factory(tenancy, RetryPolicy(max_attempts=3, sleep=slept.append))
    tenancy.emu.faults.fail_next(10, status=503, code="ServiceUnavailable", service="identity")
    with pytest.raises(oci.exceptions.ServiceError):
        factory.identity().list_regions()
    assert len(slept) == 2  # 3 attempts
    now = [0.0]

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    policy = RetryPolicy(max_attempts=50, max_total_s=5, sleep=fake_sleep, clock=lambda: now[0])
    budget = make_factory(tenancy, policy)
    tenancy.emu.faults.reset()
    tenancy.emu.faults.fail_next(10, status=429, retry_after=3, service="identity")
    with pytest.raises(oci.exceptions.ServiceError):
        budget.identity().list_regions()
    assert budget.retry.stats.retries == 1  # a second wait of 3 s or more would end past the 5 s budget


def test_no_circuit_breaker_trips_after_a_burst_of_429s(tenancy) -> None:  # type: ignore[no-untyped-def]
    # No 429 budget: every 429 is final. The key's pacing waits are skipped (no real sleeping in tests).
    factory = make_factory(tenancy, RetryPolicy(max_attempts=1, throttle_budget=0, sleep=lambda s: None))
    tenancy.emu.faults.fail_next(15, status=429, service="query")
    search = factory.client(oci.resource_search.ResourceSearchClient, "us-ashburn-1")
    details = oci.resource_search.models.StructuredSearchDetails(query="query all resources")
    for _ in range(15):
        with pytest.raises(oci.exceptions.ServiceError) as err:
            search.search_resources(details, limit=1)
        assert err.value.status == 429
    # With the SDK's shared default breaker, 10 failures in a row would make this fail fast for 30 s.
    assert factory.identity().list_regions().data
    assert search.search_resources(details, limit=1).data.items


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
