"""Fault injection seen through the SDK: scripted failures, 429 buckets, 5xx rate, outages, latency."""

from __future__ import annotations

import time
from typing import Any

import oci
import pytest

from oci_emulator import Emulator


@pytest.fixture
def fresh_config(fresh_emu: Emulator, tmp_path: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = oci.config.from_file(str(fresh_emu.write_oci_config(tmp_path)))
    return cfg


@pytest.fixture
def fresh_identity(fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any) -> Any:
    return make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config)


def _status(call: Any) -> tuple[int, str, dict[str, str]]:
    try:
        call()
    except oci.exceptions.ServiceError as exc:
        return exc.status, exc.code, dict(exc.headers)
    return 200, "", {}


def test_fail_next_then_recover(fresh_emu: Emulator, fresh_identity: Any) -> None:
    fresh_emu.faults.fail_next(2, retry_after=7)
    first = _status(fresh_identity.list_regions)
    assert first[:2] == (429, "TooManyRequests") and first[2]["retry-after"] == "7"
    assert _status(fresh_identity.list_regions)[0] == 429
    assert _status(fresh_identity.list_regions)[0] == 200


def test_fail_next_only_matching_service(fresh_emu: Emulator, fresh_identity: Any) -> None:
    fresh_emu.faults.fail_next(1, status=500, code="InternalServerError", service="query")
    assert _status(fresh_identity.list_regions)[0] == 200  # identity is not affected and does not consume it
    fresh_emu.faults.fail_next(1, status=503, code="ServiceUnavailable", service="identity")
    assert _status(fresh_identity.list_regions)[:2] == (503, "ServiceUnavailable")


def test_sdk_retry_strategy_rides_out_fail_next(fresh_emu: Emulator, fresh_config: dict[str, Any]) -> None:
    fast_retry = oci.retry.RetryStrategyBuilder(
        max_attempts=4, retry_base_sleep_time_seconds=0.01, retry_max_wait_between_calls_seconds=0.02,
        backoff_type=oci.retry.BACKOFF_FULL_JITTER_VALUE,
    ).get_retry_strategy()  # fmt: skip
    c = oci.identity.IdentityClient(
        fresh_config,
        service_endpoint=fresh_emu.endpoint("identity"),
        retry_strategy=fast_retry,
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
    )
    fresh_emu.faults.fail_next(3)
    assert c.list_regions().data
    statuses = [e.status for e in fresh_emu.journal.entries() if e.operation == "ListRegions"]
    assert statuses == [429, 429, 429, 200]


def test_rate_limit_bucket(fresh_emu: Emulator, fresh_identity: Any) -> None:
    fresh_emu.faults.configure(rate_limits={("identity", "us-ashburn-1"): (0.001, 3)}, retry_after_s=2)
    results = [_status(fresh_identity.list_regions) for _ in range(5)]
    assert [r[0] for r in results] == [200, 200, 200, 429, 429]
    assert results[3][2]["retry-after"] == "2"


def test_error_rate_is_roughly_right_and_seeded(fresh_emu: Emulator, fresh_identity: Any) -> None:
    def run() -> list[int]:
        fresh_emu.faults.configure(error_rate=0.3, seed=11)
        return [_status(fresh_identity.list_regions)[0] for _ in range(200)]

    first = run()
    assert set(first) == {200, 500}
    assert 40 <= first.count(500) <= 80
    assert run() == first  # same seed, same sequence


def test_region_down(fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any) -> None:
    fresh_emu.faults.configure(down_regions={"us-phoenix-1"})
    phx = make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config, region="us-phoenix-1")
    iad = make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config)
    assert _status(phx.list_regions)[:2] == (503, "ServiceUnavailable")
    assert _status(iad.list_regions)[0] == 200
    fresh_emu.faults.reset()
    assert _status(phx.list_regions)[0] == 200


def test_latency_and_slow_region(fresh_emu: Emulator, fresh_config: dict[str, Any], make_client: Any) -> None:
    fresh_emu.faults.configure(latency_ms=50, slow_regions={"eu-frankfurt-1": 100})
    fra = make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config, region="eu-frankfurt-1")
    iad = make_client(fresh_emu, oci.identity.IdentityClient, "identity", fresh_config)
    t0 = time.perf_counter()
    iad.list_regions()
    t1 = time.perf_counter()
    fra.list_regions()
    t2 = time.perf_counter()
    assert t1 - t0 >= 0.05 and t2 - t1 >= 0.15


def test_faults_never_touch_control_or_imds(fresh_emu: Emulator) -> None:
    import urllib.request

    fresh_emu.faults.configure(error_rate=1.0, down_regions={"us-ashburn-1"})
    fresh_emu.faults.fail_next(5)
    with urllib.request.urlopen(fresh_emu.base_url + "/_emulator/journal") as resp:
        assert resp.status == 200
    req = urllib.request.Request(
        fresh_emu.metadata_base_url + "/instance/region", headers={"Authorization": "Bearer Oracle"}
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.read().decode() == "us-ashburn-1"
