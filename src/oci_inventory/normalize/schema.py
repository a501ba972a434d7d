"""The canonical inventory record: field names, CSV columns and the shipped JSON Schema.

Field by field documentation lives in ``docs/schema.md``; the machine-readable contract is
``record.schema.json`` next to this module (JSON Schema draft 2020-12).
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Final

import orjson

from oci_inventory.enrich.base import EnrichStatus

SCHEMA_VERSION: Final = "1.1"

RECORD_FIELDS: Final[tuple[str, ...]] = (
    "ocid",
    "resourceType",
    "displayName",
    "compartmentId",
    "compartmentPath",
    "region",
    "lifecycleState",
    "timeCreated",
    "definedTags",
    "freeformTags",
    "collectedAt",
    "enrichStatus",
    "enrichError",
    "details",
    "relationships",
)

ENRICH_STATUSES: Final[tuple[str, ...]] = tuple(status.value for status in EnrichStatus)

#: Columns of ``inventory.csv``; the tag columns hold compact JSON text with sorted keys.
CSV_FIELDS: Final[tuple[str, ...]] = (
    "ocid",
    "resourceType",
    "displayName",
    "compartmentId",
    "compartmentPath",
    "region",
    "lifecycleState",
    "timeCreated",
    "enrichStatus",
    "enrichError",
    "definedTags",
    "freeformTags",
)

#: One canonical record (see ``RECORD_FIELDS``).
Record = dict[str, Any]

SCHEMA_RESOURCE: Final = "record.schema.json"


def load_json_schema() -> dict[str, Any]:
    """The JSON Schema of a record, read from the file shipped inside the package."""
    data = resources.files("oci_inventory.normalize").joinpath(SCHEMA_RESOURCE).read_bytes()
    schema: dict[str, Any] = orjson.loads(data)
    return schema
