"""IAM enrichers: read from listings made once per run, not one ``get`` per resource. IAM reads go to the home region.

* ``User``, ``Group``, ``DynamicResourceGroup``: ``list_users``/``list_groups``/``list_dynamic_groups`` of the
  tenancy, once per run. A user's group memberships come from ``list_user_group_memberships`` once per group: the
  API requires a ``userId`` or a ``groupId``, and a tenancy has far fewer groups than users.
* ``Policy``, ``TagNamespace``: ``list_policies``/``list_tag_namespaces`` of the record's compartment, once per run
  and compartment (only compartments that Search says hold such a resource are listed).
* ``Compartment``: the wire object of the compartment tree the run already listed (no call at all).

Every row is a plain ``get`` too: a resource missing from its listing (created after it, or moved to another
compartment while Search still shows the old one) is fetched with that ``get``, so no record silently loses details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oci_inventory.enrich.base import (
    EnrichContext,
    EnrichResult,
    EnrichStatus,
    GetSpec,
    Relationship,
    SpecEnricher,
    Summary,
    details_of,
    edges_from,
)
from oci_inventory.enrich.registry import REGISTRY
from oci_inventory.enrich.relations import MEMBER_OF
from oci_inventory.util.pagination import list_all

IDENTITY = "oci.identity.IdentityClient"
LIST_LIMIT = 1000  # the most an IAM list returns per page
GONE = frozenset({"DELETING", "DELETED"})

Wire = Mapping[str, Any]
#: Finds a record's wire object where the run already has it (a listing, the tree); None: not there.
Finder = Callable[[Summary, EnrichContext], Wire | None]
#: Extra details and edges for a record, from other listings (a user's group memberships).
Extras = Callable[[Summary, EnrichContext], tuple[dict[str, Any], list[Relationship]]]


def list_wire(ctx: EnrichContext, operation: str, compartment_id: str, **filters: str) -> list[dict[str, Any]]:
    """Every item of one IAM list operation (raw wire JSON), paged to the end, from the home region."""
    client = ctx.client(IDENTITY, ctx.home_region)
    items = list_all(getattr(client, operation), compartment_id, limit=LIST_LIMIT, **filters)
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def listing(ctx: EnrichContext, operation: str, compartment_id: str) -> dict[str, dict[str, Any]]:
    """The items ``operation`` lists in ``compartment_id``, by OCID: listed once per run."""

    def load() -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in list_wire(ctx, operation, compartment_id)}

    return ctx.run.once(("iam-listing", operation, compartment_id), load)


def in_tenancy(operation: str) -> Finder:
    """Find the record in the tenancy-wide listing of ``operation``."""

    def find(summary: Summary, ctx: EnrichContext) -> Wire | None:
        return listing(ctx, operation, ctx.tenancy_id).get(str(summary["identifier"]))

    find.__doc__ = f"From ``{operation}`` of the tenancy, once per run."
    return find


def in_compartment(operation: str) -> Finder:
    """Find the record in the listing of ``operation`` in the compartment Search gives it."""

    def find(summary: Summary, ctx: EnrichContext) -> Wire | None:
        compartment_id = summary.get("compartmentId")
        if not isinstance(compartment_id, str) or not compartment_id:
            return None
        return listing(ctx, operation, compartment_id).get(str(summary["identifier"]))

    find.__doc__ = f"From ``{operation}`` of the record's compartment, once per run and compartment."
    return find


def in_tree(summary: Summary, ctx: EnrichContext) -> Wire | None:
    """From the compartment tree the run listed at its start, no call (None when it was not allowed to list it)."""
    tree = ctx.run.tree
    return tree.wire_of(str(summary["identifier"])) if tree is not None else None


def memberships_by_user(ctx: EnrichContext) -> dict[str, list[dict[str, Any]]]:
    """Every group membership of the tenancy by user OCID (sorted by group, then membership OCID): listed once per
    run, one ``list_user_group_memberships(tenancy, group_id=g)`` per group that is not deleted."""

    def load() -> dict[str, list[dict[str, Any]]]:
        groups = listing(ctx, "list_groups", ctx.tenancy_id)  # the listing the Group records use
        by_user: dict[str, list[dict[str, Any]]] = {}
        for group_id, group in sorted(groups.items()):
            if group.get("lifecycleState") in GONE:
                continue
            for item in list_wire(ctx, "list_user_group_memberships", ctx.tenancy_id, group_id=group_id):
                by_user.setdefault(str(item.get("userId")), []).append(item)
        for items in by_user.values():
            items.sort(key=lambda m: (str(m.get("groupId")), m["id"]))
        return by_user

    return ctx.run.once(("iam-memberships", ctx.tenancy_id), load)


def group_memberships(summary: Summary, ctx: EnrichContext) -> tuple[dict[str, Any], list[Relationship]]:
    """``groupMemberships`` (the membership wire objects of the user) and a MEMBER_OF edge per live membership."""
    found = memberships_by_user(ctx).get(str(summary["identifier"]), [])
    edges = [
        Relationship(MEMBER_OF, m["groupId"], "Group")
        for m in found
        if isinstance(m.get("groupId"), str) and m.get("lifecycleState") not in GONE
    ]
    return {"groupMemberships": found}, edges


class ListedEnricher(SpecEnricher):
    """A :class:`GetSpec` row whose record is first looked for where the run already has it (``find``: a listing
    made once per run, the compartment tree); only a record found nowhere costs the row's ``get``."""

    def __init__(self, spec: GetSpec, find: Finder, extras: Extras | None = None) -> None:
        super().__init__(spec)
        self.find = find
        self.extras = extras

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        resource = self.find(summary, ctx)
        if resource is None:
            result = super().enrich(summary, ctx)
        else:
            result = EnrichResult(EnrichStatus.OK, details_of(summary, resource), edges_from(resource, self.spec.edges))
        if self.extras is not None:
            details, edges = self.extras(summary, ctx)
            result.details.update(details)
            result.relationships.extend(edges)
        return result


def _get(resource_type: str, operation: str) -> GetSpec:
    return GetSpec(resource_type, IDENTITY, operation, home_region=True)


ROWS: tuple[ListedEnricher, ...] = (
    ListedEnricher(_get("Compartment", "get_compartment"), in_tree),
    ListedEnricher(_get("User", "get_user"), in_tenancy("list_users"), extras=group_memberships),
    ListedEnricher(_get("Group", "get_group"), in_tenancy("list_groups")),
    ListedEnricher(_get("DynamicResourceGroup", "get_dynamic_group"), in_tenancy("list_dynamic_groups")),
    ListedEnricher(_get("Policy", "get_policy"), in_compartment("list_policies")),
    ListedEnricher(_get("TagNamespace", "get_tag_namespace"), in_compartment("list_tag_namespaces")),
)

for _row in ROWS:
    REGISTRY.add(_row.spec.resource_type, _row)
