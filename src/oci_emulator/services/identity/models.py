"""Identity behaviour over the TenancyModel."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable

from oci_emulator.core.errors import InvalidParameter, MissingParameter, NotAuthorizedOrNotFound
from oci_emulator.model.refs import stable
from oci_emulator.model.regions import REGIONS, availability_domains
from oci_emulator.model.tenancy import Record, TenancyModel

COMPARTMENT_STATES = ("CREATING", "ACTIVE", "INACTIVE", "DELETING", "DELETED")
TAG_NAMESPACE_STATES = ("ACTIVE", "INACTIVE", "DELETING", "DELETED")
SORT_KEYS = {"TIMECREATED": "timeCreated", "NAME": "name"}
MAX_GROUPS_PER_USER = 3


def _check_state(kind: str, state: str | None) -> None:
    allowed = TAG_NAMESPACE_STATES if kind == "tagNamespaces" else COMPARTMENT_STATES
    if state is not None and state not in allowed:
        raise InvalidParameter(f"Invalid lifecycleState {state!r}")


def sort_records(records: list[Record], sort_by: str | None, sort_order: str | None) -> list[Record]:
    """``sortBy`` TIMECREATED (default order DESC) or NAME (ASC, case-sensitive), as the IAM list operations do."""
    if sort_by is None and sort_order is None:
        return records
    if sort_by is not None and sort_by not in SORT_KEYS:
        raise InvalidParameter(f"sortBy must be TIMECREATED or NAME, got {sort_by!r}")
    if sort_order is not None and sort_order not in ("ASC", "DESC"):
        raise InvalidParameter(f"sortOrder must be ASC or DESC, got {sort_order!r}")
    key = SORT_KEYS[sort_by or "TIMECREATED"]
    descending = sort_order == "DESC" if sort_order else key == "timeCreated"
    return sorted(records, key=lambda r: (str(r.get(key) or ""), r["id"]), reverse=descending)


def membership(tenancy_id: str, user: Record, group: Record) -> Record:
    """The wire UserGroupMembership of ``user`` in ``group`` (its OCID derived from both)."""
    digest = hashlib.sha256(f"{user['id']}|{group['id']}".encode()).digest()
    return {
        "id": "ocid1.groupmembership.oc1..aaaaaaaa" + base64.b32encode(digest).decode("ascii")[:52].lower(),
        "compartmentId": tenancy_id,
        "groupId": group["id"],
        "userId": user["id"],
        "timeCreated": max(str(user["timeCreated"]), str(group["timeCreated"])),
        "lifecycleState": "ACTIVE",
        "inactiveStatus": None,
    }


def memberships(model: TenancyModel) -> list[Record]:
    """Every ACTIVE user is in 0..3 ACTIVE groups, chosen by a hash of the user: the same on every call."""
    groups = sorted((g for g in model.iam["groups"].values() if g["lifecycleState"] == "ACTIVE"), key=lambda g: g["id"])
    out: list[Record] = []
    for user in model.iam["users"].values():
        if user["lifecycleState"] != "ACTIVE":
            continue
        rng = random.Random(stable("memberships", user["id"]))
        count = rng.randint(0, min(MAX_GROUPS_PER_USER, len(groups)))
        out.extend(membership(model.tenancy_id, user, group) for group in rng.sample(groups, count))
    return sorted(out, key=lambda m: m["id"])


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

    def _subtree(self, compartment_id: str) -> set[str]:
        children: dict[str, list[str]] = {}
        for c in self.model.compartments:
            children.setdefault(c["compartmentId"], []).append(c["id"])
        found, stack = {compartment_id}, [compartment_id]
        while stack:
            for child in children.get(stack.pop(), []):
                found.add(child)
                stack.append(child)
        return found

    def list_iam(self, kind: str, compartment_id: str, filters: dict[str, str]) -> list[Record]:
        """One IAM list: ``filters`` are the query parameters (``lifecycleState``, ``name``, ``sortBy``,
        ``sortOrder``; users also ``identityProviderId``/``externalIdentifier``; tag namespaces
        ``includeSubcompartments``)."""
        self._known_compartment(compartment_id)
        state = filters.get("lifecycleState")
        _check_state(kind, state)
        subtree = kind == "tagNamespaces" and filters.get("includeSubcompartments", "").lower() == "true"
        scope = self._subtree(compartment_id) if subtree else {compartment_id}
        matches = {k: filters[k] for k in ("name", "identityProviderId", "externalIdentifier") if k in filters}
        found = [
            r
            for r in self.model.iam[kind].values()
            if r["compartmentId"] in scope
            and (state is None or r.get("lifecycleState") == state)
            and all(r.get(field) == value for field, value in matches.items())
        ]
        return sort_records(found, filters.get("sortBy"), filters.get("sortOrder"))

    def list_memberships(self, compartment_id: str, user_id: str | None, group_id: str | None) -> list[Record]:
        """ListUserGroupMemberships: the tenancy only, filtered by ``userId`` and/or ``groupId`` (one is required,
        as the API reference says)."""
        model = self.model
        if compartment_id != model.tenancy_id:
            self._known_compartment(compartment_id)
            raise InvalidParameter("compartmentId must be the tenancy OCID")
        if not user_id and not group_id:
            raise MissingParameter("userId or groupId must be specified")
        everything: list[Record] = model.cached_view("identity:memberships", lambda: memberships(model))
        return [
            m
            for m in everything
            if (not user_id or m["userId"] == user_id) and (not group_id or m["groupId"] == group_id)
        ]
