"""Imported lazily by ``tests.unit.lazy_target.REGISTRY``; holds its import open until the test releases it."""

from __future__ import annotations

from oci_inventory.enrich.base import Enricher
from tests.unit.lazy_target import IMPORT_STARTED, REGISTRY, RELEASE_IMPORT

IMPORT_STARTED.set()
RELEASE_IMPORT.wait(timeout=10)


@REGISTRY.register("Lazy")
class LazyEnricher(Enricher):
    calls_api = False
