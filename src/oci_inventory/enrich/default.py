"""The fallback for every resource type without a specific enricher. It never calls an API and never raises."""

from __future__ import annotations

from oci_inventory.enrich.base import EnrichContext, Enricher, EnrichResult, EnrichStatus, Summary, search_summary


class DefaultEnricher(Enricher):
    resource_type = "*"
    calls_api = False

    def enrich(self, summary: Summary, ctx: EnrichContext | None = None) -> EnrichResult:
        return EnrichResult(EnrichStatus.NOT_IMPLEMENTED, {"searchSummary": search_summary(summary)}, [], None)


class SkippedEnricher(Enricher):
    """For a TERMINATED or DELETED resource (kept with --include-terminated): there is nothing to get."""

    resource_type = "*"
    calls_api = False

    def enrich(self, summary: Summary, ctx: EnrichContext | None = None) -> EnrichResult:
        return EnrichResult(EnrichStatus.SKIPPED, {"searchSummary": search_summary(summary)}, [], None)


SKIP = SkippedEnricher()
