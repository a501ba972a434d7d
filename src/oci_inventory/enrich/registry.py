"""The enricher registry, keyed by the Search ``resourceType`` (matched case-insensitively, as Search does).

There is no hand-kept type → module map to drift from the code. Every module of the ``oci_inventory.enrich``
package other than the framework (:data:`FRAMEWORK_MODULES`) is an enricher module; the registry imports them all
at the first lookup, and their ``@register("Type")`` classes and ``register_spec(GetSpec(...))`` rows are the map.
Enricher modules import no OCI SDK module at import time (SDK classes are named by dotted strings), so this stays
cheap, and ``--help``, ``diff`` and the identity commands never import a service client. Registering a type twice
(in any spelling) raises at import time.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from oci_inventory.enrich.base import Enricher, GetSpec, SpecEnricher, load_class
from oci_inventory.enrich.default import DefaultEnricher

E = TypeVar("E", bound=Enricher)

PACKAGE = "oci_inventory.enrich"
#: Modules of the package that hold the framework, not enrichers.
FRAMEWORK_MODULES = frozenset({"base", "default", "processes", "registry", "relations"})


def enricher_modules() -> tuple[str, ...]:
    """Every enricher module of the package, by dotted name, sorted (found on disk, not listed by hand)."""
    package = importlib.import_module(PACKAGE)
    names = (info.name for info in pkgutil.iter_modules(package.__path__) if not info.ispkg)
    return tuple(sorted(f"{PACKAGE}.{name}" for name in names if name not in FRAMEWORK_MODULES))


class DuplicateEnricherError(RuntimeError):
    """A resource type was registered twice: a programming error, raised at import."""


class Registry:
    """Enrichers by resource type. ``modules`` are imported at the first lookup (default: the enricher modules
    of the package); ``modules=()`` gives an empty registry for tests."""

    def __init__(self, modules: Iterable[str] | None = None) -> None:
        self._enrichers: dict[str, Enricher] = {}
        self._module_of: dict[str, str] = {}
        self._modules = tuple(enricher_modules() if modules is None else modules)
        self._loaded = False
        self._importing: str | None = None
        self._lock = threading.RLock()
        self.default = DefaultEnricher()

    def add(self, resource_type: str, enricher: Enricher) -> None:
        key = resource_type.lower()
        with self._lock:
            if key in self._enrichers:
                raise DuplicateEnricherError(f"an enricher for resource type {resource_type!r} is already registered")
            self._enrichers[key] = enricher
            if self._importing is not None:
                self._module_of[key] = self._importing

    def register(self, resource_type: str) -> Callable[[type[E]], type[E]]:
        """Class decorator: ``@registry.register("Instance")``."""

        def decorate(cls: type[E]) -> type[E]:
            cls.resource_type = resource_type
            self.add(resource_type, cls())
            return cls

        return decorate

    def register_spec(self, spec: GetSpec) -> None:
        self.add(spec.resource_type, SpecEnricher(spec))

    def _load(self) -> None:
        # Under the lock until every module has registered: a thread that finds the registry loaded must also find
        # its enrichers, or the first records of a type would silently get the DefaultEnricher.
        with self._lock:
            if self._loaded:
                return
            for module in self._modules:
                self._importing = module
                try:
                    importlib.import_module(module)
                finally:
                    self._importing = None
            self._loaded = True

    def get(self, resource_type: str) -> Enricher:
        """The specific enricher for ``resource_type`` (any spelling), or the DefaultEnricher."""
        if not self._loaded:
            self._load()
        return self._enrichers.get(resource_type.lower()) or self.default

    def registered(self) -> dict[str, Enricher]:
        """Every registered enricher by its resource type as registered (after loading the modules)."""
        self._load()
        return {enricher_type(e, key): e for key, e in self._enrichers.items()}

    def module_of(self) -> dict[str, str]:
        """Resource type (lower case) → the module that registered it."""
        self._load()
        return dict(self._module_of)

    def modules(self) -> tuple[str, ...]:
        return self._modules

    def client_classes(self) -> list[str]:
        """The dotted SDK client classes the enrichers name (``GetSpec.client``, or an enricher's ``clients``)."""
        names = set()
        for enricher in self.registered().values():
            if isinstance(enricher, SpecEnricher):
                names.add(enricher.spec.client)
            names.update(getattr(enricher, "clients", ()))
        return sorted(names)

    def prewarm(self) -> threading.Thread:
        """Import the SDK service packages of :meth:`client_classes` on a daemon thread, while Search pages: the
        first enrichment calls would otherwise import them (about 1.8 s for the 28 packages) holding the import
        lock. An import that fails is left for the enricher that needs it to report."""

        def run() -> None:
            for dotted in self.client_classes():
                with contextlib.suppress(Exception):
                    load_class(dotted)

        thread = threading.Thread(target=run, name="prewarm-clients", daemon=True)
        thread.start()
        return thread


def enricher_type(enricher: Enricher, fallback: str) -> str:
    if isinstance(enricher, SpecEnricher):
        return enricher.spec.resource_type
    return enricher.resource_type or fallback


REGISTRY = Registry()


def register(resource_type: str) -> Callable[[type[E]], type[E]]:
    """Decorator registering an :class:`Enricher` subclass in the global registry."""
    return REGISTRY.register(resource_type)


def register_spec(spec: GetSpec) -> None:
    REGISTRY.register_spec(spec)


def get_enricher(resource_type: str) -> Enricher:
    return REGISTRY.get(resource_type)
