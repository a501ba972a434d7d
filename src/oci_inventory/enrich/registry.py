"""The enricher registry, keyed by the Search ``resourceType`` string.

Enricher modules are imported lazily from :data:`ENRICHER_MODULES` (type → module), so a command that enriches
nothing never imports service clients. Inside a module, ``@register("Type")`` registers a class and
``register_spec(GetSpec(...))`` a table row. Registering a type twice raises at import time.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TypeVar

from oci_inventory.enrich.base import Enricher, GetSpec, SpecEnricher
from oci_inventory.enrich.default import DefaultEnricher

E = TypeVar("E", bound=Enricher)

# resourceType -> module that registers it. A meta-test checks every entry imports and registers its type.
ENRICHER_MODULES: dict[str, str] = {
    "Compartment": "oci_inventory.enrich.identity",
    "User": "oci_inventory.enrich.identity",
    "Group": "oci_inventory.enrich.identity",
    "Policy": "oci_inventory.enrich.identity",
    "DynamicResourceGroup": "oci_inventory.enrich.identity",
    "TagNamespace": "oci_inventory.enrich.identity",
}


class DuplicateEnricherError(RuntimeError):
    """A resource type was registered twice: a programming error, raised at import."""


class Registry:
    def __init__(self, modules: dict[str, str] | None = None) -> None:
        self._enrichers: dict[str, Enricher] = {}
        self._modules = dict(ENRICHER_MODULES if modules is None else modules)
        self._imported: set[str] = set()
        self._lock = threading.RLock()
        self.default = DefaultEnricher()

    def add(self, resource_type: str, enricher: Enricher) -> None:
        with self._lock:
            if resource_type in self._enrichers:
                raise DuplicateEnricherError(f"an enricher for resource type {resource_type!r} is already registered")
            self._enrichers[resource_type] = enricher

    def register(self, resource_type: str) -> Callable[[type[E]], type[E]]:
        """Class decorator: ``@registry.register("Instance")``."""

        def decorate(cls: type[E]) -> type[E]:
            cls.resource_type = resource_type
            self.add(resource_type, cls())
            return cls

        return decorate

    def register_spec(self, spec: GetSpec) -> None:
        self.add(spec.resource_type, SpecEnricher(spec))

    def get(self, resource_type: str) -> Enricher:
        """The specific enricher for ``resource_type``, or the DefaultEnricher."""
        found = self._enrichers.get(resource_type)
        if found is not None:
            return found
        module = self._modules.get(resource_type)
        if module is not None:
            # Under the lock until the module has registered: a thread that finds the module "imported" must also
            # find its enrichers, or the first records of a type would silently get the DefaultEnricher.
            with self._lock:
                if module not in self._imported:
                    importlib.import_module(module)
                    self._imported.add(module)
                found = self._enrichers.get(resource_type)
        return found or self.default

    def registered(self) -> dict[str, Enricher]:
        return dict(self._enrichers)

    def modules(self) -> dict[str, str]:
        return dict(self._modules)


REGISTRY = Registry()


def register(resource_type: str) -> Callable[[type[E]], type[E]]:
    """Decorator registering an :class:`Enricher` subclass in the global registry."""
    return REGISTRY.register(resource_type)


def register_spec(spec: GetSpec) -> None:
    REGISTRY.register_spec(spec)


def get_enricher(resource_type: str) -> Enricher:
    return REGISTRY.get(resource_type)
