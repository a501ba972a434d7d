"""Command bodies: ``run --genai-summary/--genai-dry-run``, ``oci-inv report RUN`` and ``oci-inv genai-chat``.

``cli.py`` only declares the options and calls these, so ``oci-inv --help`` imports none of this.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oci_inventory.genai.config import GenAiConfig, load_genai_config, require_genai_config
from oci_inventory.logging import say
from oci_inventory.report.writer import GenAiPass


def _stderr(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()


def _stdout(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def genai_for_run(summary: bool, dry_run: bool) -> GenAiConfig | None:
    """The GenAI settings a run needs: required with ``--genai-summary`` (exit 2 before any API call when none),
    optional with only ``--genai-dry-run`` (the prompt needs no model)."""
    if summary and not dry_run:
        return require_genai_config("--genai-summary")
    if dry_run:
        return load_genai_config()
    return None


def genai_pass(
    factory: Any, config: GenAiConfig | None, dry_run: bool, *, prompt_to: str = "stderr"
) -> GenAiPass | None:
    """The second pass of a run (None when not asked for). A run prints a dry run's prompt on stderr: its last
    line on stdout stays the run directory."""
    if config is None and not dry_run:
        return None
    return GenAiPass(
        factory=factory,
        config=config,
        dry_run=dry_run,
        warn=say,
        show_prompt=_stderr if prompt_to == "stderr" else _stdout,
    )


def chat_command(
    inventory: str, question: str, dry_run: bool, settings: Any, make_factory: Callable[[Any], Any]
) -> int:
    """``oci-inv genai-chat``: a question about a run, answered from its redacted digest."""
    from oci_inventory.genai.summary import ask, question_prompt
    from oci_inventory.report.digest import build_digest

    if not question.strip():
        from oci_inventory.util.errors import UsageError

        raise UsageError("the question is empty", hint='e.g. oci-inv genai-chat --inventory RUN "what changed?"')
    directory = Path(inventory).expanduser()
    if directory.name == "inventory.jsonl":
        directory = directory.parent
    if dry_run:
        digest = build_digest(directory)
        prompt, _ = question_prompt(digest, question)
        _stdout(prompt.text)
        return 0
    config = require_genai_config("genai-chat")
    digest = build_digest(directory)
    _stdout(ask(digest, make_factory(settings), config, question))
    return 0
