"""Search behaviour: run a parsed query over a region's view of the TenancyModel (results cached per model version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oci_emulator.core.errors import NotAuthorizedOrNotFound
from oci_emulator.model import catalog
from oci_emulator.model.tenancy import Record, TenancyModel
from oci_emulator.services.search.query import Query


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
            found = [r for r in model.region_resources(region) if query.matches(r)]
            if query.sort_field is not None:
                key = query.sort_field
                present = [r for r in found if r.get(key) is not None]
                missing = [r for r in found if r.get(key) is None]
                present.sort(key=lambda r: _sort_key(r[key]), reverse=query.descending)
                found = present + missing
            return found

        result: list[Record] = model.cached_view(("search", region, query), build)
        return result

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


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value
