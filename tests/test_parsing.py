"""User input parsers: anything typed is either understood or a usage error, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from music_time_machine.errors import UsageError
from music_time_machine.models import Month, TimeRange


@given(st.text(max_size=12))
def test_month_parse_accepts_or_raises_usage_error(text: str) -> None:
    try:
        month = Month.parse(text)
    except UsageError:
        return
    assert 1 <= month.month <= 12
    assert str(month) == text.strip()


@given(st.integers(min_value=1000, max_value=9998), st.integers(min_value=1, max_value=12))
def test_every_real_month_round_trips(year: int, number: int) -> None:
    assert Month.parse(f"{year:04d}-{number:02d}") == Month(year, number)


@pytest.mark.parametrize(("months", "expected"), [(1, "2025-04"), (-3, "2024-12"), (12, "2026-03"), (-15, "2023-12")])
def test_month_shift_crosses_years(months: int, expected: str) -> None:
    assert str(Month(2025, 3).shift(months)) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("short", TimeRange.SHORT), ("long_term", TimeRange.LONG), (" Medium ", TimeRange.MEDIUM)]
)
def test_time_range_accepts_cli_and_spotify_names(text: str, expected: TimeRange) -> None:
    assert TimeRange.parse(text) is expected


def test_unknown_time_range_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        TimeRange.parse("forever")
