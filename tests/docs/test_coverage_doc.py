"""docs/coverage.md lists every enriched resource type and how it is read, generated from the registry (run this
file to regenerate the table between the markers)."""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"
BEGIN, END = "<!-- enriched-types:begin -->", "<!-- enriched-types:end -->"


def how(enricher: object) -> str:
    from oci_inventory.enrich.base import SpecEnricher

    spec = enricher.spec if isinstance(enricher, SpecEnricher) else None
    own = type(enricher).__dict__.get("__doc__") if type(enricher).__name__ != "SpecEnricher" else None
    call = f"`{spec.client.rsplit('.', 1)[-1]}.{spec.operation}`" if spec is not None else ""
    note = " ".join((own or "").replace("``", "`").split()).split(". ")[0].rstrip(".") if own else ""
    find = getattr(enricher, "find", None)  # a row read from a listing the run shares, its get as the fallback
    if find is not None:
        listed = " ".join((find.__doc__ or "").replace("``", "`").split()).split(" (")[0].rstrip(".")
        return f"{listed}; {call} only for a record the listing lacks"
    return "; ".join(part for part in (call, note) if part)


def type_table() -> str:
    from oci_inventory.enrich.registry import REGISTRY

    module_of = REGISTRY.module_of()
    rows = sorted(REGISTRY.registered().items(), key=lambda kv: (module_of[kv[0].lower()], kv[0]))
    lines = ["| module | Search type | how it is read |", "|---|---|---|"]
    for rtype, enricher in rows:
        module = module_of[rtype.lower()].rsplit(".", 1)[-1]
        lines.append(f"| `enrich/{module}.py` | `{rtype}` | {how(enricher)} |")
    return "\n".join(lines)


def test_the_coverage_doc_lists_every_enriched_type() -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == type_table(), "regenerate with: .venv/bin/python tests/docs/test_coverage_doc.py"


if __name__ == "__main__":
    sys.path.insert(0, str(DOC.parents[1] / "src"))
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{BEGIN}\n{type_table()}\n{END}{tail}", encoding="utf-8")
