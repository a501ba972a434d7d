"""The supported subset of the Search structured query language.

    query (all | <type>[, <type>...]) resources
          [where <conditions>]
          [sorted by <field> [asc | desc]]

    conditions: <field> (= | !=) '<value>', joined by && and ||, grouped with ( ); && binds tighter than ||

Keywords, types and field names are case-insensitive; ``=``/``!=`` compare values case-insensitively.
Anything else raises InvalidParameter naming the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oci_emulator.core.errors import InvalidParameter
from oci_emulator.model import catalog

FIELDS = {
    "lifecyclestate": "lifecycleState",
    "compartmentid": "compartmentId",
    "resourcetype": "resourceType",
    "displayname": "displayName",
    "identifier": "identifier",
    "availabilitydomain": "availabilityDomain",
}
SORT_FIELDS = {**FIELDS, "timecreated": "timeCreated"}
MAX_DEPTH = 8  # parentheses deeper than this are a 400, not a RecursionError

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<op>!=|=|&&|\|\||[<>]=?|[(),])|(?P<word>[A-Za-z_][\w.-]*)|(?P<other>\S))"
)


@dataclass(frozen=True)
class Condition:
    field: str  # wire key
    negate: bool
    value: str  # case-folded

    def matches(self, record: dict[str, object]) -> bool:
        value = record.get(self.field)
        equal = isinstance(value, str) and value.casefold() == self.value
        return equal != self.negate


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expr, ...]

    def matches(self, record: dict[str, object]) -> bool:
        return all(part.matches(record) for part in self.parts)


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expr, ...]

    def matches(self, record: dict[str, object]) -> bool:
        return any(part.matches(record) for part in self.parts)


Expr = Condition | AllOf | AnyOf


@dataclass(frozen=True)
class Query:
    types: tuple[str, ...]  # canonical type names; empty = all
    where: Expr | None
    sort_field: str | None
    descending: bool

    def matches(self, record: dict[str, object]) -> bool:
        if self.types and record["resourceType"] not in self.types:
            return False
        return self.where is None or self.where.matches(record)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        kind = m.lastgroup or "other"
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self, what: str) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise InvalidParameter(f"Unsupported or invalid query: expected {what} but the query ended")
        self.i += 1
        return tok

    def word(self, expected: str | None = None) -> str:
        kind, value = self.next(expected or "a word")
        if kind != "word" or (expected is not None and value.lower() != expected):
            raise InvalidParameter(f"Unsupported or invalid query: expected {expected or 'a word'}, found {value!r}")
        return value

    def at_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1].lower() == word


def _type_list(p: _Parser) -> tuple[str, ...]:
    first = p.word()
    if first.lower() == "all":
        return ()
    names = [first]
    while (tok := p.peek()) is not None and tok == ("op", ","):
        p.i += 1
        names.append(p.word())
    types = []
    for name in names:
        spec = catalog.lookup(name)
        if spec is None:
            raise InvalidParameter(f"Unsupported or invalid query: unknown resource type {name!r}")
        types.append(spec.name)
    return tuple(types)


def _condition(p: _Parser) -> Condition:
    name = p.word()
    field = FIELDS.get(name.lower())
    if field is None:
        raise InvalidParameter(f"Unsupported or invalid query: field {name!r} is not supported in where")
    kind, op = p.next("= or !=")
    if kind != "op" or op not in ("=", "!="):
        raise InvalidParameter(f"Unsupported or invalid query: operator {op!r} is not supported (use = or !=)")
    kind, literal = p.next("a quoted value")
    if kind != "str":
        raise InvalidParameter(f"Unsupported or invalid query: value {literal!r} must be in single quotes")
    value = re.sub(r"\\(.)", r"\1", literal[1:-1])
    return Condition(field, op == "!=", value.casefold())


def _expression(p: _Parser, depth: int = 0) -> Expr:
    """``term (|| term)*``, where a term is ``factor (&& factor)*`` and a factor a condition or ``( expression )``."""
    terms = [_term(p, depth)]
    while p.peek() == ("op", "||"):
        p.i += 1
        terms.append(_term(p, depth))
    return terms[0] if len(terms) == 1 else AnyOf(tuple(terms))


def _term(p: _Parser, depth: int) -> Expr:
    factors = [_factor(p, depth)]
    while p.peek() == ("op", "&&"):
        p.i += 1
        factors.append(_factor(p, depth))
    return factors[0] if len(factors) == 1 else AllOf(tuple(factors))


def _factor(p: _Parser, depth: int) -> Expr:
    if p.peek() != ("op", "("):
        return _condition(p)
    if depth >= MAX_DEPTH:
        raise InvalidParameter(f"Unsupported or invalid query: parentheses nested deeper than {MAX_DEPTH}")
    p.i += 1
    inner = _expression(p, depth + 1)
    kind, value = p.next("')'")
    if (kind, value) != ("op", ")"):
        raise InvalidParameter(f"Unsupported or invalid query: expected ')', found {value!r}")
    return inner


def parse_query(text: str) -> Query:
    p = _Parser(text)
    p.word("query")
    types = _type_list(p)
    p.word("resources")
    where: Expr | None = None
    if p.at_word("where"):
        p.i += 1
        where = _expression(p)
    sort_field, descending = None, False
    if p.at_word("sorted"):
        p.i += 1
        p.word("by")
        name = p.word()
        sort_field = SORT_FIELDS.get(name.lower())
        if sort_field is None:
            raise InvalidParameter(f"Unsupported or invalid query: cannot sort by {name!r}")
        if p.at_word("asc") or p.at_word("desc"):
            descending = p.word().lower() == "desc"
    tok = p.peek()
    if tok is not None:
        raise InvalidParameter(f"Unsupported or invalid query: unexpected {tok[1]!r} (clause not supported)")
    return Query(types, where, sort_field, descending)
