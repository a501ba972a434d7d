"""Where to look for the container (a vault, a log group) of a resource whose OCID and Search summary do not name it.

A Key's ``get`` needs its vault's management endpoint, a Log's ``get`` needs its log group, and neither the OCID nor
the default Search summary says which. Enrichers list the containers of one compartment at a time (once per run and
compartment, through ``RunContext.once``) in :func:`search_order`: the resource's own compartment first, where the
container nearly always is, then its ancestors (a shared "security" compartment above), then every other live
compartment of the tree. The walk is lazy: it stops at the first container that lists the resource.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

from oci_inventory.oci.compartments import CompartmentTree

T = TypeVar("T")

GONE = frozenset({"DELETING", "DELETED"})
REFUSED = frozenset({401, 403, 404})


def refused(exc: BaseException) -> bool:
    """OCI refused a listing (401, 403, 404): a compartment other than the resource's own is then passed over."""
    status = getattr(exc, "status", None)
    return isinstance(status, int) and status in REFUSED


def listing_or_empty(
    once: Callable[[Hashable, Callable[[], list[T]]], list[T]], key: Hashable, load: Callable[[], list[T]], *, own: bool
) -> list[T]:
    """A container listing made once per run (``RunContext.once``); a compartment other than the resource's ``own``
    that refuses it counts as holding nothing, any other failure propagates."""
    try:
        return once(key, load)
    except Exception as exc:
        if own or not refused(exc):
            raise
        return []


def search_order(tree: CompartmentTree | None, compartment_id: str, tenancy_id: str) -> Iterator[str]:
    """``compartment_id``, its ancestors up to the tenancy, then every other live compartment of the tree (in the
    tree's order), each once. Without a tree: the compartment, then the tenancy."""
    seen: set[str] = set()
    parents = {c.id: c.parent_id for c in tree.compartments} if tree is not None else {}
    current: str | None = compartment_id
    while current and current not in seen:
        seen.add(current)
        yield current
        current = parents.get(current) or (tenancy_id if current != tenancy_id else None)
    for info in tree.compartments if tree is not None else ():
        if info.id not in seen and info.lifecycle_state not in GONE:
            seen.add(info.id)
            yield info.id
