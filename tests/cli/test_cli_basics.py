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
