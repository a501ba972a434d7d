"""UTC time helpers: one canonical timestamp form, ``2024-05-01T10:11:12.345Z``.

Every timestamp oci-inv writes is UTC with millisecond precision and a literal ``Z``. Sub-millisecond digits
are truncated (not rounded), so a value never moves into the next second, minute or day.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

CANONICAL_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# Fractions longer than microseconds (OCI sometimes sends nanoseconds) are cut to 6 digits before parsing.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso_z(dt: datetime) -> str:
    """``2024-05-01T10:11:12.345Z``; naive datetimes are taken as UTC, aware ones converted to UTC."""
    dt = _as_utc(dt)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def normalize_timestamp(value: str | datetime | None) -> str | None:
    """Return ``value`` in :func:`iso_z` form, ``None`` for ``None``/empty, or an unparseable string unchanged.

    Accepts the wire forms ``...12.345Z``, ``...12Z``, ``...12+00:00``, other offsets and 9-digit fractions;
    a string without an offset is taken as UTC.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso_z(value)
    if not value:
        return None
    if CANONICAL_TIMESTAMP.fullmatch(value):
        # Already canonical (the common wire form). A canonical-shaped but impossible date such as month 13
        # would fail to parse and be returned unchanged anyway, so skipping the parse changes nothing.
        return value
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", text))
        except ValueError:
            return value
    return iso_z(parsed)


def is_canonical_timestamp(value: object) -> bool:
    """True if ``value`` is a string in exactly the :func:`iso_z` form."""
    return isinstance(value, str) and CANONICAL_TIMESTAMP.fullmatch(value) is not None


def parse_iso_z(value: str) -> datetime:
    """Parse a timestamp written by :func:`iso_z` (or any form :func:`normalize_timestamp` accepts).

    Raises ``ValueError`` if the string is not a timestamp.
    """
    normalized = normalize_timestamp(value)
    if not is_canonical_timestamp(normalized):
        raise ValueError(f"not a timestamp: {value!r}")
    return datetime.fromisoformat(value if normalized is None else normalized)


def run_dir_name(dt: datetime) -> str:
    """The name of a run directory: ``20241128T154012Z`` (UTC, second precision)."""
    return f"{_as_utc(dt):%Y%m%dT%H%M%SZ}"


class MillisClock:
    """``iso_z`` of the current time, formatted once per millisecond however many records ask (thread-safe:
    the cache is one tuple, replaced whole)."""

    def __init__(self) -> None:
        self._cached: tuple[int, str] = (-1, "")

    def now(self) -> str:
        ms = time.time_ns() // 1_000_000
        cached = self._cached
        if cached[0] != ms:
            seconds, millis = divmod(ms, 1000)
            stamp = datetime.fromtimestamp(seconds, UTC)
            cached = (ms, f"{stamp:%Y-%m-%dT%H:%M:%S}.{millis:03d}Z")
            self._cached = cached
        return cached[1]
