"""Identity behaviour over the TenancyModel."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from oci_emulator.core.errors import InvalidParameter, NotAuthorizedOrNotFound
from oci_emulator.model.regions import REGIONS, availability_domains
from oci_emulator.model.tenancy import Record, TenancyModel

COMPARTMENT_STATES = ("CREATING", "ACTIVE", "INACTIVE", "DELETING", "DELETED")


class IdentityBackend:
    def __init__(self, model: Callable[[], TenancyModel]) -> None:
        self._model = model

    @property
    def model(self) -> TenancyModel:
        return self._model()

    def _not_found(self, what: str, oid: str) -> NotAuthorizedOrNotFound:
        return NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found ({what} {oid})")

    def get_tenancy(self, tenancy_id: str) -> Record:
        if tenancy_id != self.model.tenancy_id:
            raise self._not_found("tenancy", tenancy_id)
        return self.model.tenancy

    def region_subscriptions(self, tenancy_id: str) -> list[Record]:
        model = self.model
        self.get_tenancy(tenancy_id)
        return [
            {"regionKey": REGIONS[r], "regionName": r, "status": "READY", "isHomeRegion": r == model.home_region}
            for r in model.regions
        ]

    @staticmethod
    def regions() -> list[Record]:
        return [{"key": key, "name": name} for name, key in REGIONS.items()]

    def _known_compartment(self, compartment_id: str) -> None:
        if compartment_id != self.model.tenancy_id and compartment_id not in self.model.compartment_index():
            raise self._not_found("compartment", compartment_id)

    def availability_domains(self, compartment_id: str, region: str) -> list[Record]:
        self._known_compartment(compartment_id)
        tenancy = self.model.tenancy_id
        out = []
        for name in availability_domains(region):
            digest = hashlib.sha256(f"{tenancy}|{name}".encode()).hexdigest()[:52]
            out.append(
                {"name": name, "id": f"ocid1.availabilitydomain.oc1..aaaaaaaa{digest}", "compartmentId": tenancy}
            )
        return out

    def list_compartments(
        self,
        compartment_id: str,
        in_subtree: bool,
        access_level: str,
        lifecycle_state: str | None,
        name: str | None,
    ) -> list[Record]:
        model = self.model
        self._known_compartment(compartment_id)
        if access_level not in ("ANY", "ACCESSIBLE"):
            raise InvalidParameter(f"accessLevel must be ANY or ACCESSIBLE, got {access_level!r}")
        if lifecycle_state is not None and lifecycle_state not in COMPARTMENT_STATES:
            raise InvalidParameter(f"Invalid lifecycleState {lifecycle_state!r}")
        if in_subtree and compartment_id != model.tenancy_id:
            raise InvalidParameter("compartmentIdInSubtree can only be true when compartmentId is the tenancy")
        if in_subtree:
            found = model.compartments
        else:
            found = [c for c in model.compartments if c["compartmentId"] == compartment_id]
        return [
            c
            for c in found
            if (lifecycle_state is None or c["lifecycleState"] == lifecycle_state)
            and (name is None or c["name"] == name)
        ]

    def get_compartment(self, compartment_id: str) -> Record:
        model = self.model
        if compartment_id == model.tenancy_id:
            return model.root_compartment()
        found = model.compartment_index().get(compartment_id)
        if found is None:
            raise self._not_found("compartment", compartment_id)
        return found

    def get_iam(self, kind: str, oid: str) -> Record:
        found = self.model.iam[kind].get(oid)
        if found is None:
            raise self._not_found(kind, oid)
        return found

    def list_iam(self, kind: str, compartment_id: str, lifecycle_state: str | None, name: str | None) -> list[Record]:
        self._known_compartment(compartment_id)
        return [
            r
            for r in self.model.iam[kind].values()
            if r["compartmentId"] == compartment_id
            and (lifecycle_state is None or r.get("lifecycleState") == lifecycle_state)
            and (name is None or r["name"] == name)
        ]
