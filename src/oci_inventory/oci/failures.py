"""What an OCI failure means for the exit code: an authorization refusal, OCI being unavailable, or a bug.

One table for the whole tool: ``cli.main`` uses it for errors that escape at start-up, the pipeline for the
regions of a run. See ``util/errors.py`` for the codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from oci_inventory.util.errors import AuthError, OciInvError, UnavailableError

Kind = Literal["auth", "unavailable", "bug"]
AUTH_CODES = frozenset({"NotAuthorizedOrNotFound", "NotAuthorized", "Forbidden", "NotAuthenticated"})


def failure_kind(exc: BaseException) -> Kind:
    """``auth``: 401, 403, 404 NotAuthorizedOrNotFound. ``unavailable``: any other answer of the service that
    survived the retries (5xx, 429, a 400 on a later page) and every connection error or timeout. ``bug``: the
    rest (an exception of our own code)."""
    import oci

    if isinstance(exc, oci.exceptions.ServiceError):
        if exc.status in (401, 403) or (exc.status == 404 and exc.code in AUTH_CODES):
            return "auth"
        return "unavailable"
    # The SDK wraps every ``requests`` failure (refused, reset, read timeout) in these two.
    if isinstance(exc, (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout, ConnectionError, TimeoutError)):
        return "unavailable"
    return "bug"


def brief(exc: BaseException) -> str:
    """A few words naming the error: ``503 ServiceUnavailable``, ``ConnectTimeout``."""
    import oci

    if isinstance(exc, oci.exceptions.ServiceError):
        return f"{exc.status} {exc.code}"
    return type(exc).__name__


def no_region_completed(failures: Mapping[str, BaseException]) -> OciInvError:
    """The error for a run in which every region failed: 3 if all were refusals, 5 if OCI was unavailable."""
    kinds = {failure_kind(exc) for exc in failures.values()}
    listing = "; ".join(f"{region}: {brief(failures[region])}" for region in sorted(failures))
    text = f"no region completed, nothing was written ({listing})"
    if kinds == {"auth"}:
        return AuthError(
            text, hint="check the credentials and that a policy allows 'inspect all-resources' in the tenancy"
        )
    if "bug" in kinds:
        return OciInvError(f"{text}; rerun with --debug --log-level DEBUG for details")
    return UnavailableError(text, hint="OCI or the network is unavailable; retry later or check --endpoint-template")
