"""The compartment tree from one ``list_compartments(tenancy, compartment_id_in_subtree=True, access_level=ANY)``
call paged to the end, with full paths and subtree scoping."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oci_inventory.oci.clients import ClientFactory
from oci_inventory.util.errors import ConfigError
from oci_inventory.util.pagination import list_all


@dataclass(frozen=True)
class CompartmentInfo:
    id: str
    name: str
    parent_id: str
    lifecycle_state: str
    path: str


def fetch_compartments(factory: ClientFactory, tenancy_id: str) -> list[CompartmentInfo]:
    """Every compartment of the tenancy (all lifecycle states), with ``/``-separated paths from the root."""
    identity = factory.identity()
    items = list_all(
        identity.list_compartments,
        tenancy_id,
        compartment_id_in_subtree=True,
        access_level="ANY",
        limit=1000,
    )
    raw = {c.id: (c.name, c.compartment_id, str(c.lifecycle_state)) for c in items}
    paths: dict[str, str] = {tenancy_id: ""}

    def path_of(cid: str, depth: int = 0) -> str:
        if cid in paths:
            return paths[cid]
        if cid not in raw or depth > 100:  # parent outside what we can see, or a cycle in bad data
            return "?"
        name, parent, _ = raw[cid]
        paths[cid] = f"{path_of(parent, depth + 1)}/{name}"
        return paths[cid]

    result = [CompartmentInfo(cid, name, parent, state, path_of(cid)) for cid, (name, parent, state) in raw.items()]
    return sorted(result, key=lambda c: (c.path, c.id))


def subtree_ids(
    compartments: Sequence[CompartmentInfo], tenancy_id: str, roots: Iterable[str], *, include_subtree: bool = True
) -> set[str]:
    """The compartment OCIDs in scope: each root, plus its descendants unless ``include_subtree`` is False."""
    known = {c.id for c in compartments} | {tenancy_id}
    roots = list(roots)
    unknown = [r for r in roots if r not in known]
    if unknown:
        raise ConfigError(
            f"compartment {', '.join(unknown)} not found in tenancy {tenancy_id}",
            hint="run 'oci-inv list-compartments' to see the OCIDs",
        )
    scope = set(roots)
    if not include_subtree:
        return scope
    children: dict[str, list[str]] = {}
    for c in compartments:
        children.setdefault(c.parent_id, []).append(c.id)
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in scope:
                scope.add(child)
                stack.append(child)
    return scope
