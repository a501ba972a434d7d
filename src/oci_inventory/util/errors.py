"""Exit codes and the exception tree of oci-inv.

Every error the tool raises on purpose derives from :class:`OciInvError` and carries the exit code the CLI
returns for it. The CLI maps exceptions to exit codes in one place (``oci_inventory.cli``); library code never
calls ``sys.exit``.

Exception tree::

    OciInvError                 exit 1   unexpected internal failure (base class)
    ├── UsageError              exit 2   bad flag, config file, region name or input file
    │   ├── ConfigError         exit 2   a setting or config file is wrong
    │   └── InputError          exit 2   an input file (e.g. --prev) is missing or malformed
    ├── AuthError               exit 3   authentication / authorization failure
    ├── PartialRunError         exit 4   the run finished but some region failed
    └── (KeyboardInterrupt)     exit 130 interrupted
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes of ``oci-inv``."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    AUTH = 3
    PARTIAL = 4
    INTERRUPTED = 130


EXIT_CODE_HELP = (
    "Exit codes: 0 ok; 1 unexpected internal error; 2 usage, configuration or input error; "
    "3 authentication/authorization failure; 4 partial: the run finished but some region failed; "
    "130 interrupted."
)


class OciInvError(Exception):
    """Base of every error oci-inv raises on purpose. ``str(err)`` is one line for the user."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_line(self) -> str:
        """One line: what is wrong and how to fix it."""
        text = self.message.replace("\n", " ").strip()
        if self.hint:
            text = f"{text} ({self.hint.strip()})"
        return text


class UsageError(OciInvError):
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """A setting, a config file or an option value is wrong."""


class InputError(UsageError):
    """An input file is missing or malformed."""


class AuthError(OciInvError):
    exit_code = ExitCode.AUTH


class PartialRunError(OciInvError):
    exit_code = ExitCode.PARTIAL
