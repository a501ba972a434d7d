"""The content hash of a record, used by ``diff`` to decide "changed" vs "unchanged"."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

#: Fields left out of the hash: they change on every run without the resource changing (``collectedAt``), or
#: are derived from other resources (``compartmentPath``: a compartment rename is a change of that compartment).
HASH_EXCLUDED_FIELDS = frozenset({"collectedAt", "compartmentPath"})


def record_hash(record: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON (orjson, keys sorted at every depth, no whitespace) of the record
    without ``collectedAt``. Key order and ``collectedAt`` never change the hash; any other field does."""
    payload = {k: v for k, v in record.items() if k not in HASH_EXCLUDED_FIELDS}
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()
