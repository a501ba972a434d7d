"""The fallback for every resource type without a specific enricher. It never calls an API and never raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oci_inventory.enrich.base import STATUS_NOT_IMPLEMENTED, EnrichContext, Enricher, EnrichResult


class DefaultEnricher(Enricher):
    resource_type = "*"
    calls_api = False

    def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext | None = None) -> EnrichResult:
        return EnrichResult(STATUS_NOT_IMPLEMENTED, {"searchSummary": dict(summary)}, [], None)
