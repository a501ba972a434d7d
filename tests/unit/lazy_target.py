"""A registry whose only enricher module (``tests.unit.lazy_enricher``) blocks while it is being imported."""

from __future__ import annotations

import threading

from oci_inventory.enrich.registry import Registry

REGISTRY = Registry(modules=("tests.unit.lazy_enricher",))
IMPORT_STARTED = threading.Event()
RELEASE_IMPORT = threading.Event()
