"""What an enricher is: it takes one Search summary and returns details and relationship edges.

Most enrichers are declared, not coded: a :class:`GetSpec` row names the SDK client, the ``get`` operation, how to
pick its arguments from the summary, and which fields of the answer are edges. :class:`SpecEnricher` runs any
such row. A hand-written enricher subclasses :class:`Enricher` only when a table row cannot say it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from oci_inventory.oci.clients import ClientFactory

STATUS_OK = "OK"
STATUS_NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
STATUS_ERROR = "ERROR"


@dataclass(frozen=True)
class Relationship:
    """A typed edge from the enriched resource to another resource."""

    relation: str
    target_ocid: str
    target_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "targetOcid": self.target_ocid, "targetType": self.target_type}


@dataclass
class EnrichResult:
    status: str
    details: dict[str, Any]
    relationships: list[Relationship] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class EnrichContext:
    """What an enricher may use: the client factory and where the resource lives."""

    factory: ClientFactory
    region: str
    home_region: str
    tenancy_id: str


class Enricher:
    """Base class. ``resource_type`` is the Search ``resourceType`` string; ``calls_api`` says whether the
    enricher makes API calls (pure ones run inline in the discovery thread)."""

    resource_type: ClassVar[str] = ""
    calls_api: ClassVar[bool] = True

    def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
        raise NotImplementedError


@dataclass(frozen=True)
class EdgeSpec:
    """An edge read from a field of the ``get`` answer (wire camelCase key)."""

    relation: str
    field: str
    target_type: str | None = None


@dataclass(frozen=True)
class GetSpec:
    """One table row: how to fetch the full details of a resource type with one SDK ``get`` call."""

    resource_type: str
    client: str  # dotted SDK class, e.g. "oci.identity.IdentityClient"
    operation: str  # e.g. "get_compartment"
    args: Callable[[Mapping[str, Any]], tuple[Any, ...]] = lambda s: (s["identifier"],)
    home_region: bool = False  # IAM reads go to the home region
    edges: tuple[EdgeSpec, ...] = ()


def _load_class(dotted: str) -> type[Any]:
    module, _, name = dotted.rpartition(".")
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


class SpecEnricher(Enricher):
    """Runs a :class:`GetSpec`: get → keep the wire answer → read edges. Errors propagate (the pipeline records
    them on the record)."""

    def __init__(self, spec: GetSpec) -> None:
        self.spec = spec

    def enrich(self, summary: Mapping[str, Any], ctx: EnrichContext) -> EnrichResult:
        region = ctx.home_region if self.spec.home_region else ctx.region
        client = ctx.factory.client(_load_class(self.spec.client), region, raw=True)
        data = getattr(client, self.spec.operation)(*self.spec.args(summary)).data
        resource = data if isinstance(data, dict) else {"value": data}
        edges = [
            Relationship(e.relation, str(resource[e.field]), e.target_type)
            for e in self.spec.edges
            if resource.get(e.field)
        ]
        return EnrichResult(STATUS_OK, {"searchSummary": dict(summary), "resource": resource}, edges)
