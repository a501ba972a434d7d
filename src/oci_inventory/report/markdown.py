"""``report.md``: the report's blocks as CommonMark/GFM. OCI text is escaped: Markdown and HTML metacharacters are
backslash-escaped or written as entities, control characters made visible, long values bounded."""

from __future__ import annotations

import re

from oci_inventory.report.document import Block, Chart, Heading, Para, Table
from oci_inventory.util.text import visible

#: A table cell or a paragraph of OCI text is cut to this many characters (a name may hold 200k).
CELL_LIMIT = 200
PARA_LIMIT = 4000
_META = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(\s*)([#+\-=])")
_LIST_START = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def bound(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def md_text(value: object, limit: int = CELL_LIMIT) -> str:
    """``value`` as inert Markdown text: visible, bounded, every metacharacter escaped (``<`` as ``&lt;``)."""
    text = bound(visible(str(value)), limit)
    text = "".join(_ENTITIES.get(ch, ch) for ch in text)
    text = _META.sub(r"\\\1", text)
    text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _LIST_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _code(value: object) -> str:
    """A value in a code span: backticks cannot close it (the span's fence is longer than any run inside)."""
    text = bound(visible(str(value)), CELL_LIMIT).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(value: object, code: bool) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _code(value) if code else md_text(value)


def _table(t: Table) -> list[str]:
    head = "| " + " | ".join(md_text(c) for c in t.columns) + " |"
    rule = "|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(t.columns))) + "|"
    rows = ["| " + " | ".join(_cell(v, i in t.code) for i, v in enumerate(row)) + " |" for row in t.rows]
    return [head, rule, *rows, ""]


def render_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + md_text(block.text), ""]
        elif isinstance(block, Para):
            text = md_text(block.text, PARA_LIMIT)
            if block.tone == "warning":
                text = f"**Warning:** {text}"
            elif block.tone == "note":
                text = f"_{text}_"
            elif block.tone == "summary":
                text = f"> {text}"
            lines += [text, ""]
        elif isinstance(block, Table):
            lines += _table(block)
        elif isinstance(block, Chart):
            lines += [f"_Chart in report.html: {md_text(block.title)}._", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
