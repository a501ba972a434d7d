"""The records of one Search page that need no API call, built on the region's intake thread and handed over at
once: one lock per page for each sorter and for the counters, instead of one per record.

Most records of a big tenancy are built here: every record of ``--no-enrich``, and in a full run every resource
whose type has no API enricher (``DefaultEnricher``) or that is terminated (``SkippedEnricher``). Such a record
is the Search summary alone, so it is built by :func:`summary_record` without calling the enricher; a summary of
an unusual shape (or any other enricher) is left to the caller's general path, which builds the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from oci_inventory.enrich.base import Enricher, EnrichStatus
from oci_inventory.enrich.default import DefaultEnricher, SkippedEnricher
from oci_inventory.enrich.relations import IN_COMPARTMENT
from oci_inventory.export.entry import entry_of
from oci_inventory.export.sorter import ExternalSorter
from oci_inventory.normalize.transform import summary_record

#: Enrichers whose result is exactly the Search summary with this status (exact classes: a subclass may differ).
SUMMARY_ONLY: dict[type[Enricher], EnrichStatus] = {
    DefaultEnricher: EnrichStatus.NOT_IMPLEMENTED,
    SkippedEnricher: EnrichStatus.SKIPPED,
}


class Batch(Protocol):
    """Where the intake puts a page's records that need no API call: built now, or sent to be built."""

    def add(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> bool: ...


class Counts(Protocol):
    """Where a batch's counts go: the run's ``SummaryCounter``, or an intake process's tally."""

    def add_counts(self, counts: Mapping[tuple[str, str], int]) -> None: ...


class InlineBatch:
    """Collects one page's summary-only records (:meth:`add`), then :meth:`flush` hands them over.

    ``collected_at`` is the page's: its records were all returned by the same Search response."""

    def __init__(
        self,
        collected_at: str,
        path_of: Callable[[str | None], str | None],
        *,
        prepare: bool = True,
        owned: bool = False,
    ) -> None:
        self._collected_at = collected_at
        self._path_of = path_of
        self._prepare = prepare  # GraphML node made now (prepared_node), or left to the export
        self._owned = owned  # the items are this batch's to change (summary_record's owned)
        self._records: list[tuple[str, bytes]] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> bool:
        """Build the record of ``item`` if ``enricher`` keeps only the summary and ``item`` has the common shape;
        False (nothing kept) otherwise."""
        status = SUMMARY_ONLY.get(type(enricher))
        if status is None:
            return False
        record = summary_record(
            item,
            region=region,
            collected_at=self._collected_at,
            enrich_status=status,
            compartment_path=self._path_of(item.get("compartmentId")),
            compartment_relation=IN_COMPARTMENT,
            owned=self._owned,
        )
        if record is None:
            return False
        self._records.append((record["ocid"], entry_of(record, node=self._prepare)))
        self._counts[(record["resourceType"], status.value)] += 1
        return True

    def flush(self, records: ExternalSorter, counter: Counts) -> int:
        """Hand the page's records (with their relationships) and counts over (then the batch is empty); returns
        how many records."""
        count = len(self._records)
        if self._records:
            records.add_many(self._records)
        if self._counts:
            counter.add_counts(self._counts)
        self._records, self._counts = [], Counter()
        return count


class PageEntries:
    """Collects one page's summary-only results (:meth:`add`, as :meth:`InlineBatch.add` takes them) unbuilt, to
    be built in an intake process (``intake_processes.py``): ``[region, enrichStatus, summary]`` each."""

    def __init__(self) -> None:
        self.entries: list[list[Any]] = []

    def add(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> bool:
        status = SUMMARY_ONLY.get(type(enricher))
        if status is None:
            return False
        self.entries.append([region, status.value, item])
        return True
