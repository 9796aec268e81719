"""Timestamps: parsing to epoch ms and formatting back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.records import format_timestamp, timestamp_ms

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
MIN_MS = -62_135_596_800_000  # 0001-01-01T00:00:00.000Z


def test_known_values() -> None:
    assert timestamp_ms("1970-01-01T00:00:00Z") == 0
    assert timestamp_ms("2016-01-15T12:00:00.000Z") == 1_452_859_200_000
    assert timestamp_ms("2016-01-15T12:00:00.1239Z") == 1_452_859_200_123
    assert timestamp_ms("1969-12-31T23:59:59.999Z") == -1
    assert format_timestamp(0) == "1970-01-01T00:00:00.000Z"
    assert format_timestamp(-1) == "1969-12-31T23:59:59.999Z"
    assert format_timestamp(1_452_859_200_123) == "2016-01-15T12:00:00.123Z"


@pytest.mark.parametrize(
    "bad",
    [
        "2016-01-15",
        "2016-01-15T12:00:00",
        "2016-01-15T12:00:00+00:00",
        "2016-01-15 12:00:00Z",
        "2016-13-01T00:00:00Z",
        "2016-02-30T00:00:00Z",
        "2016-01-15T24:00:00Z",
        "2016-01-15T12:00:00.Z",
        "0000-01-01T00:00:00Z",
    ],
)
def test_malformed(bad: str) -> None:
    with pytest.raises(ValueError, match=r"2016|0000"):
        timestamp_ms(bad)


@given(st.integers(min_value=MIN_MS, max_value=MAX_MS))
def test_ms_round_trip(ms: int) -> None:
    text = format_timestamp(ms)
    assert len(text) == 24
    assert timestamp_ms(text) == ms


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    ),
    st.sampled_from([0, 3, 6]),
)
def test_agrees_with_datetime(dt: datetime, digits: int) -> None:
    text = dt.replace(tzinfo=None).isoformat(timespec="seconds")
    if digits:
        text += "." + f"{dt.microsecond:06d}"[:digits]
    text += "Z"
    parsed = datetime.fromisoformat(text)
    assert timestamp_ms(text) == (parsed - EPOCH) // timedelta(milliseconds=1)
