"""``report.html``: one self-contained HTML5 file (inline CSS and SVG; no script, no external URL of any kind).

It opens offline and as an e-mail attachment. Every OCI string is escaped (``html.escape`` after control characters
are made visible and long values bounded), so a name holding ``<script>`` is text. The page follows the reader's
colour scheme (``prefers-color-scheme``) and prints cleanly (``@media print``: black on white, no cut tables or
charts). The charts are inline SVG from :mod:`oci_inventory.report.charts`, coloured through ``currentColor``.
"""

from __future__ import annotations

from html import escape

from oci_inventory.report import charts
from oci_inventory.report.document import Block, Chart, Heading, Para, Table
from oci_inventory.report.markdown import CELL_LIMIT, PARA_LIMIT, bound
from oci_inventory.util.text import visible

CSS = """
:root { color-scheme: light dark; --fg: #1d232b; --bg: #ffffff; --muted: #5b6775; --rule: #d5dbe2;
  --zebra: #f4f6f9; --warn-bg: #fff4e0; --warn: #8a4b00; --note: #4b5866; --accent: #2f6fc4; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e8ee; --bg: #14181d; --muted: #9aa7b5; --rule: #323a44; --zebra: #1b2027;
    --warn-bg: #3a2a10; --warn: #ffc46b; --note: #a9b6c4; --accent: #7fb0ff; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .5rem; }
nav { margin: 0 0 1rem; font-size: .9rem; }
nav a { color: var(--accent); margin-right: .8rem; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top;
  overflow-wrap: anywhere; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
code { font: .85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
p.note { color: var(--note); font-size: .9rem; }
p.warning { background: var(--warn-bg); color: var(--warn); padding: .4rem .6rem; border-radius: 4px; }
blockquote.summary { margin: .5rem 0; padding: .2rem 1rem; border-left: 4px solid var(--accent); }
figure.chart { margin: .5rem 0 1rem; color: var(--fg); }
figure.chart svg { width: 100%; height: auto; display: block; }
.pygal-chart .axis .guides .line, .pygal-chart .axis .line { stroke: var(--rule) !important; }
.pygal-chart text, .pygal-chart .title { fill: var(--fg) !important; }
.pygal-chart .tooltip, .pygal-chart .tooltip * { display: none; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
@media print {
  :root { --fg: #000; --bg: #fff; --muted: #333; --rule: #999; --zebra: #f2f2f2; --warn-bg: #fff; --warn: #000;
    --note: #333; --accent: #000; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2, h3 { break-after: avoid; }
  figure.chart, tr { break-inside: avoid; }
  p.warning { border: 1px solid #000; }
}
"""


def h(value: object, limit: int = CELL_LIMIT) -> str:
    """OCI text as inert HTML: control characters made visible, bounded, then escaped (quotes too)."""
    return escape(bound(visible(str(value)), limit), quote=True)


def _cell(value: object, numeric: bool, code: bool) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value:,}</td>'
    text = f"<code>{h(value)}</code>" if code else h(value)
    return f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>"


def _table(t: Table) -> str:
    head = "".join(
        f'<th class="num" scope="col">{h(c)}</th>' if i in t.numeric else f'<th scope="col">{h(c)}</th>'
        for i, c in enumerate(t.columns)
    )
    body = "\n".join(
        "<tr>" + "".join(_cell(v, i in t.numeric, i in t.code) for i, v in enumerate(row)) + "</tr>" for row in t.rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _chart(c: Chart) -> str:
    if c.kind == "bar":
        svg = charts.bar_chart(c.chart_id, c.title, c.counts, other=c.other)
    elif c.kind == "status":
        svg = charts.status_chart(c.chart_id, c.title, c.statuses)
    else:
        svg = charts.diff_chart(c.chart_id, c.title, c.diff_rows)
    if svg is None:
        return f'<p class="note">{h(c.title)}: no chart (pygal is not installed); the table shows the figures.</p>'
    return f'<figure class="chart" data-chart="{h(c.chart_id)}">{svg}</figure>'


def _para(p: Para) -> str:
    text = h(p.text, PARA_LIMIT)
    if p.tone == "summary":
        return f'<blockquote class="summary"><p>{text}</p></blockquote>'
    if p.tone:
        return f'<p class="{p.tone}">{text}</p>'
    return f"<p>{text}</p>"


def render_html(blocks: list[Block], *, title: str, generated: str) -> str:
    parts: list[str] = []
    nav = [f'<a href="#{h(b.anchor)}">{h(b.text)}</a>' for b in blocks if isinstance(b, Heading) and b.level == 2]
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f'<h{block.level} id="{h(block.anchor)}">{h(block.text)}</h{block.level}>')
            if block.level == 1:
                parts.append(f"<nav>{''.join(nav)}</nav>")
        elif isinstance(block, Para):
            parts.append(_para(block))
        elif isinstance(block, Table):
            parts.append(_table(block))
        else:
            parts.append(_chart(block))
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        f"<footer>{h(generated)}</footer>\n</body>\n</html>\n"
    )
