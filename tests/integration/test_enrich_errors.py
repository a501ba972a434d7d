"""An enricher that fails marks its records ERROR and the run goes on."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oci_inventory.auth.providers import USER_AGENT, build_auth
from oci_inventory.enrich.base import EnrichContext, Enricher, EnrichResult, GetSpec
from oci_inventory.enrich.registry import Registry
from oci_inventory.oci.clients import ClientFactory, RetryPolicy
from oci_inventory.pipeline import RunOptions, run_inventory
from tests.integration.helpers import expected_ocids, records


def factory_for(tenancy) -> ClientFactory:  # type: ignore[no-untyped-def]
    template = tenancy.emu.endpoint_template
    auth = build_auth("api_key", config_file=str(tenancy.config_file), endpoint_template=template)
    return ClientFactory(auth, endpoint_template=template, retry=RetryPolicy(max_attempts=2, sleep=lambda s: None))


def test_failing_enrichers_give_error_records_and_the_run_completes(tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry = Registry(modules=())

    @registry.register("Vcn")
    class Exploding(Enricher):
        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            raise RuntimeError("kaboom\nsecond line")

    # A real SDK call that OCI refuses: 404 NotAuthorizedOrNotFound through the real error path.
    registry.register_spec(GetSpec("Instance", "oci.core.ComputeClient", "get_instance"))
    tenancy.emu.faults.fail_next(100_000, status=404, code="NotAuthorizedOrNotFound", operation="GetInstance")

    result = run_inventory(
        factory_for(tenancy), RunOptions(outdir=tmp_path, query="query all resources"), registry=registry
    )
    recs = records(result.run_dir)
    assert {r["ocid"] for r in recs} == expected_ocids(
        tenancy.emu.model, ["ap-tokyo-1", "eu-frankfurt-1", "us-ashburn-1"]
    )
    vcns = [r for r in recs if r["resourceType"] == "Vcn"]
    instances = [r for r in recs if r["resourceType"] == "Instance"]
    assert vcns and all(r["enrichStatus"] == "ERROR" for r in vcns)
    assert {r["enrichError"] for r in vcns} == {"RuntimeError: kaboom second line"}
    assert all(r["details"]["searchSummary"]["identifier"] == r["ocid"] for r in vcns)
    assert instances and all(r["enrichStatus"] == "ERROR" for r in instances)
    assert all(r["enrichError"].startswith("404 NotAuthorizedOrNotFound: ") for r in instances)
    assert result.summary["errors"] == len(vcns) + len(instances)
    assert not result.failed_regions


def test_every_client_carries_our_user_agent_and_no_circuit_breaker(shared_tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    factory = factory_for(shared_tenancy)
    client = factory.client(oci.resource_search.ResourceSearchClient, "eu-frankfurt-1")
    assert USER_AGENT in client.base_client.user_agent
    assert client.base_client.circuit_breaker_strategy.__class__.__name__ == "NoCircuitBreakerStrategy"
    assert client.base_client.endpoint == f"{shared_tenancy.emu.base_url}/query/eu-frankfurt-1/20180409"
    assert factory.client(oci.resource_search.ResourceSearchClient, "eu-frankfurt-1") is client
