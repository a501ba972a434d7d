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
    ├── PartialRunError         exit 4   the run finished but some region failed (at least one completed)
    ├── UnavailableError        exit 5   OCI unavailable: 5xx, timeouts, connection refused (no region completed)
    └── (KeyboardInterrupt)     exit 130 interrupted (Ctrl-C, SIGTERM, SIGHUP)

Not raised on purpose but mapped by ``cli.main`` too: SDK ``ServiceError`` 401 and 403/404
``NotAuthorizedOrNotFound`` (3), 429 and 5xx that survived the retries (5); SDK connection errors and timeouts (5);
``OSError`` of the environment while writing (disk full, read-only or unwritable path: 2, see
:func:`environment_error`). Everything else is a bug: exit 1.
"""

from __future__ import annotations

import errno
import os
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """The documented exit codes of ``oci-inv``."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    AUTH = 3
    PARTIAL = 4
    UNAVAILABLE = 5
    INTERRUPTED = 130


EXIT_CODE_HELP = (
    "Exit codes: 0 ok; 1 internal error (a bug); 2 usage, configuration, input or output-directory error; "
    "3 authentication/authorization failure; 4 partial: some region failed, at least one completed; "
    "5 OCI unavailable (5xx, timeouts, connection refused); 130 interrupted (Ctrl-C, SIGTERM, SIGHUP)."
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


class UnavailableError(OciInvError):
    """OCI could not be reached or kept failing (5xx, 429, timeouts, connection refused) after the retries."""

    exit_code = ExitCode.UNAVAILABLE


# OSError numbers that describe the machine, not a bug: full or read-only disks, missing permissions.
ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG}
)


def environment_error(exc: BaseException, where: Path | str | None = None) -> ConfigError | None:
    """A one-line ConfigError (exit 2) for an OSError of the environment (ENOSPC, EACCES, EROFS, ...), else None.

    ``where`` is the path to name (e.g. the outdir; a failed ``write`` carries no file name), else the error's own.
    """
    if not isinstance(exc, OSError) or exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    path = where if where is not None else exc.filename
    reason = exc.strerror or os.strerror(exc.errno or 0)
    target = f" {path}" if path is not None else ""
    return ConfigError(
        f"cannot write{target}: {reason} ({errno.errorcode.get(exc.errno or 0, exc.errno)})",
        hint="free some space, fix the permissions, or pass another --outdir",
    )
