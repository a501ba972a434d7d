"""JSON Lines: one canonical record per line, compact, sorted keys, UTF-8.

orjson writes U+2028, U+2029 and U+0085 (NEL) as raw UTF-8, and some line-based tools (Python's
``str.splitlines``, JavaScript, some editors) treat them as line breaks. :func:`dumps_record` writes them as
``\\u2028``, ``\\u2029`` and ``\\u0085`` instead, so a record is always exactly one line; JSON parsers read the same
string back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from oci_inventory.util.errors import InputError

_WRITE_BUFFER = 1 << 20
_REASON_MAX = 80
_LINE_BREAKERS = re.compile(b"\xe2\x80[\xa8\xa9]|\xc2\x85")
_ESCAPES = {b"\xe2\x80\xa8": b"\\u2028", b"\xe2\x80\xa9": b"\\u2029", b"\xc2\x85": b"\\u0085"}


def _escape_line_breaker(match: re.Match[bytes]) -> bytes:
    return _ESCAPES[match.group()]


def dumps_record(record: Mapping[str, Any]) -> bytes:
    """Compact JSON with sorted keys (at every depth), UTF-8 kept as is except U+2028, U+2029 and U+0085
    (written as ``\\u`` escapes), no trailing newline."""
    data = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    # Every breaker has a byte \x85, \xa8 or \xa9: three memchr scans rule most lines out faster than the regex.
    if data.isascii() or not (b"\x85" in data or b"\xa8" in data or b"\xa9" in data):
        return data
    if _LINE_BREAKERS.search(data) is None:
        return data
    return _LINE_BREAKERS.sub(_escape_line_breaker, data)


def write_jsonl(path: Path, lines: Iterable[bytes]) -> int:
    """Write each line followed by ``\\n``; return the number of lines written."""
    count = 0
    with open(path, "wb", buffering=_WRITE_BUFFER) as fh:
        for line in lines:
            fh.write(line)
            fh.write(b"\n")
            count += 1
    return count


def _malformed(path: Path, lineno: int, reason: str) -> InputError:
    reason = reason.replace("\n", " ")
    if len(reason) > _REASON_MAX:
        reason = reason[: _REASON_MAX - 3] + "..."
    return InputError(f"{path}:{lineno}: not a JSON object: {reason}; pass an inventory.jsonl written by oci-inv")


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)`` for every non-blank line of ``path`` (line numbers start at 1).

    A missing/unreadable file or a line that is not a JSON object raises :class:`InputError` naming
    ``path:line``. Blank lines are skipped.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed in finally; a generator must own the handle
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read: {exc.strerror or exc}; pass an inventory.jsonl written by oci-inv"
        ) from None
    try:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise _malformed(path, lineno, str(exc)) from None
            if not isinstance(obj, dict):
                raise _malformed(path, lineno, f"found a JSON {type(obj).__name__}")
            yield lineno, obj
    except OSError as exc:
        raise InputError(f"{path}: read failed: {exc.strerror or exc}") from None
    finally:
        fh.close()
