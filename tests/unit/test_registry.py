from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import pytest

from oci_inventory.enrich.base import STATUS_OK, EnrichContext, Enricher, EnrichResult, SpecEnricher, load_class
from oci_inventory.enrich.default import DefaultEnricher
from oci_inventory.enrich.registry import REGISTRY, DuplicateEnricherError, Registry, enricher_modules


def test_specific_enricher_wins_and_unknown_types_get_the_default() -> None:
    reg = Registry(modules=())

    @reg.register("Widget")
    class WidgetEnricher(Enricher):
        def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
            return EnrichResult(STATUS_OK, {"w": 1})

    assert isinstance(reg.get("Widget"), WidgetEnricher)
    assert WidgetEnricher.resource_type == "Widget"
    assert isinstance(reg.get("Gadget"), DefaultEnricher)
    assert isinstance(reg.get(""), DefaultEnricher)


def test_registering_a_type_twice_is_an_error() -> None:
    reg = Registry(modules=())

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


def test_every_enricher_module_registers_types_and_every_type_names_its_module() -> None:
    """Both directions of the one source of truth: the modules on disk are the map."""
    modules = enricher_modules()
    assert "oci_inventory.enrich.identity" in modules
    module_of = REGISTRY.module_of()
    assert set(module_of.values()) == set(modules), "every enricher module registers at least one type"
    for key, enricher in REGISTRY.registered().items():
        assert module_of[key.lower()] in modules
        assert enricher.calls_api
        if isinstance(enricher, SpecEnricher):
            assert enricher.spec.resource_type == key
            assert hasattr(load_class(enricher.spec.client), enricher.spec.operation), enricher.spec


def test_enricher_modules_import_no_oci_sdk() -> None:
    """Loading every enricher keeps --help, diff and the identity commands free of service clients."""
    import subprocess
    import sys

    code = (
        "import sys; from oci_inventory.enrich.registry import REGISTRY; REGISTRY.get('Instance'); "
        "print(len(REGISTRY.registered()), 'oci' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) >= 6 and out[1] == "False"


def test_resource_types_match_case_insensitively() -> None:
    assert REGISTRY.get("compartment") is REGISTRY.get("Compartment") is REGISTRY.get("COMPARTMENT")
    reg = Registry(modules=())

    @reg.register("DhcpOptions")
    class Dhcp(Enricher):
        pass

    assert isinstance(reg.get("DHCPOptions"), Dhcp)
    with pytest.raises(DuplicateEnricherError):

        @reg.register("DHCPOPTIONS")
        class Again(Enricher):
            pass


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


def test_prewarm_imports_the_service_packages_the_enrichers_name() -> None:
    """In a fresh interpreter: before, no service package; after the prewarm thread, every one the specs name."""
    import subprocess
    import sys

    code = (
        "import sys; from oci_inventory.enrich.registry import REGISTRY; names = REGISTRY.client_classes(); "
        "mods = {n.rpartition('.')[0] for n in names}; before = [m for m in mods if m in sys.modules]; "
        "REGISTRY.prewarm().join(); after = [m for m in mods if m in sys.modules]; "
        "print(len(names), len(before), len(after), len(mods), 'oci.core.ComputeClient' in names)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    names, before, after, mods = map(int, out[:4])
    assert names >= 20 and before == 0 and after == mods and out[4] == "True"
