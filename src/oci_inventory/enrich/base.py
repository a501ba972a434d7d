"""What an enricher is: it takes one Search summary and returns details and relationship edges.

Most enrichers are declared, not coded: a :class:`GetSpec` row names the SDK client, the ``get`` operation, how to
build its arguments from the summary and the per-run context, and which fields of the answer are edges.
:class:`SpecEnricher` runs any such row. A hand-written enricher subclasses :class:`Enricher` only when a table row
cannot say it (several calls, a listing shared through the run context, an endpoint read from another resource).

Enrichers are stateless singletons; everything a run shares (caches of listings, the Object Storage namespace, the
compartment tree) lives in :class:`RunContext`. Modules that declare enrichers import no OCI SDK module at import
time: SDK classes are named by dotted strings and loaded at the first call.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from oci_inventory.oci.clients import ClientFactory
    from oci_inventory.oci.compartments import CompartmentTree

T = TypeVar("T")
Summary = Mapping[str, Any]


class EnrichStatus(StrEnum):
    """How enrichment of one record ended (the record's ``enrichStatus``)."""

    OK = "OK"  # details hold the service's answer
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"  # no enricher for the type (or --no-enrich): Search data only
    ERROR = "ERROR"  # the enricher failed; enrichError says why
    SKIPPED = "SKIPPED"  # TERMINATED/DELETED resource: nothing to get


# Kept for readers of the earlier API; the enum is the one source.
STATUS_OK = EnrichStatus.OK
STATUS_NOT_IMPLEMENTED = EnrichStatus.NOT_IMPLEMENTED
STATUS_ERROR = EnrichStatus.ERROR
STATUS_SKIPPED = EnrichStatus.SKIPPED


@dataclass(frozen=True)
class Relationship:
    """A typed edge from the enriched resource to another resource (relations: ``enrich/relations.py``)."""

    relation: str
    target_ocid: str
    target_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "targetOcid": self.target_ocid, "targetType": self.target_type}


@dataclass
class EnrichResult:
    status: EnrichStatus
    details: dict[str, Any]
    relationships: list[Relationship] = field(default_factory=list)
    error: str | None = None


class RunContext:
    """What every enricher of one run shares: the client factory, the tenancy, the compartment tree, and caches.

    :meth:`once` computes a value once per run and key (e.g. the Object Storage namespace, the VNIC attachments of
    one compartment in one region); concurrent callers of the same key wait for the first one. A failure is cached
    too, and raised to every caller, so a refused listing costs one call, not one per resource.
    """

    def __init__(self, factory: ClientFactory, tree: CompartmentTree | None = None) -> None:
        self.factory = factory
        self.tree = tree
        self._lock = threading.Lock()
        self._values: dict[Hashable, tuple[bool, Any]] = {}
        self._loading: dict[Hashable, threading.Event] = {}

    @property
    def tenancy_id(self) -> str:
        return self.factory.auth.tenancy_id

    @property
    def home_region(self) -> str:
        return self.factory.home_region

    def once(self, key: Hashable, load: Callable[[], T]) -> T:
        while True:
            with self._lock:
                if key in self._values:
                    ok, value = self._values[key]
                    if ok:
                        return value  # type: ignore[no-any-return]
                    raise value
                waiting = self._loading.get(key)
                if waiting is None:
                    event = self._loading[key] = threading.Event()
                    break
            waiting.wait()
        try:
            result: tuple[bool, Any] = (True, load())
        except Exception as exc:
            result = (False, exc)
        with self._lock:
            self._values[key] = result
            del self._loading[key]
        event.set()
        if not result[0]:
            raise result[1]
        return result[1]  # type: ignore[no-any-return]

    def client(self, dotted: str, region: str) -> Any:
        """An SDK client (named by its dotted class, e.g. ``oci.core.ComputeClient``) returning raw wire JSON."""
        return self.factory.client(load_class(dotted), region, raw=True)


@dataclass(frozen=True)
class EnrichContext:
    """Where the resource being enriched lives, plus the run's shared context."""

    run: RunContext
    region: str

    @property
    def factory(self) -> ClientFactory:
        return self.run.factory

    @property
    def home_region(self) -> str:
        return self.run.home_region

    @property
    def tenancy_id(self) -> str:
        return self.run.tenancy_id

    def client(self, dotted: str, region: str | None = None) -> Any:
        return self.run.client(dotted, region or self.region)


class Enricher:
    """Base class. ``resource_type`` is the Search ``resourceType`` string; ``calls_api`` says whether the
    enricher makes API calls (pure ones run inline in the discovery thread)."""

    resource_type: ClassVar[str] = ""
    calls_api: ClassVar[bool] = True

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        raise NotImplementedError


@dataclass(frozen=True)
class EdgeSpec:
    """Edges read from a field of the answer: a dotted path of wire camelCase keys (``sourceDetails.id``); a list
    value gives one edge per OCID in it, and ``key[]`` steps into every item of a list
    (``routeRules[].networkEntityId``).

    ``target_type`` is the target's resource type, or a map from the OCID's type segment (``ocid1.<segment>.…``)
    to it when one field may name several types. ``only_if = (path, value)`` emits the edges only when the answer's
    ``path`` equals ``value`` (e.g. a public IP assigned to a NAT gateway, not to a private IP)."""

    relation: str
    field: str
    target_type: str | Mapping[str, str] | None = None
    only_if: tuple[str, str] | None = None

    def type_of(self, target: str) -> str | None:
        if isinstance(self.target_type, Mapping):
            segment = target.split(".", 2)[1] if "." in target else ""
            return self.target_type.get(segment)
        return self.target_type


