"""Rewriting a Structured Search query into disjoint queries: the compartment scope pushed into ``where``, and
shards by resource type so one region's results come from several page chains at once.

Only the shape ``query <types> resources [where <conditions>]`` is rewritten; anything else (``sorted by``,
``matching``, ``return``) is run as given. Every rewrite is a partition: each resource the original query returns
matches exactly one of the rewritten queries, so their union is the original result and no resource comes twice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

SCOPE_CHUNK = 40  # compartment OCIDs per query: `compartmentId = 'a' || ...` (about 4.5 KB of query text)
MAX_SCOPE_QUERIES = 16  # more chunks than this (a scope of > 640 compartments): filter client-side instead

_SHAPE = re.compile(r"\s*query\s+(?P<types>.+?)\s+resources\b(?P<rest>.*)\Z", re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")
_OTHER_CLAUSES = re.compile(r"\b(sorted|matching|return)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SimpleQuery:
    """``query <types> resources [where <where>]``, kept as text: the service parses it, not us."""

    types: str  # "all" or "Instance, Vnic"
    where: tuple[str, ...] = ()  # conditions ANDed together, each wrapped in parentheses when rendered

    def text(self) -> str:
        base = f"query {self.types} resources"
        if not self.where:
            return base
        if len(self.where) == 1:
            return f"{base} where {self.where[0]}"
        return f"{base} where " + " && ".join(f"({part})" for part in self.where)

    def narrowed(self, condition: str) -> SimpleQuery:
        return SimpleQuery(self.types, (*self.where, condition))


def parse_simple(query: str) -> SimpleQuery | None:
    """The query as a :class:`SimpleQuery`, or None when it has any other clause (it is then run unchanged)."""
    match = _SHAPE.match(query)
    if match is None:
        return None
    rest = match.group("rest").strip()
    if _OTHER_CLAUSES.search(_QUOTED.sub("''", rest)):
        return None
    if not rest:
        return SimpleQuery(" ".join(match.group("types").split()))
    head, _, where = rest.partition(" ")
    if head.lower() != "where" or not where.strip():
        return None
    return SimpleQuery(" ".join(match.group("types").split()), (where.strip(),))


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def scope_queries(base: SimpleQuery, compartments: set[str]) -> list[SimpleQuery] | None:
    """One query per chunk of ``SCOPE_CHUNK`` compartments (sorted), or None when that would be more than
    ``MAX_SCOPE_QUERIES`` queries. A resource has one compartmentId, so it matches at most one chunk."""
    ids = sorted(compartments)
    chunks = [ids[i : i + SCOPE_CHUNK] for i in range(0, len(ids), SCOPE_CHUNK)]
    if not chunks or len(chunks) > MAX_SCOPE_QUERIES:
        return None
    return [base.narrowed(" || ".join(f"compartmentId = {_literal(c)}" for c in chunk)) for chunk in chunks]


def type_shards(base: SimpleQuery, sample: Counter[str], shards: int) -> list[SimpleQuery]:
    """Split ``base`` into at most ``shards`` queries by resource type, balanced by the counts of ``sample``
    (the types of a first page). Shards 2..n name their types; shard 1, the complement, keeps the original type
    list and excludes every named type with ``resourceType != 'T'``, so it also holds every type the sample did
    not show, including types no list names. A resource has one resourceType: exactly one shard matches it."""
    bins: list[tuple[int, list[str]]] = [(0, []) for _ in range(max(1, shards))]
    for rtype, count in sorted(sample.items(), key=lambda kv: (-kv[1], kv[0])):
        i = min(range(len(bins)), key=lambda k: (bins[k][0], k))
        bins[i] = (bins[i][0] + count, [*bins[i][1], rtype])
    named = sorted(rtype for _, types in bins[1:] for rtype in types)
    if not named:
        return [base]
    complement = base.narrowed(" && ".join(f"resourceType != {_literal(t)}" for t in named))
    return [complement, *(SimpleQuery(", ".join(types), base.where) for _, types in bins[1:] if types)]
