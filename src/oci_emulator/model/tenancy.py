"""TenancyModel: the emulated tenancy as plain, JSON-serialisable data plus cached read views.

Every record is stored in its OCI wire shape (camelCase dicts), so serving is a lookup plus ``orjson.dumps``.
``resources`` holds Search ``ResourceSummary`` dicts for everything (regional resources, compartments and IAM
resources); the region of a resource is read from its OCID's region segment (empty for global resources).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import orjson

from oci_emulator.model.regions import REGIONS

Record = dict[str, Any]

_KEY_TO_REGION = {key.lower(): name for name, key in REGIONS.items()}
IAM_KINDS = ("users", "groups", "policies", "dynamicGroups", "tagNamespaces")


def region_of(ocid: str) -> str | None:
    """The region name encoded in an OCID, or None for a global OCID (``ocid1.user.oc1..xyz``)."""
    parts = ocid.split(".", 4)
    if len(parts) < 5 or not parts[3]:
        return None
    return _KEY_TO_REGION.get(parts[3], parts[3])


def _default_order(records: list[Record]) -> list[Record]:
    """Newest timeCreated first (absent last), ties broken by identifier ascending. A timeCreated that is not text
    (planted by a test: OCI data is untrusted) sorts by its text form."""
    by_id = sorted(records, key=lambda r: r["identifier"])
    return sorted(by_id, key=lambda r: str(r.get("timeCreated") or ""), reverse=True)


@dataclass
class TenancyModel:
    seed: int
    size: int
    regions: tuple[str, ...]
    home_region: str
    tenancy: Record
    api_user_id: str
    instance_id: str
    compartments: list[Record]  # wire Compartment, root excluded
    iam: dict[str, dict[str, Record]]  # kind (users, groups, ...) -> OCID -> wire record
    resources: list[Record]  # wire ResourceSummary
    version: int = 0
    #: One in this many regional resources is "stale": Search still returns it, its ``get`` answers 404 (Search is
    #: eventually consistent). 0: none. See ``model/refs.py``.
    stale_one_in: int = 97
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _views: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    #: References chosen by ``model/refs.py``, kept across mutations: an answer never changes its mind about which
    #: subnet a VNIC is in because unrelated resources were added or removed.
    picks: dict[Any, list[str]] = field(default_factory=dict, repr=False, compare=False)
    #: Resources a mutation removed, by OCID: no longer served, but what other answers derived from them (a
    #: database's subnet CIDR, a secret's vault) stays the same.
    graveyard: dict[str, Record] = field(default_factory=dict, repr=False, compare=False)

    @property
    def tenancy_id(self) -> str:
        return str(self.tenancy["id"])

    # ----------------------------------------------------------------------------- read views (cached)
    def _cached(self, key: Any, build: Any) -> Any:
        full_key = (self.version, key)
        view = self._views.get(full_key)
        if view is None:
            view = build()
            with self._lock:
                if len(self._views) > 256:
                    self._views.clear()
                self._views[full_key] = view
        return view

    def region_resources(self, region: str) -> list[Record]:
        """Search results of a region in default order: its regional resources plus every global one."""

        def build() -> list[Record]:
            picked = [r for r in self.resources if region_of(r["identifier"]) in (region, None)]
            return _default_order(picked)

        result: list[Record] = self._cached(("region", region), build)
        return result

    def cached_view(self, key: Any, build: Any) -> Any:
        """A caller-defined view cached until the next mutation (e.g. one Search query's result)."""
        return self._cached(("custom", key), build)

    def compartment_index(self) -> dict[str, Record]:
        def build() -> dict[str, Record]:
            return {c["id"]: c for c in self.compartments}

        result: dict[str, Record] = self._cached("compartments", build)
        return result

    def root_compartment(self) -> Record:
        t = self.tenancy
        return {
            "id": t["id"],
            "compartmentId": t["id"],
            "name": t["name"],
            "description": t["description"],
            "timeCreated": "2021-01-01T00:00:00.000Z",
            "lifecycleState": "ACTIVE",
            "isAccessible": True,
            "freeformTags": t["freeformTags"],
            "definedTags": t["definedTags"],
        }

    def touch(self) -> None:
        """Invalidate cached views after a change."""
        with self._lock:
            self.version += 1
            self._views.clear()

    # ----------------------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "oci-emulator-tenancy/1",
            "seed": self.seed,
            "size": self.size,
            "regions": list(self.regions),
            "homeRegion": self.home_region,
            "tenancy": self.tenancy,
            "apiUserId": self.api_user_id,
            "instanceId": self.instance_id,
            "compartments": self.compartments,
            "iam": self.iam,
            "resources": self.resources,
            "staleOneIn": self.stale_one_in,
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TenancyModel:
        if data.get("format") != "oci-emulator-tenancy/1":
            raise ValueError("not an oci-emulator tenancy state file")
        return cls(
            seed=int(data["seed"]),
            size=int(data["size"]),
            regions=tuple(data["regions"]),
            home_region=str(data["homeRegion"]),
            tenancy=data["tenancy"],
            api_user_id=str(data["apiUserId"]),
            instance_id=str(data["instanceId"]),
            compartments=list(data["compartments"]),
            iam={kind: dict(data["iam"].get(kind, {})) for kind in IAM_KINDS},
            resources=list(data["resources"]),
            stale_one_in=int(data.get("staleOneIn", 97)),
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> TenancyModel:
        return cls.from_dict(orjson.loads(raw))
