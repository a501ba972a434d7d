"""Every Search type the emulator generates has an enricher, and every enricher keeps its contract."""

from __future__ import annotations

from oci_inventory.enrich.base import SpecEnricher, check_result
from oci_inventory.enrich.default import DefaultEnricher
from oci_inventory.enrich.registry import REGISTRY


def test_every_generated_type_has_an_enricher() -> None:
    from oci_emulator.model.catalog import TYPES

    missing = [t.name for t in TYPES if isinstance(REGISTRY.get(t.name), DefaultEnricher)]
    assert missing == []


def test_at_least_45_search_types_are_enriched() -> None:
    assert len(REGISTRY.registered()) >= 45


def test_every_live_record_of_the_deep_run_ends_ok(deep_run) -> None:  # type: ignore[no-untyped-def]
    """A tenancy without stale resources: every enricher returned a valid OK result for every live record."""
    live = [r for r in deep_run.records.values() if r["lifecycleState"] not in ("TERMINATED", "DELETED")]
    not_ok = sorted(
        {(r["resourceType"], r["enrichStatus"], r["enrichError"]) for r in live if r["enrichStatus"] != "OK"}
    )
    assert not_ok == []
    coverage = deep_run.summary["coverage_by_type"]
    assert all(row["enricher"] for row in coverage.values())


def test_the_contract_check_catches_a_bad_result() -> None:
    import pytest

    from oci_inventory.enrich.base import EnrichResult

    with pytest.raises(TypeError, match="EnrichStatus"):
        check_result(EnrichResult("OK", {}))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="EnrichResult"):
        check_result({"status": "OK"})


def test_a_broken_enricher_gives_error_records_inline_and_in_the_pool(shared_tenancy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A result that breaks the contract is an ERROR record, the same whether the enricher runs inline or pooled."""
    from collections.abc import Mapping
    from typing import Any

    from oci_inventory.enrich.base import EnrichContext, Enricher, EnrichResult
    from oci_inventory.enrich.registry import Registry
    from oci_inventory.pipeline import RunOptions, run_inventory
    from tests.integration.helpers import records
    from tests.integration.test_enrich_errors import factory_for

    registry = Registry(modules=())

    @registry.register("Vcn")
    class PooledBad(Enricher):
        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            return EnrichResult("MAYBE", {})  # type: ignore[arg-type]

    @registry.register("Subnet")
    class InlineBad(Enricher):
        calls_api = False

        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            return EnrichResult("MAYBE", {})  # type: ignore[arg-type]

    result = run_inventory(factory_for(shared_tenancy), RunOptions(outdir=tmp_path, query="query all resources"),
                           registry=registry)  # fmt: skip
    bad = [r for r in records(result.run_dir) if r["resourceType"] in ("Vcn", "Subnet")]
    assert {r["resourceType"] for r in bad} == {"Vcn", "Subnet"}
    assert all(r["enrichStatus"] == "ERROR" and r["enrichError"].startswith("TypeError: ") for r in bad)


def test_rows_name_real_sdk_operations() -> None:
    from oci_inventory.enrich.base import load_class

    for enricher in REGISTRY.registered().values():
        if isinstance(enricher, SpecEnricher):
            assert callable(getattr(load_class(enricher.spec.client), enricher.spec.operation))
