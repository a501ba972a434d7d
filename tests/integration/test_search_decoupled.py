"""Search paging never waits for enrichment: a region's page chain runs to its last page while every enrichment
worker is stuck, because pages go to the region's spill, not through the enrichment pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.auth.providers import build_auth
from oci_inventory.enrich.base import EnrichContext, Enricher, EnrichResult, EnrichStatus
from oci_inventory.enrich.registry import Registry
from oci_inventory.oci.clients import ClientFactory
from oci_inventory.pipeline import RunOptions, run_inventory
from oci_inventory.progress import Reporter

from .helpers import expected_ocids, records

REGION = "us-ashburn-1"


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One region of more than one Search page."""
    from oci_emulator import Emulator

    with Emulator(seed=5, size=1800, regions=(REGION,)) as emu:
        emu.config_file = emu.write_oci_config(tmp_path_factory.mktemp("emu"))
        yield emu


class PageCounter(Reporter):
    """Sets ``all_pages`` once the region's Search has delivered ``expected`` results."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.seen = 0
        self.all_pages = threading.Event()

    def page(self, region: str, items: int) -> None:
        self.seen += items
        if self.seen >= self.expected:
            self.all_pages.set()


def test_search_reaches_its_last_page_while_enrichment_is_blocked(paged: Any, tmp_path: Path) -> None:
    auth = build_auth("api_key", config_file=str(paged.config_file), endpoint_template=paged.endpoint_template)
    factory = ClientFactory(auth, endpoint_template=paged.endpoint_template)
    from oci_emulator.model.tenancy import region_of

    results = sum(1 for r in paged.model.resources if region_of(r["identifier"]) in (REGION, None))
    assert results > 1000  # more than one page
    reporter = PageCounter(results)
    waited: list[bool] = []

    class Blocked(Enricher):
        """Every record needs an 'API call' that cannot finish before Search has delivered every page."""

        calls_api = True

        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            waited.append(reporter.all_pages.wait(timeout=120))
            return EnrichResult(EnrichStatus.OK, {"searchSummary": dict(summary)}, [])

    registry = Registry(modules=())
    registry.default = Blocked()
    options = RunOptions(outdir=tmp_path, query="query all resources", workers_enrich=2, search_shards=1)
    result = run_inventory(factory, options, reporter=reporter, registry=registry)
    # With Search waiting on the pool (2 workers, 8 records in flight) the second page would never be asked for.
    assert waited and all(waited)
    assert {r["ocid"] for r in records(result.run_dir)} == expected_ocids(paged.model, [REGION])
