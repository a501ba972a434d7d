"""Inline SVG charts for ``report.html``, drawn by pygal (static SVG, no JavaScript, no external reference).

pygal builds the SVG with an XML serializer, so labels are escaped by construction; labels are made visible and
bounded here first anyway (control characters are not valid XML, and a 200k-character name must not become a 200k
legend). The SVG is post-processed for inlining: pygal's comments (which carry URLs and a date), its configuration
``<script>`` (the tooltips' JavaScript is not loaded: ``js=[]``) and namespace declarations are removed, and the
random chart id becomes a stable one, so a report renders the same bytes for the same run.

Colours come from the page: the chart is transparent and its text uses the page's ``currentColor`` (see the CSS in
``html.py``), so one chart reads in light and dark mode and in print. pygal is a runtime dependency; should it be
missing (a partial install), :func:`available` is False and the report shows its tables without charts.
"""

from __future__ import annotations

import re
from typing import Any

from oci_inventory.report.digest import Count
from oci_inventory.util.text import visible

LABEL_LIMIT = 48
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)  # pygal always adds a config script, even with js=[]
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_CHART_ID = re.compile(r'id="(chart-[0-9a-f-]{36})"')
_PALETTE = ("#3b7dd8", "#e0803a", "#4aa564", "#c44e52", "#8c6bb1", "#8f7f5a", "#d36fb0", "#6f7f8f", "#c9b23a")
STATUS_COLOURS = {"OK": "#4aa564", "ERROR": "#c44e52", "NOT_IMPLEMENTED": "#e0a03a", "SKIPPED": "#8f8f8f"}


def available() -> bool:
    try:
        import pygal  # noqa: F401
    except ImportError:
        return False
    return True


def label(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` made visible (control characters escaped) and cut to ``limit`` characters with an ellipsis."""
    shown = visible(text) or "(none)"
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _style(colours: tuple[str, ...]) -> Any:
    from pygal.style import Style

    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="currentColor",
        foreground_strong="currentColor",
        foreground_subtle="rgba(128,128,128,0.35)",
        opacity="0.9",
        opacity_hover="1",
        colors=colours,
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        title_font_size=15,
        value_font_size=11,
    )


def _finish(svg: str, chart_id: str, title: str) -> str:
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    svg = _XMLNS.sub("", svg, count=3)
    match = _CHART_ID.search(svg)
    if match:
        svg = svg.replace(match.group(1), chart_id)
    from html import escape

    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label(title, 200))}" ', 1)


def _config(title: str, height: int, rows: int) -> dict[str, Any]:
    return {
        "title": title,
        "js": [],
        "disable_xml_declaration": True,
        "width": 760,
        "height": height,
        "show_legend": False,
        "print_values": True,
        "print_values_position": "top",
        "truncate_label": -1,
        "no_data_text": "nothing to show",
        "margin": 8,
        "spacing": 6,
        "explicit_size": False,
        "tooltip_border_radius": 0,
        "show_y_guides": rows > 0,
    }


def bar_chart(chart_id: str, title: str, counts: list[Count], *, other: int = 0) -> str | None:
    """A horizontal bar chart of ``counts`` (biggest on top), plus an "other" bar; None without pygal."""
    if not available():
        return None
    import pygal

    rows = [(label(c.label), c.count) for c in counts]
    if other:
        rows.append(("(other)", other))
    rows.reverse()  # pygal draws the first value at the bottom
    height = max(160, 60 + 26 * len(rows))
    chart = pygal.HorizontalBar(style=_style(_PALETTE[:1]), **_config(title, height, len(rows)))
    chart.x_labels = [name for name, _ in rows]
    chart.add(title, [value for _, value in rows])
    return _finish(chart.render(is_unicode=True), chart_id, title)


def status_chart(chart_id: str, title: str, statuses: dict[str, int]) -> str | None:
    """Enrichment statuses, one bar each in its status colour (zeros shown too); None without pygal."""
    if not available():
        return None
    import pygal

    names = [s for s in ("OK", "ERROR", "NOT_IMPLEMENTED", "SKIPPED")]
    names += sorted(s for s in statuses if s not in names)
    names.reverse()  # pygal draws the first value at the bottom
    chart = pygal.HorizontalBar(style=_style(_PALETTE[:1]), **_config(title, 60 + 30 * len(names), len(names)))
    chart.x_labels = [label(name) for name in names]
    chart.add(title, [{"value": int(statuses.get(n, 0)), "color": STATUS_COLOURS.get(n, "#6f7f8f")} for n in names])
    return _finish(chart.render(is_unicode=True), chart_id, title)


def diff_chart(chart_id: str, title: str, by_type: list[tuple[str, int, int, int]]) -> str | None:
    """Added, removed and changed per resource type, stacked; None without pygal."""
    if not available():
        return None
    import pygal

    rows = list(reversed(by_type))
    config = _config(title, max(180, 80 + 26 * len(rows)), len(rows))
    config.update(show_legend=True, legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False)
    chart = pygal.HorizontalStackedBar(style=_style(("#4aa564", "#c44e52", "#e0a03a")), **config)
    chart.x_labels = [label(t[0]) for t in rows]
    for index, name in ((1, "added"), (2, "removed"), (3, "changed")):
        chart.add(name, [t[index] for t in rows])
    return _finish(chart.render(is_unicode=True), chart_id, title)
