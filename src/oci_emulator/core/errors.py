"""OCI API errors: one class per OCI error ``code``; each renders as ``{"code", "message"}``."""

from __future__ import annotations


class ApiError(Exception):
    status = 500
    code = "InternalServerError"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class InvalidParameter(ApiError):
    status, code = 400, "InvalidParameter"


class MissingParameter(ApiError):
    status, code = 400, "MissingParameter"


class CannotParseRequest(ApiError):
    status, code = 400, "CannotParseRequest"


class NotAuthenticated(ApiError):
    status, code = 401, "NotAuthenticated"


class NotAuthorizedOrNotFound(ApiError):
    status, code = 404, "NotAuthorizedOrNotFound"


class TooManyRequests(ApiError):
    status, code = 429, "TooManyRequests"


class InternalServerError(ApiError):
    status, code = 500, "InternalServerError"


class ServiceUnavailable(ApiError):
    status, code = 503, "ServiceUnavailable"


class CustomError(ApiError):
    """An error with an arbitrary status and code (used by Faults.fail_next)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers)
        self.status = status
        self.code = code
