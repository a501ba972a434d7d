"""docs/relationships.md shows the relation vocabulary of ``enrich/relations.py``: exactly its relations, and the
table as generated from VOCABULARY. Regenerate the table with ``python tests/docs/test_relationships_doc.py``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "relationships.md"
BEGIN = "<!-- BEGIN relations: generated from VOCABULARY by python tests/docs/test_relationships_doc.py -->"
END = "<!-- END relations -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def vocabulary_table() -> str:
    from oci_inventory.enrich.relations import VOCABULARY

    lines = ["| relation | from | to | meaning |", "|---|---|---|---|"]
    for relation, (source, target, meaning) in VOCABULARY.items():
        lines.append(f"| `{relation}` | {_cell(source)} | {_cell(target)} | {_cell(meaning)} |")
    return "\n".join(lines)


def _generated(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip("\n")


def test_the_doc_lists_exactly_the_relations_of_the_vocabulary() -> None:
    from oci_inventory.enrich.relations import VOCABULARY

    listed = re.findall(r"^\| `([A-Z_]+)` \|", _generated(DOC.read_text(encoding="utf-8")), re.M)
    assert sorted(listed) == sorted(VOCABULARY), "regenerate: python tests/docs/test_relationships_doc.py"
    assert len(listed) == len(set(listed))


def test_the_table_is_the_one_generated_from_the_vocabulary() -> None:
    assert _generated(DOC.read_text(encoding="utf-8")) == vocabulary_table(), (
        "regenerate: python tests/docs/test_relationships_doc.py"
    )


def write_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(f"{text[:start]}\n{vocabulary_table()}\n{text[end:]}", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    write_table()