def read_path(obj: Any, path: str) -> Any:
    """``obj["a"]["b"]`` for ``"a.b"``; None when any step is missing or not an object. ``"a[].b"`` is the list of
    ``b`` of every item of the list ``obj["a"]`` (lists found in the items are flattened one level)."""
    key, _, rest = path.partition(".")
    if not isinstance(obj, Mapping):
        return None
    if not key.endswith("[]"):
        value = obj.get(key)
        return read_path(value, rest) if rest else value
    items = obj.get(key[:-2])
    if not isinstance(items, list):
        return None
    out: list[Any] = []
    for item in items:
        found = read_path(item, rest) if rest else item
        out.extend(found if isinstance(found, list) else [found])
    return out


def edges_from(resource: Mapping[str, Any], specs: Sequence[EdgeSpec]) -> list[Relationship]:
    """The edges the specs name in ``resource``; values that are not OCID strings are passed over."""
    out: list[Relationship] = []
    for spec in specs:
        if spec.only_if is not None and read_path(resource, spec.only_if[0]) != spec.only_if[1]:
            continue
        value = read_path(resource, spec.field)
        targets = value if isinstance(value, list) else [value]
        out.extend(
            Relationship(spec.relation, target, spec.type_of(target))
            for target in targets
            if isinstance(target, str) and target.startswith("ocid1.")
        )
    return out


def by_identifier(summary: Summary, ctx: EnrichContext) -> tuple[Any, ...]:
    """The usual arguments of a ``get``: the resource's OCID."""
    return (summary["identifier"],)


def search_summary(summary: Summary) -> dict[str, Any]:
    """The Search summary as kept in ``details.searchSummary`` (query highlights dropped)."""
    return {key: value for key, value in summary.items() if key != "searchContext"}


def details_of(summary: Summary, resource: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """``details``: the service's answer exactly as on the wire, with ``searchSummary`` (and any extras) beside it."""
    return {**resource, **extra, "searchSummary": search_summary(summary)}


@dataclass(frozen=True)
class GetSpec:
    """One table row: how to fetch the full details of a resource type with one SDK ``get`` call."""

    resource_type: str
    client: str  # dotted SDK class, e.g. "oci.core.ComputeClient"
    operation: str  # e.g. "get_instance"
    args: Callable[[Summary, EnrichContext], tuple[Any, ...]] = by_identifier
    home_region: bool = False  # IAM reads go to the home region
    edges: tuple[EdgeSpec, ...] = ()


@functools.cache
def load_class(dotted: str) -> type[Any]:
    """The class a dotted name names, imported once (it is looked up for every enrichment call)."""
    module, _, name = dotted.rpartition(".")
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


def call_get(ctx: EnrichContext, client: str, operation: str, *args: Any, region: str | None = None) -> Any:
    """``client.operation(*args).data`` as wire JSON (a dict for a single resource)."""
    return getattr(ctx.client(client, region), operation)(*args).data


class SpecEnricher(Enricher):
    """Runs a :class:`GetSpec`: get → keep the wire answer → read edges. Errors propagate (the pipeline records
    them on the record)."""

    def __init__(self, spec: GetSpec) -> None:
        self.spec = spec

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        region = ctx.home_region if self.spec.home_region else ctx.region
        data = call_get(ctx, self.spec.client, self.spec.operation, *self.spec.args(summary, ctx), region=region)
        resource = data if isinstance(data, dict) else {"value": data}
        return EnrichResult(EnrichStatus.OK, details_of(summary, resource), edges_from(resource, self.spec.edges))


def check_result(result: object) -> None:
    """Raise ``TypeError`` when an enricher broke its contract (a programming error the tests catch): the result
    must be an :class:`EnrichResult` with an :class:`EnrichStatus`, a details dict and :class:`Relationship` edges."""
    if not isinstance(result, EnrichResult):
        raise TypeError(f"enricher returned {type(result).__name__}, not EnrichResult")
    if not isinstance(result.status, EnrichStatus):
        raise TypeError(f"enricher returned status {result.status!r}, not an EnrichStatus")
    if not isinstance(result.details, dict):
        raise TypeError(f"enricher returned details of type {type(result.details).__name__}, not dict")
    if not all(isinstance(edge, Relationship) for edge in result.relationships):
        raise TypeError("enricher returned an edge that is not a Relationship")


def describe_error(exc: BaseException) -> str:
    """One line without secrets or multi-line noise: ``404 NotAuthorizedOrNotFound: <message>`` for an OCI error,
    ``<exception type>: <message>`` for anything else."""
    import oci

    if isinstance(exc, oci.exceptions.ServiceError):
        text = f"{exc.status} {exc.code}: {exc.message}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


def enrich_safely(enricher: Enricher, item: Summary, ctx: EnrichContext) -> EnrichResult:
    """The enricher's result, its calls counted for the resource type; any exception, or a result that breaks the
    contract, becomes an ERROR result (the same in the main process and in an enrichment process)."""
    try:
        with ctx.factory.retry.calls.attribute(str(item.get("resourceType") or "")):
            result = enricher.enrich(item, ctx)
        check_result(result)
    except Exception as exc:
        return EnrichResult(EnrichStatus.ERROR, {"searchSummary": search_summary(item)}, [], describe_error(exc))
    return result
