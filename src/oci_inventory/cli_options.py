"""Click options shared by the CLI modules (``cli.py`` and the command groups it registers), kept apart so
either can import them without importing the other. Click only: ``--help`` stays light."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LIST_FORMATS = click.Choice(["table", "json", "csv"])
FORMAT_HELP = "table for people; json (an array of row objects) or csv (header row, RFC 4180) for scripts."


def format_option(func: F) -> F:
    """``--format table|json|csv`` as ``fmt``, default table (OCIDs never wrap, piped output plain: render.py)."""
    return click.option("--format", "fmt", type=LIST_FORMATS, default="table", show_default=True, help=FORMAT_HELP)(
        func
    )
