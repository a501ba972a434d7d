"""report.md and report.html: written by every run, self-contained, escaped, reconciled with run_summary.json."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.report.digest import ChangeRow, Count, CoverageRow, DiffDigest, RunDigest, Sensitive, build_digest
from oci_inventory.report.document import build_document
from oci_inventory.report.html import render_html
from oci_inventory.report.markdown import render_markdown
from oci_inventory.report.writer import render
from tests.report.conftest import Runs

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source", "track", "embed"}
SVG_VOID = {"rect", "path", "line", "circle", "stop", "use", "polyline", "polygon", "ellipse"}


class Checker(HTMLParser):
    """Parses the document, checks that elements nest, and keeps what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Checker:
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == [], (checker.errors, checker.stack)
    return checker


def external_references(html: str, parsed: Checker, *, text_too: bool = True) -> list[str]:
    """URLs anywhere (``text_too``: a report of our own run has none, not even as text), and every tag or attribute
    that would load something."""
    found = re.findall(r"(?:https?:|file:)?//[\w.-]+\.[a-z]{2,}", html) if text_too else []
    found += re.findall(r"url\(|@import", html)
    for tag, attrs in parsed.tags:
        if tag in ("script", "link", "img", "iframe", "object", "embed", "image"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name in ("src", "href", "xlink:href", "action", "srcset") and not (value or "").startswith("#"):
                found.append(f"{tag} {name}={value}")
    return found


def test_every_run_writes_both_reports_listed_in_its_summary(runs: Runs) -> None:
    for run in (runs.first, runs.second):
        figures = json.loads((run / "run_summary.json").read_text())
        assert {"report.md", "report.html"} <= set(figures["files"])
        assert (run / "report.md").stat().st_size > 0 and (run / "report.html").stat().st_size > 0


def test_the_html_is_self_contained_and_holds_the_figures_and_charts(runs: Runs) -> None:
    html = (runs.second / "report.html").read_text(encoding="utf-8")
    parsed = parse(html)
    assert external_references(html, parsed) == []
    figures = json.loads((runs.second / "run_summary.json").read_text())
    text = " ".join(" ".join(parsed.text).split())
    assert f"= records written {figures['total_discovered']:,}" in text
    assert f"search results {figures['search_results']:,}" in text
    assert "agrees with run_summary.json" in text and "Does not reconcile" not in text
    charts = {attrs.get("id") for tag, attrs in parsed.tags if tag == "svg"}
    assert charts == {"chart-regions", "chart-types", "chart-enrichment", "chart-diff"}
    bars = [a for t, a in parsed.tags if t in ("rect", "path") and "rect" in (a.get("class") or "").split()]
    assert len(bars) >= len(figures["regions"]) + 15
    top_type, top_count = max(figures["counts_by_resource_type"].items(), key=lambda kv: (kv[1], kv[0]))
    assert f"{top_type} {top_count:,}" in text
    diff = json.loads((runs.second / "diff_summary.json").read_text())
    assert f"{diff['added']:,} added, {diff['removed']:,} removed, {diff['changed']:,} changed" in text
    assert ("Changed resources" in text and "(absent)" in text) or "before" in text
    for css in ("prefers-color-scheme: dark", "@media print", "color-scheme: light dark"):
        assert css in html


def test_the_markdown_holds_the_same_figures(runs: Runs) -> None:
    md = (runs.second / "report.md").read_text(encoding="utf-8")
    figures = json.loads((runs.second / "run_summary.json").read_text())
    assert f"| \\= records written | {figures['total_discovered']:,} |" in md
    for region in figures["regions"]:
        assert f"| {region['region']} | ok | {region['records']:,} |" in md
    assert "## Changes since the previous run" in md and "| resource type | added | removed | changed |" in md


def test_figures_reconcile_with_the_summary(runs: Runs) -> None:
    digest = build_digest(runs.second)
    assert digest.reconciliation == []
    assert sum(c.count for c in digest.by_region) == digest.total == sum(c.count for c in digest.by_compartment)
    assert sum(c.count for c in digest.lifecycle) == digest.total


def test_a_report_says_when_figures_do_not_reconcile(runs: Runs, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(runs.first, tmp_path / "run"))
    lines = (copy / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
    (copy / "inventory.jsonl").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    digest = build_digest(copy)
    assert any("holds" in p for p in digest.reconciliation)
    assert "Does not reconcile" in render(digest)[1]


def test_report_regenerates_only_the_reports_and_records_it(cli: Any, runs: Runs, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(runs.first, tmp_path / "20261128T120000Z"))
    (copy / "report.md").unlink()
    untouched = {p.name: p.read_bytes() for p in copy.iterdir() if p.name not in ("run_summary.json", "report.html")}
    before = json.loads((copy / "run_summary.json").read_text())
    result = cli("report", str(copy))
    assert result.code == 0, result.err
    assert result.out.strip().splitlines()[-1] == str(copy / "report.html")
    after = json.loads((copy / "run_summary.json").read_text())
    assert after.pop("report_regenerations")[0]["genai"] is False
    assert after == before
    assert {p.name: p.read_bytes() for p in copy.iterdir() if p.name in untouched} == untouched
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        [*untouched, "report.md", "report.html", "run_summary.json"]
    )
    assert not [p for p in copy.iterdir() if p.name.startswith(".")], "no temporary file is left"
    assert "Reports regenerated at" in (copy / "report.md").read_text(encoding="utf-8")


def test_report_of_something_that_is_not_a_run_is_exit_2(cli: Any, tmp_path: Path) -> None:
    assert cli("report", str(tmp_path / "missing")).code == 2
    (tmp_path / "run_summary.json").write_text("[]")
    result = cli("report", str(tmp_path))
    assert result.code == 2 and "not an oci-inv run summary" in result.err


HAZARDS = [
    "<script>alert(1)</script>",
    "[click](http://evil.example/x) **bold** `code` | pipe",
    '=HYPERLINK("http://evil.example","x")',
    "bell\x07 esc\x1b[31m nl\nrtl\u202eevil",
    "# heading\n- item",
    "x" * 200_000,
]


def _hazard_digest() -> RunDigest:
    counts = [Count(h, 1) for h in HAZARDS]
    change = ChangeRow("ocid1.instance.oc1.iad.aaaa", HAZARDS[0], HAZARDS[1], "us-ashburn-1", ["displayName"],
                       {"displayName": HAZARDS[0]}, {"displayName": HAZARDS[5]})  # fmt: skip
    diff = DiffDigest(1, 1, 1, 0, [(HAZARDS[0], 1, 1, 1)], [change], [{"region": HAZARDS[3], "reason": HAZARDS[0],
                      "prevRecords": 1, "currRecords": 0}], [HAZARDS[1]], None, HAZARDS[4])  # fmt: skip
    summary = {"tenancy_name": HAZARDS[0], "total_discovered": 6, "status": "complete", "query": HAZARDS[2],
               "regions": [{"region": HAZARDS[3], "status": "failed", "records": 6, "error": HAZARDS[1]}],
               "counts_by_enrich_status": {"OK": 6}, "files": [HAZARDS[0]]}  # fmt: skip
    return RunDigest(
        run_name=HAZARDS[1], summary=summary, by_region=counts, by_type=counts, by_compartment=counts,
        lifecycle=counts, coverage=[CoverageRow(HAZARDS[0], 6, True, 6, 0, 0, 0)], errors_by_code=counts,
        diff=diff, sensitive=Sensitive(), reconciliation=[],
    )  # fmt: skip


def test_oci_text_is_escaped_and_bounded_in_both_formats() -> None:
    blocks = build_document(_hazard_digest())
    html = render_html(blocks, title=HAZARDS[0], generated="x")
    parsed = parse(html)
    assert external_references(html, parsed, text_too=False) == []
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html and "\x07" not in html and "\u202e" not in html and "\\x1b[31m" in html
    assert len(html) < 200_000 and "more characters]" in html
    assert not any(t in ("a",) and a.get("href", "#").startswith("http") for t, a in parsed.tags)
    md = render_markdown(blocks)
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)  # in a code span, <script> is literal text
    assert "<script" not in outside_code and "&lt;script&gt;" in md
    assert "\\[click\\](http://evil.example/x) \\*\\*bold\\*\\* \\`code\\` \\| pipe" in md
    assert "\x1b" not in md and "\\\\x1b" in md and len(md) < 200_000
    assert "\n# heading" not in md and "\n- item" not in md
    widths = [len(re.findall(r"(?<!\\)\|", line)) for line in md.splitlines() if line.startswith("|")]
    tables = md.split("\n\n")
    for table in (t for t in tables if t.startswith("|")):
        cells = {len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}
        assert len(cells) == 1, table[:300]  # no OCI text adds or removes a column
    assert widths


def test_without_pygal_the_report_keeps_its_tables(runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pygal", None)
    html = render(build_digest(runs.second))[1]
    assert "<svg" not in html and "pygal is not installed" in html and "<table>" in html
