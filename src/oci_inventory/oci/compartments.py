"""The compartment tree from one ``list_compartments(tenancy, compartment_id_in_subtree=True, access_level=ANY)``
call paged to the end: paths, ``--compartment`` resolution (OCID, path or name) and subtree scoping.

The listing is read as raw wire JSON and each compartment's wire object is kept (:meth:`CompartmentTree.wire_of`):
the Compartment enricher takes its details from there, with no API call per compartment. It is kept as its
compact JSON (orjson bytes), decoded when asked for: a tenancy of 25,000 compartments held 34 MB of decoded
dicts for the whole run, in every process given the tree, against about 11 MB of bytes.

A path is the ``/``-joined names from the root: ``/prod/network`` for a compartment, ``/`` for the tenancy (the
root) itself. DELETED compartments are part of the tree, so their descendants keep their paths. A compartment
whose ancestors are not all visible (or whose parents form a cycle, in bad data) has no path (``None``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from oci_inventory.oci.clients import ClientFactory
from oci_inventory.util.errors import ConfigError
from oci_inventory.util.memory import compact
from oci_inventory.util.pagination import list_all
from oci_inventory.util.text import visible

log = logging.getLogger(__name__)

ROOT_PATH = "/"
DELETED = "DELETED"
_LIST_HINT = "run 'oci-inv list-compartments --include-deleted' to see names, paths and OCIDs"


@dataclass(frozen=True)
class CompartmentInfo:
    id: str
    name: str
    parent_id: str
    lifecycle_state: str
    path: str | None

    def as_json(self) -> dict[str, Any]:
        """One line of ``compartments.jsonl`` (camelCase, like the record fields)."""
        return {
            "id": self.id,
            "name": self.name,
            "parentId": self.parent_id,
            "path": self.path,
            "lifecycleState": self.lifecycle_state,
        }


@dataclass(frozen=True)
class CompartmentTree:
    """The tenancy's compartments (root excluded), sorted by path then OCID; paths with no path last."""

    tenancy_id: str
    compartments: tuple[CompartmentInfo, ...]
    #: compartment OCID -> the compartment exactly as listed (camelCase wire JSON, as compact orjson bytes); empty
    #: when built from tuples or sent to a process that does not enrich
    wire: Mapping[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    _paths: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._paths[self.tenancy_id] = ROOT_PATH
        self._paths.update({c.id: c.path for c in self.compartments if c.path is not None})

    def path_of(self, compartment_id: str | None) -> str | None:
        """The path of a compartment (``/`` for the tenancy), or ``None`` when it is not in the tree."""
        return self._paths.get(compartment_id or "")

    def wire_of(self, compartment_id: str) -> dict[str, Any] | None:
        """The compartment as ``list_compartments`` returned it (wire JSON, a new dict each time), or ``None`` when
        it was not listed."""
        raw = self.wire.get(compartment_id)
        return orjson.loads(raw) if raw is not None else None


def tree_as_json(tree: CompartmentTree, *, wire: bool = True) -> dict[str, Any]:
    """The tree as JSON for ``orjson.dumps`` (the wire objects are inserted as they are kept, ``orjson.Fragment``),
    to be rebuilt in another process by :func:`tree_from_json`. ``wire=False``: without the wire objects, for a
    process that only needs paths (an intake process)."""
    items = [(c.id, c.name, c.parent_id, c.lifecycle_state) for c in tree.compartments]
    objects = {cid: orjson.Fragment(raw) for cid, raw in tree.wire.items()} if wire else {}
    return {"tenancy_id": tree.tenancy_id, "items": items, "wire": objects}


def tree_from_json(data: Mapping[str, Any]) -> CompartmentTree:
    """The tree :func:`tree_as_json` wrote (paths computed again, the same way)."""
    items = [(str(c[0]), str(c[1]), str(c[2]), str(c[3])) for c in data["items"]]
    return build_tree(
        str(data["tenancy_id"]), items, {cid: compact(orjson.dumps(c)) for cid, c in data["wire"].items()}
    )


def _child_path(parent_path: str, name: str) -> str:
    return f"{parent_path.rstrip('/')}/{name}"


def build_tree(
    tenancy_id: str,
    items: Iterable[tuple[str, str, str, str]],
    wire: Mapping[str, bytes] | None = None,
) -> CompartmentTree:
    """The tree from ``(id, name, parent id, lifecycle state)`` tuples (and the wire objects by OCID as JSON bytes,
    when listed); the root is ``tenancy_id``."""
    raw = {cid: (name, parent, state) for cid, name, parent, state in items if cid != tenancy_id}
    paths: dict[str, str | None] = {tenancy_id: ROOT_PATH}

    def path_of(cid: str) -> str | None:
        chain: list[str] = []
        while cid not in paths:
            if cid not in raw or cid in chain:  # parent outside what we can see, or a cycle in bad data
                for seen in chain:
                    paths[seen] = None
                return None
            chain.append(cid)
            cid = raw[cid][1]
        for seen in reversed(chain):
            parent = paths[raw[seen][1]]
            paths[seen] = None if parent is None else _child_path(parent, raw[seen][0])
        return paths[chain[0]] if chain else paths[cid]

    infos = [CompartmentInfo(cid, name, parent, state, path_of(cid)) for cid, (name, parent, state) in raw.items()]
    infos.sort(key=lambda c: (c.path is None, c.path or "", c.id))
    return CompartmentTree(tenancy_id, tuple(infos), dict(wire or {}))


def _fields(c: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """``(id, name, parent id, lifecycle state)`` of one wire compartment (the state as sent, even if unknown)."""
    return str(c["id"]), str(c.get("name") or ""), str(c.get("compartmentId") or ""), str(c.get("lifecycleState") or "")


def fetch_compartments(factory: ClientFactory, tenancy_id: str) -> CompartmentTree:
    """Every compartment of the tenancy (all lifecycle states), with paths and wire objects: one paged call."""
    identity = factory.identity(raw=True)
    items = list_all(
        identity.list_compartments,
        tenancy_id,
        compartment_id_in_subtree=True,
        access_level="ANY",
        limit=1000,
    )
    listed = [c for c in items if isinstance(c, dict) and isinstance(c.get("id"), str)]
    return build_tree(tenancy_id, map(_fields, listed), {c["id"]: compact(orjson.dumps(c)) for c in listed})


def fetch_tree_for_run(factory: ClientFactory, tenancy_id: str, *, required: bool) -> CompartmentTree | None:
    """The tree for a run, or ``None`` when OCI refuses to list compartments (403, or 404
    ``NotAuthorizedOrNotFound``: no ``inspect compartments`` in the tenancy) and the run can do without it (no
    ``--compartment``). A warning says what is missing; every other error propagates."""
    import oci

    try:
        return fetch_compartments(factory, tenancy_id)
    except oci.exceptions.ServiceError as exc:
        if required or exc.status not in (403, 404):
            raise
        log.warning(
            "cannot list the compartments (%s %s): compartmentPath is null except '/' for the tenancy root and "
            "compartments.jsonl is not written; grant 'inspect compartments in tenancy' to get paths",
            exc.status,
            exc.code,
        )
        return None


def _describe(c: CompartmentInfo) -> str:
    return f"{visible(c.path or c.name)} ({c.id})"


def _pick(spec: str, kind: str, matches: list[CompartmentInfo]) -> str:
    live = [c for c in matches if c.lifecycle_state != DELETED]
    if len(live) == 1:
        return live[0].id
    if len(live) > 1:
        candidates = ", ".join(_describe(c) for c in live)
        raise ConfigError(
            f"compartment {kind} '{visible(spec)}' is ambiguous: {candidates}", hint="pass a path or an OCID"
        )
    if matches:
        raise ConfigError(
            f"compartment {_describe(matches[0])} is DELETED; nothing can be inventoried in it",
            hint="choose a compartment that is not deleted",
        )
    raise ConfigError(f"compartment {kind} '{visible(spec)}' not found", hint=_LIST_HINT)


def resolve_one(tree: CompartmentTree, spec: str) -> str:
    """The OCID ``spec`` names: an OCID (``ocid1.``), a path (``/prod/network``; ``/`` is the tenancy) or a
    compartment name (exact, case-sensitive). A name or path that also matches DELETED compartments means the
    one that is not deleted. Raises :class:`ConfigError` (exit 2) when ``spec`` is unknown, ambiguous or DELETED.
    """
    if spec.startswith("ocid1."):
        if spec == tree.tenancy_id:
            return spec
        matches = [c for c in tree.compartments if c.id == spec]
        return _pick(spec, "OCID", matches)
    if spec.startswith("/"):
        path = spec.rstrip("/") or ROOT_PATH
        if path == ROOT_PATH:
            return tree.tenancy_id
        return _pick(spec, "path", [c for c in tree.compartments if c.path == path])
    return _pick(spec, "name", [c for c in tree.compartments if c.name == spec])


def resolve_compartments(tree: CompartmentTree, specs: Sequence[str]) -> list[str]:
    """The OCIDs of ``specs`` (see :func:`resolve_one`), each once, in the order given."""
    resolved: list[str] = []
    for spec in specs:
        cid = resolve_one(tree, spec.strip())
        if cid not in resolved:
            resolved.append(cid)
    return resolved


def subtree_ids(tree: CompartmentTree, roots: Iterable[str], *, include_subtree: bool = True) -> set[str]:
    """The compartment OCIDs in scope: each root, plus its descendants unless ``include_subtree`` is False."""
    known = {c.id for c in tree.compartments} | {tree.tenancy_id}
    roots = list(roots)
    unknown = [r for r in roots if r not in known]
    if unknown:
        raise ConfigError(
            f"compartment {', '.join(visible(r) for r in unknown)} not found in tenancy {tree.tenancy_id}",
            hint=_LIST_HINT,
        )
    scope = set(roots)
    if not include_subtree:
        return scope
    children: dict[str, list[str]] = {}
    for c in tree.compartments:
        children.setdefault(c.parent_id, []).append(c.id)
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in scope:
                scope.add(child)
                stack.append(child)
    return scope
