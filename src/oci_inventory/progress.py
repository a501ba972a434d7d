"""Progress reporting: Rich bars on a terminal, nothing otherwise (not a TTY, or ``--quiet``).

Region names come from OCI: the description column is plain text (never Rich markup) and control characters are
shown as escapes; only the note column, which holds our own words, uses markup.
"""

from __future__ import annotations

import threading
from typing import Any

from oci_inventory.util.text import visible


class Reporter:
    """No-op reporter; the pipeline calls these hooks from worker threads."""

    def start(self, regions: list[str]) -> None:
        return None

    def page(self, region: str, items: int) -> None:
        return None

    def region_done(self, region: str, ok: bool) -> None:
        return None

    def enrich_queued(self, n: int = 1) -> None:
        return None

    def enrich_done(self, n: int = 1) -> None:
        return None

    def stop(self) -> None:
        return None


class RichReporter(Reporter):
    """One bar per region (records found, pages) and one for enrichment."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description:<22}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        self._pages: dict[str, int] = {}
        self._lock = threading.Lock()
        self._enrich: Any = None
        self._queued = 0

    def start(self, regions: list[str]) -> None:
        self._progress.start()
        for region in regions:
            self._tasks[region] = self._progress.add_task(visible(region), total=None, note="searching")
            self._pages[region] = 0
        self._enrich = self._progress.add_task("enrichment", total=0, note="")

    def page(self, region: str, items: int) -> None:
        with self._lock:
            self._pages[region] += 1
            pages = self._pages[region]
        self._progress.update(self._tasks[region], advance=items, note=f"{pages} page(s)")

    def region_done(self, region: str, ok: bool) -> None:
        task = self._tasks[region]
        done = self._progress.tasks[task].completed
        self._progress.update(task, total=done, note="done" if ok else "[red]failed[/red]")

    def enrich_queued(self, n: int = 1) -> None:
        with self._lock:
            self._queued += n
            queued = self._queued
        self._progress.update(self._enrich, total=queued)

    def enrich_done(self, n: int = 1) -> None:
        self._progress.update(self._enrich, advance=n)

    def stop(self) -> None:
        self._progress.stop()
