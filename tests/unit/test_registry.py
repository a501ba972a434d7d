from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import pytest

from oci_inventory.enrich.base import STATUS_OK, EnrichContext, Enricher, EnrichResult, SpecEnricher
from oci_inventory.enrich.default import DefaultEnricher
from oci_inventory.enrich.registry import ENRICHER_MODULES, REGISTRY, DuplicateEnricherError, Registry


def test_specific_enricher_wins_and_unknown_types_get_the_default() -> None:
    reg = Registry(modules={})

    @reg.register("Widget")
    class WidgetEnricher(Enricher):
        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            return EnrichResult(STATUS_OK, {"w": 1})

    assert isinstance(reg.get("Widget"), WidgetEnricher)
    assert WidgetEnricher.resource_type == "Widget"
    assert isinstance(reg.get("Gadget"), DefaultEnricher)
    assert isinstance(reg.get(""), DefaultEnricher)


def test_registering_a_type_twice_is_an_error() -> None:
    reg = Registry(modules={})

    @reg.register("Widget")
    class First(Enricher):
        pass

    with pytest.raises(DuplicateEnricherError, match="Widget"):

        @reg.register("Widget")
        class Second(Enricher):
            pass


def test_reimporting_an_enricher_module_into_the_same_registry_fails_loudly() -> None:
    REGISTRY.get("Compartment")  # imports oci_inventory.enrich.identity
    module = importlib.import_module("oci_inventory.enrich.identity")
    with pytest.raises(DuplicateEnricherError):
        importlib.reload(module)


def test_every_lazy_map_entry_imports_and_registers_its_type() -> None:
    reg = REGISTRY
    for resource_type, module in ENRICHER_MODULES.items():
        enricher = reg.get(resource_type)
        assert not isinstance(enricher, DefaultEnricher), f"{module} did not register {resource_type}"
        assert enricher.calls_api
        if isinstance(enricher, SpecEnricher):
            assert enricher.spec.resource_type == resource_type
            client_module, _, client_class = enricher.spec.client.rpartition(".")
            assert hasattr(importlib.import_module(client_module), client_class)
            assert hasattr(getattr(importlib.import_module(client_module), client_class), enricher.spec.operation)


def test_a_lookup_during_the_lazy_import_waits_for_the_registration() -> None:
    import threading

    from tests.unit import lazy_target

    found: dict[str, Enricher] = {}

    def lookup(name: str) -> None:
        found[name] = lazy_target.REGISTRY.get("Lazy")

    first = threading.Thread(target=lookup, args=("first",))
    first.start()
    assert lazy_target.IMPORT_STARTED.wait(timeout=10)
    second = threading.Thread(target=lookup, args=("second",))
    second.start()
    second.join(timeout=0.5)  # with the race, the second lookup returns the DefaultEnricher at once
    lazy_target.RELEASE_IMPORT.set()
    first.join()
    second.join()
    assert type(found["first"]).__name__ == "LazyEnricher"
    assert type(found["second"]).__name__ == "LazyEnricher"
