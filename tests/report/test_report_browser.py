"""report.html in a real headless browser: every chart draws bars, dark mode and print apply, nothing is fetched.

Needs Playwright (``pip install playwright``) and a Chromium: Playwright's own (``playwright install chromium``) or
the system's (Debian: ``apt-get install chromium``). Without them the test is skipped and says which is missing
(docs/reports.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.report.conftest import Runs

CHARTS = ("chart-regions", "chart-types", "chart-enrichment", "chart-diff")


def _browser(playwright: Any) -> Any:
    try:
        return playwright.chromium.launch()
    except Exception as own_error:  # no Playwright-managed Chromium: try the system's
        for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
            path = shutil.which(name)
            if path:
                return playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        pytest.skip(
            "no Chromium for Playwright: run 'playwright install chromium' or install the system package "
            f"(apt-get install chromium); launching Playwright's own failed: {str(own_error).splitlines()[0]}"
        )


@pytest.mark.slow
def test_the_charts_draw_in_a_headless_browser(runs: Runs) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900}, color_scheme="light")
            page.on("request", lambda request: requests.append(request.url))
            page.goto((runs.second / "report.html").as_uri())
            drawn = page.evaluate(
                """ids => ids.map(id => {
                    const svg = document.getElementById(id);
                    if (!svg) return [id, 0, 0, 0];
                    const box = svg.getBoundingClientRect();
                    const bars = Array.from(svg.querySelectorAll('.rect')).filter(b => {
                        const r = b.getBBox(); return r.width > 0 && r.height > 0; });
                    return [id, box.width, box.height, bars.length];
                })""",
                list(CHARTS),
            )
            for chart_id, width, height, bars in drawn:
                assert width > 300 and height > 100 and bars >= 1, (chart_id, width, height, bars)
            light = page.evaluate("getComputedStyle(document.body).backgroundColor")
            page.emulate_media(color_scheme="dark")
            dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
            text_fill = page.evaluate("getComputedStyle(document.querySelector('#chart-types text')).fill")
            assert light != dark and text_fill == page.evaluate("getComputedStyle(document.body).color")
            page.emulate_media(media="print", color_scheme="dark")
            assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        finally:
            browser.close()
    assert [url for url in requests if not url.startswith("file://")] == [], "the report fetches nothing"
    assert Path(requests[0]).name == "report.html"
