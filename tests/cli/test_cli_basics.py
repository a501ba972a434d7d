from __future__ import annotations

import subprocess
import sys


def test_help_documents_exit_codes_and_every_command(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--help")
    assert result.code == 0
    for needle in ("Exit codes", "130 interrupted", "run", "diff", "validate-auth", "list-regions",
                   "list-compartments", "config", "demo", "emulator"):  # fmt: skip
        assert needle in result.out


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    from oci_inventory import __version__

    result = cli("--version")
    assert result.code == 0 and __version__ in result.out


def test_emulator_is_mounted(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("emulator", "serve", "--help")
    assert result.code == 0 and "--seed" in result.out and "--save-state" in result.out


def test_help_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from oci_inventory.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('oci' in sys.modules, 'oci_inventory.pipeline' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False False"


def test_unknown_command_is_exit_2_in_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("inventory-everything")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and "No such command" in result.err


def test_every_settings_option_names_its_environment_variables_in_help() -> None:
    """The --help env lists are derived from the settings table, and name the setting the option sets."""
    import click

    from oci_inventory.cli import cli
    from oci_inventory.config import SETTINGS, SETTINGS_BY_NAME

    checked = 0
    for name in ("run", "validate-auth", "list-regions", "list-compartments"):
        command = cli.commands[name]
        for param in command.params:
            setting = SETTINGS_BY_NAME.get(param.name or "")
            if not isinstance(param, click.Option) or setting is None:
                continue
            env_part = (param.help or "").rsplit("Env: ", 1)[-1]
            assert env_part == ", ".join(setting.env) + ".", (name, param.name, param.help)
            others = [s.env[0] for s in SETTINGS if s is not setting]
            assert not any(other in (param.help or "") for other in others), (name, param.name)
            checked += 1
    assert checked >= 20
