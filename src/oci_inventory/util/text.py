"""Showing untrusted text (names and values from OCI) to a person without letting it act on the terminal.

Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides become visible escapes
(``\\n``, ``\\x1b``, ``\\u202e``): one value stays on one line, cannot move the cursor, recolour the terminal or
reorder what is printed next to it. Everything else, including non-ASCII letters and emoji, is kept as is.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal replaced by a visible escape."""
    return _UNSAFE.sub(_escape, text)
