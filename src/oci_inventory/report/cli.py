"""``oci-inv report RUN``: regenerate the reports of an earlier run (the one change to a finished run allowed).

``cli.py`` only declares the options and calls :func:`report_command`, so ``oci-inv --help`` imports none of this.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oci_inventory.genai.cli import genai_for_run
from oci_inventory.logging import say
from oci_inventory.report.writer import GenAiPass


def _stdout(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def report_command(
    run: str, genai_summary: bool, genai_dry_run: bool, settings: Any, make_factory: Callable[[Any], Any]
) -> int:
    """``oci-inv report RUN``: regenerate the reports; the last line on stdout is the report.html path."""
    from oci_inventory.report.writer import REPORT_HTML, regenerate

    directory = Path(run).expanduser()
    config = genai_for_run(genai_summary, genai_dry_run)
    factory = make_factory(settings) if config is not None and not genai_dry_run else None
    genai = None
    if genai_summary or genai_dry_run:
        genai = GenAiPass(factory=factory, config=config, dry_run=genai_dry_run, warn=say, show_prompt=_stdout)
    regenerate(directory, genai=genai)
    if not genai_dry_run:
        _stdout(str(directory / REPORT_HTML))
    return 0
