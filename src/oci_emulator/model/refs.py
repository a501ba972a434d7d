"""Deterministic references between resources, so every edge a ``get`` answer names resolves to a real resource.

A body builder asks for "a Subnet for this Vnic": :meth:`Refs.pick` chooses one among the live resources of that
type in the same region (the same compartment when there is one), by a stable hash of the asking OCID and a salt.
The same model always gives the same answers; nothing is stored. Terminated resources are never picked, because the
inventory drops them and an edge to them would not resolve.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

from oci_emulator.model import catalog
from oci_emulator.model.generate import CONTAINERS
from oci_emulator.model.tenancy import Record, TenancyModel, region_of

DEAD = frozenset({"TERMINATED", "DELETED", "DETACHED"})


def stable(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(parts).encode()).digest()[:8], "big")


#: OCID type segments of containers (a log group, a vault, ...): never stale, or every resource in them would go too.
_CONTAINER_OCID_TYPES = frozenset(
    spec.ocid_type for spec in map(catalog.lookup, CONTAINERS.values()) if spec is not None
)


def is_stale(model: TenancyModel, ocid: str) -> bool:
    """Search still returns this regional resource but its ``get`` answers 404 (``model.stale_one_in``, by hash)."""
    one_in = model.stale_one_in
    if one_in <= 0 or region_of(ocid) is None or ocid.split(".")[1] in _CONTAINER_OCID_TYPES:
        return False
    return stable("stale", ocid) % one_in == 0


def live(record: Record) -> bool:
    return str(record.get("lifecycleState") or "").upper() not in DEAD


class Refs:
    """Read access to the model for body builders: lookups by OCID and deterministic picks."""

    def __init__(self, model: TenancyModel) -> None:
        self.model = model

    def by_ocid(self) -> dict[str, Record]:
        def build() -> dict[str, Record]:
            return {r["identifier"]: r for r in self.model.resources}

        index: dict[str, Record] = self.model.cached_view("refs:by-ocid", build)
        return index

    def get(self, ocid: str) -> Record | None:
        return self.by_ocid().get(ocid)

    def get_any(self, ocid: str) -> Record | None:
        """Like :meth:`get`, but also finds a resource a mutation removed: for deriving other answers from it."""
        return self.by_ocid().get(ocid) or self.model.graveyard.get(ocid)

    def of_type(self, region: str | None, resource_type: str) -> list[Record]:
        """Live resources of a type in a region (global types: region None), in OCID order."""
        key = resource_type.lower()

        def build() -> list[Record]:
            found = [
                r
                for r in self.model.resources
                if str(r.get("resourceType", "")).lower() == key and region_of(r["identifier"]) == region and live(r)
            ]
            return sorted(found, key=lambda r: r["identifier"])

        result: list[Record] = self.model.cached_view(("refs:type", region, key), build)
        return result

    def pick(
        self,
        asking: Record,
        resource_type: str,
        salt: str = "",
        where: Callable[[Record], bool] | None = None,
    ) -> str | None:
        """The OCID of one live resource of ``resource_type`` for ``asking`` (None when the region has none).

        Prefers the asking resource's compartment; ``where`` narrows the candidates (e.g. route tables of a VCN)."""
        picked = self.pick_many(asking, resource_type, 1, salt, where)
        return picked[0] if picked else None

    def pick_many(
        self,
        asking: Record,
        resource_type: str,
        count: int,
        salt: str = "",
        where: Callable[[Record], bool] | None = None,
    ) -> list[str]:
        """Up to ``count`` distinct OCIDs, chosen as :meth:`pick` chooses one.

        The first answer is remembered for the model's lifetime (mutations included), keyed by the asking OCID,
        type, count and ``salt``: callers that pass ``where`` must give each filter its own salt."""
        key = (asking["identifier"], resource_type.lower(), count, salt)
        known = self.model.picks.get(key)
        if known is not None:
            return list(known)
        pool: Sequence[Record] = self.of_type(region_of(asking["identifier"]), resource_type)
        if where is not None:
            pool = [r for r in pool if where(r)]
        same = [r for r in pool if r.get("compartmentId") == asking.get("compartmentId")]
        candidates = same or pool
        chosen: list[str] = []
        if candidates:
            start = stable(asking["identifier"], resource_type, salt) % len(candidates)
            chosen = [
                candidates[(start + i) % len(candidates)]["identifier"] for i in range(min(count, len(candidates)))
            ]
        self.model.picks.setdefault(key, chosen)
        return list(self.model.picks[key])

    def rng(self, asking: Record, salt: str = "") -> random.Random:
        """A random generator seeded by the asking resource: the same body every time."""
        return random.Random(stable(asking["identifier"], salt))
