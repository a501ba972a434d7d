"""Search behaviour: run a parsed query over a region's view of the TenancyModel (results cached per model version).

A query that selects by resource type alone (``query A resources``, ``resourceType = 'A' || resourceType = 'B'``,
``resourceType != 'A' && resourceType != 'B'``: the type shards oci-inv sends) is answered from a per-region index
of positions by type instead of a scan that evaluates every condition on every resource of the region: a shard of a
250,000-resource region cost the emulator about a second of CPU on the machine it shares with the client under
test, which OCI's own (indexed) Search never charges to a client. The result is the same list in the same order
(tests compare the two).

Each summary is serialized once per model version (:meth:`SearchBackend.serialized`, ``orjson.Fragment``): the
same summaries go out on every request of every query (the whole tenancy, then its type shards), and serializing
them again was about half of the emulator's CPU in a 1M run, on the cores the client under test shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.model import catalog
from oci_emulator.model.tenancy import Record, TenancyModel
from oci_emulator.services.search.query import AllOf, AnyOf, Condition, Expr, Query


def resource_type(spec: catalog.TypeSpec) -> Record:
    fields = [
        {"fieldType": ftype, "fieldName": fname, "isArray": False, "objectProperties": None}
        for fname, ftype in catalog.COMMON_FIELDS
    ]
    return {"name": spec.name, "fields": fields}


class SearchBackend:
    def __init__(self, model: Callable[[], TenancyModel]) -> None:
        self._model = model

    def search(self, region: str, query: Query) -> list[Record]:
        model = self._model()

        def build() -> list[Record]:
            selection = type_selection(query)
            if query.where is None and not query.types:  # query all resources: the region's view itself
                found = model.region_resources(region)
            elif selection is None:
                found = [r for r in model.region_resources(region) if query.matches(r)]
            else:
                found = self._by_type(region, selection)
            if query.sort_field is not None:
                key = query.sort_field
                present = [r for r in found if r.get(key) is not None]
                missing = [r for r in found if r.get(key) is None]
                present.sort(key=lambda r: _sort_key(r[key]), reverse=query.descending)
                found = present + missing
            return found

        result: list[Record] = model.cached_view(("search", region, query), build)
        return result

    def serialized(self, region: str, records: Sequence[Record]) -> list[orjson.Fragment]:
        """``records`` (a page of :meth:`search`) as JSON fragments, each made once per model version: records are
        replaced, never edited (``model/mutate.py``), and every change bumps the version, which drops the cache.
        A compact copy: ``orjson.dumps`` allocates several times what it returns."""
        cache: dict[int, orjson.Fragment] = self._model().cached_view(("json", region), dict)
        out: list[orjson.Fragment] = []
        for record in records:
            fragment = cache.get(id(record))
            if fragment is None:
                fragment = cache[id(record)] = orjson.Fragment(bytes(memoryview(orjson.dumps(record))))
            out.append(fragment)
        return out

    def _by_type(self, region: str, selected: Callable[[str | None], bool]) -> list[Record]:
        """The region's resources whose type is ``selected``, in the region's default order."""
        model = self._model()
        resources = model.region_resources(region)

        def build() -> dict[str | None, list[int]]:
            index: dict[str | None, list[int]] = {}
            for position, record in enumerate(resources):
                rtype = record.get("resourceType")
                index.setdefault(rtype if isinstance(rtype, str) else None, []).append(position)
            return index

        index: dict[str | None, list[int]] = model.cached_view(("types", region), build)
        lists = [positions for key, positions in index.items() if selected(key)]
        return [resources[i] for i in sorted(i for positions in lists for i in positions)]

    def tenancy_id(self) -> str:
        return self._model().tenancy_id

    @staticmethod
    def resource_types() -> list[Record]:
        return [resource_type(t) for t in catalog.TYPES]

    @staticmethod
    def get_resource_type(name: str) -> Record:
        spec = catalog.lookup(name)
        if spec is None:
            raise NotAuthorizedOrNotFound(f"Resource type {name} not found")
        return resource_type(spec)


def type_selection(query: Query) -> Callable[[str | None], bool] | None:
    """When ``query`` selects by resource type alone, which types it keeps (``None``: a type that is not text), as
    ``Query.matches`` decides: ``query A, B resources``; ``resourceType = 'a' || ...`` (case-insensitive);
    ``resourceType != 'a' && ...`` (every other type, one that is not text included). None for any other query."""
    where = query.where
    if where is None:
        kept = frozenset(query.types)
        return (lambda rtype: rtype in kept) if kept else None
    if query.types:
        return None
    parts: tuple[Expr, ...]
    if isinstance(where, Condition):
        parts, keep = (where,), not where.negate
    elif isinstance(where, AnyOf | AllOf):
        parts, keep = where.parts, isinstance(where, AnyOf)
    else:
        return None
    if not all(isinstance(p, Condition) and p.field == "resourceType" and p.negate != keep for p in parts):
        return None
    values = frozenset(p.value for p in parts if isinstance(p, Condition))
    return lambda rtype: (rtype is not None and rtype.casefold() in values) == keep


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value
