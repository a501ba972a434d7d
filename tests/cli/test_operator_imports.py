"""The wizard and preflight commands keep ``oci-inv --help`` light: their help imports no SDK, Rich or questionary."""

from __future__ import annotations

import pytest
from tests.cli.test_startup_imports import HEAVY, _loaded


@pytest.mark.parametrize("args", [("wizard", "--help"), ("preflight", "--help")])
def test_help_of_the_operator_commands_is_light(args: tuple[str, ...]) -> None:
    assert _loaded(*args, heavy=(*HEAVY, "rich", "questionary", "prompt_toolkit")) == ["0"]
