"""Runs under emulator faults: 429s, 5xx, connection resets, a slow region, a throttled service.

Each run must hold every resource of the emulated tenancy exactly once, with no ERROR record caused by the faults.
The emulated tenancy is small and has no stale resources, so a clean run has no ERROR record at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.auth.providers import build_auth
from oci_inventory.oci.clients import ClientFactory, RetryPolicy
from oci_inventory.pipeline import RunOptions, run_inventory
from tests.conftest import REGIONS, Tenancy
from tests.integration.helpers import expected_ocids, records


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Tenancy]:
    from oci_emulator import Emulator

    emu = Emulator(seed=3, size=250, regions=REGIONS, stale_one_in=0).start()
    try:
        yield Tenancy(emu, emu.write_oci_config(tmp_path / "emu"))
    finally:
        emu.stop()


def run(tenancy: Tenancy, outdir: Path, policy: RetryPolicy, **options: Any) -> tuple[list[dict[str, Any]], Any]:
    emu: Any = tenancy.emu
    auth = build_auth("api_key", config_file=str(tenancy.config_file), endpoint_template=emu.endpoint_template)
    factory = ClientFactory(auth, endpoint_template=emu.endpoint_template, retry=policy)
    result = run_inventory(factory, RunOptions(outdir=outdir, query="query all resources", **options))
    return records(result.run_dir), result


def assert_complete(tenancy: Tenancy, recs: list[dict[str, Any]]) -> None:
    ocids = [r["ocid"] for r in recs]
    assert len(ocids) == len(set(ocids)), "no record duplicated"
    assert set(ocids) == expected_ocids(tenancy.emu.model, list(REGIONS)), "no record lost"  # type: ignore[attr-defined]
    assert [r for r in recs if r["enrichStatus"] == "ERROR"] == []


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param({"throttle_rate": 0.3}, id="30pct-429"),
        pytest.param({"error_rate": 0.05}, id="5pct-5xx"),
        pytest.param({"reset_rate": 0.05}, id="connection-resets"),
        pytest.param({"throttle_rate": 0.2, "error_rate": 0.03, "reset_rate": 0.02}, id="all-at-once"),
        pytest.param({"slow_regions": {"ap-tokyo-1": 40}}, id="slow-region"),
    ],
)
def test_a_faulty_run_holds_every_resource_once(small: Tenancy, tmp_path: Path, faults: dict[str, Any]) -> None:
    emu: Any = small.emu
    emu.faults.configure(retry_after_s=0, seed=7, **faults)
    # Waits are skipped (the policy's sleep is injected): random 429s do not fall when a client slows down, so
    # the real pacing would crawl at its floor; pacing itself is tested in tests/unit/test_throttle.py.
    policy = RetryPolicy(sleep=lambda seconds: None)
    recs, result = run(small, tmp_path, policy)
    assert_complete(small, recs)
    assert not result.failed_regions
    statuses = Counter(e.status for e in emu.journal.entries())
    retries = result.summary["api_retries"]
    assert retries["throttled"] == statuses[429]  # every 429 was retried: none spent the error budget
    assert retries["server_errors"] == statuses[500]
    assert retries["connection_errors"] == statuses[0]  # status 0: the emulator reset the connection
    for fault, status in (("throttle_rate", 429), ("error_rate", 500), ("reset_rate", 0)):
        assert (statuses[status] > 0) == (fault in faults), f"the {fault} fault did (or did not) happen"
    assert sum(s["retries"] for s in retries["by_service"].values()) == retries["retries"]


def test_a_throttled_endpoint_does_not_stall_the_others(small: Tenancy, tmp_path: Path) -> None:
    emu: Any = small.emu
    emu.faults.configure(rate_limits={("iaas", "us-ashburn-1"): (40, 4)}, retry_after_s=0)
    recs, result = run(small, tmp_path, RetryPolicy())
    assert_complete(small, recs)
    journal = [e for e in emu.journal.entries() if e.service not in ("_emulator", "auth")]
    throttled = [i for i, e in enumerate(journal) if e.status == 429]
    assert throttled, "the bucket did throttle"
    limited = [i for i, e in enumerate(journal) if (e.service, e.region) == ("iaas", "us-ashburn-1")]
    others = [i for i, e in enumerate(journal) if e.service == "iaas" and e.region != "us-ashburn-1"]
    # While the limited endpoint was being throttled, the other regions' iaas calls went on and ended first.
    assert any(throttled[0] < i < limited[-1] for i in others)
    assert max(others) < limited[-1]
    assert result.summary["api_retries"]["throttle_budget_exhausted"] == 0
    assert result.summary["api_retries"]["by_service"]  # the throttled SDK services, by name


def test_the_summary_has_a_timing_breakdown(small: Tenancy, tmp_path: Path) -> None:
    _, result = run(small, tmp_path, RetryPolicy())
    timing = result.summary["timing"]
    assert set(timing["discovery_s"]) == set(REGIONS)
    assert timing["export_s"] > 0 and timing["enrichment_s"] == result.summary["enrichment_s"]
    latency = timing["enrichment_latency_by_type"]
    coverage = result.summary["coverage_by_type"]
    assert latency and all(coverage[rtype]["enricher"] for rtype in latency)
    for rtype, figures in latency.items():  # one figure per record enriched through the API (not SKIPPED)
        assert figures["count"] == coverage[rtype]["count"] - coverage[rtype]["SKIPPED"]
        assert 0 < figures["p50_ms"] <= figures["p95_ms"]


def test_a_run_throttled_forever_ends_with_its_records_marked(small: Tenancy, tmp_path: Path) -> None:
    """Every iaas call in us-ashburn-1 is refused: once the endpoint's 429 budget is spent, each remaining call
    is tried once; those records end ERROR 429 TooManyRequests and the run still ends, with everything else OK."""
    emu: Any = small.emu
    emu.faults.configure(rate_limits={("iaas", "us-ashburn-1"): (0.001, 0)}, retry_after_s=0)
    recs, result = run(small, tmp_path, RetryPolicy(throttle_budget=10))
    errors = [r for r in recs if r["enrichStatus"] == "ERROR"]
    assert errors and all(r["enrichError"].startswith("429 TooManyRequests") for r in errors)
    assert {r["region"] for r in errors} == {"us-ashburn-1"}
    assert result.summary["errors_by_code"] == {"TooManyRequests": len(errors)}
    retries = result.summary["api_retries"]
    assert retries["throttled"] == 10  # the whole budget, and not one retry more
    assert retries["throttle_budget_exhausted"] == len(errors)
    ocids = [r["ocid"] for r in recs]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected_ocids(emu.model, list(REGIONS))
