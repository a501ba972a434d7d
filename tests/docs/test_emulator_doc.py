"""docs/emulator.md lists every route the resource families serve, generated from the code (run this file to
regenerate the table between the markers)."""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
BEGIN, END = "<!-- resource-routes:begin -->", "<!-- resource-routes:end -->"


def route_table() -> str:
    from oci_emulator.core.pagination import Paginator
    from oci_emulator.services.resources import resource_routes, rows

    served = {(row.service, row.operation): row.resource_type for row in rows()}
    lines = ["| service | route | operation | Search type |", "|---|---|---|---|"]
    routes = resource_routes(lambda: None, Paginator(b"doc"))  # type: ignore[arg-type,return-value]
    for service in sorted(routes):
        for route in sorted(routes[service], key=lambda r: (r.template, r.method)):
            rtype = served.get((service, route.operation), "(list)")
            lines.append(f"| `{service}` | `{route.method} {route.template}` | {route.operation} | {rtype} |")
    return "\n".join(lines)


def test_the_emulator_doc_lists_every_resource_route() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == route_table(), "regenerate with: .venv/bin/python tests/docs/test_emulator_doc.py"


if __name__ == "__main__":
    sys.path.insert(0, str(DOC.parents[1] / "src"))
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{BEGIN}\n{route_table()}\n{END}{tail}", encoding="utf-8")
