"""What a person sees: the enrichment bar, the summary that reconciles, the one-line summary off a terminal."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from oci_inventory.pipeline import RunOptions, run_inventory
from oci_inventory.progress import Reporter
from tests.integration.helpers import records
from tests.integration.test_enrich_errors import factory_for


class CountingReporter(Reporter):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queued = 0
        self.done = 0

    def enrich_queued(self, n: int = 1) -> None:
        with self.lock:
            self.queued += n

    def enrich_done(self, n: int = 1) -> None:
        with self.lock:
            self.done += n


def test_enrichment_bar_counts_only_records_that_need_an_api_call(shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reporter = CountingReporter()
    result = run_inventory(
        factory_for(shared_tenancy), RunOptions(outdir=tmp_path, query="query all resources"), reporter=reporter
    )
    statuses = Counter(r["enrichStatus"] for r in records(result.run_dir))
    with_api = statuses["OK"] + statuses["ERROR"]
    assert statuses["NOT_IMPLEMENTED"] > 0 and with_api > 0
    assert reporter.queued == reporter.done == with_api
