from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from oci_inventory.util.time import iso_z, normalize_timestamp, parse_iso_z, run_dir_name, utc_now


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


def test_iso_z_millisecond_precision_truncates() -> None:
    dt = datetime(2024, 5, 1, 10, 11, 12, 345999, tzinfo=UTC)
    assert iso_z(dt) == "2024-05-01T10:11:12.345Z"


def test_iso_z_naive_is_utc_and_aware_is_converted() -> None:
    assert iso_z(datetime(2024, 5, 1, 10, 11, 12)) == "2024-05-01T10:11:12.000Z"
    plus2 = datetime(2024, 5, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert iso_z(plus2) == "2024-04-30T23:00:00.000Z"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2024-05-01T10:11:12.345Z", "2024-05-01T10:11:12.345Z"),
        ("2024-05-01T10:11:12Z", "2024-05-01T10:11:12.000Z"),
        ("2024-05-01T10:11:12+00:00", "2024-05-01T10:11:12.000Z"),
        ("2024-05-01T10:11:12.5-05:30", "2024-05-01T15:41:12.500Z"),
        ("2024-05-01T10:11:12.123456789Z", "2024-05-01T10:11:12.123Z"),
        ("2024-05-01T10:11:12.999999999+00:00", "2024-05-01T10:11:12.999Z"),
        ("2024-05-01T10:11:12", "2024-05-01T10:11:12.000Z"),
    ],
)
def test_normalize_timestamp_wire_forms(wire: str, expected: str) -> None:
    assert normalize_timestamp(wire) == expected


def test_normalize_timestamp_none_empty_datetime_and_garbage() -> None:
    assert normalize_timestamp(None) is None
    assert normalize_timestamp("") is None
    assert normalize_timestamp(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05.000Z"
    assert normalize_timestamp("yesterday") == "yesterday"
    assert normalize_timestamp("2024-13-45T99:00:00Z") == "2024-13-45T99:00:00Z"


def test_parse_iso_z_round_trip_and_error() -> None:
    dt = parse_iso_z("2024-05-01T10:11:12.345Z")
    assert dt == datetime(2024, 5, 1, 10, 11, 12, 345000, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_iso_z("nope")


def test_run_dir_name() -> None:
    assert run_dir_name(datetime(2024, 11, 28, 15, 40, 12, 999999, tzinfo=UTC)) == "20241128T154012Z"
    est = datetime(2024, 11, 28, 10, 40, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert run_dir_name(est) == "20241128T154012Z"
