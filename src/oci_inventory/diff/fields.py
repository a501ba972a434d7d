"""What changed inside one resource: the changed paths, each listed once, with bounded before/after values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from oci_inventory.diff.hash import HASH_EXCLUDED_FIELDS

#: Fields compared leaf by leaf; changedFields names dotted paths inside them.
_NESTED_FIELDS = frozenset({"details", "definedTags", "freeformTags"})
#: ``details.searchSummary`` repeats these top-level fields (``identifier`` is the summary's name for ``ocid``).
_SUMMARY_PREFIX = "details.searchSummary."
_SUMMARY_ALIASES = {"identifier": "ocid"}
#: Each before/after value is at most this many bytes of JSON.
VALUE_LIMIT = 2048
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed path with its value in each run (``MISSING`` where the path is absent)."""

    path: str
    before: Any
    after: Any


MISSING = _MISSING


def _leaves(prefix: str, prev: Any, curr: Any, out: list[FieldChange]) -> None:
    if isinstance(prev, dict) and isinstance(curr, dict):
        for key in prev.keys() | curr.keys():
            a = prev.get(key, _MISSING)
            b = curr.get(key, _MISSING)
            if a != b:
                _leaves(f"{prefix}.{key}", a, b, out)
    else:
        out.append(FieldChange(prefix, prev, curr))


def _related(a: str, b: str) -> bool:
    """True when one dotted path is the other or lies inside it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _mirrors_top_level(path: str, top_level: list[str]) -> bool:
    """True for a ``details.searchSummary`` path whose top-level counterpart is already listed."""
    if not path.startswith(_SUMMARY_PREFIX):
        return False
    rest = path[len(_SUMMARY_PREFIX) :]
    head, dot, tail = rest.partition(".")
    rest = _SUMMARY_ALIASES.get(head, head) + dot + tail
    return any(_related(rest, top) for top in top_level)


def field_changes(prev: Mapping[str, Any], curr: Mapping[str, Any]) -> list[FieldChange]:
    """The differences between two records of one resource, sorted by path, each change listed once.

    Top-level fields are compared whole, except ``details`` and the tags, which give dotted paths to their
    differing leaves. Lists are compared whole; hash-excluded fields (``collectedAt``) are never reported. A
    ``details.searchSummary`` path that repeats a changed top-level field (``displayName``, ``freeformTags.env``,
    ``identifier`` for ``ocid``) is the same change and is left out.
    """
    out: list[FieldChange] = []
    for key in prev.keys() | curr.keys():
        if key in HASH_EXCLUDED_FIELDS:
            continue
        a = prev.get(key, _MISSING)
        b = curr.get(key, _MISSING)
        if a == b:
            continue
        if key in _NESTED_FIELDS:
            _leaves(key, a, b, out)
        else:
            out.append(FieldChange(key, a, b))
    top_level = [c.path for c in out if not c.path.startswith("details.")]
    kept = [c for c in out if not _mirrors_top_level(c.path, top_level)]
    return sorted(kept, key=lambda c: c.path)


def changed_fields(prev: Mapping[str, Any], curr: Mapping[str, Any]) -> list[str]:
    """Sorted changed paths (see :func:`field_changes`)."""
    return [c.path for c in field_changes(prev, curr)]


def bounded(value: Any, limit: int = VALUE_LIMIT) -> Any:
    """``value`` itself when its JSON is at most ``limit`` bytes; else a string of at most ``limit`` bytes of JSON:
    the start of its JSON text followed by ``…[truncated N bytes]`` (N = bytes of JSON text left out)."""
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if len(text.encode()) <= limit:
        return value
    total = len(text.encode())
    kept: list[str] = []
    size = 2  # the quotes of the JSON string
    kept_bytes = 0
    while True:
        suffix = f"…[truncated {total - kept_bytes} bytes]"
        suffix_size = len(orjson.dumps(suffix)) - 2
        char = text[len(kept)]
        char_size = len(orjson.dumps(char)) - 2
        if size + char_size + suffix_size > limit:
            return "".join(kept) + suffix
        kept.append(char)
        size += char_size
        kept_bytes += len(char.encode())


def before_after(changes: list[FieldChange]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``before`` and ``after`` objects: each changed path → its bounded value; a path absent in a run is left out."""
    before = {c.path: bounded(c.before) for c in changes if c.before is not _MISSING}
    after = {c.path: bounded(c.after) for c in changes if c.after is not _MISSING}
    return before, after
