"""Bad arguments are usage errors: exit 2 and one clear line, never "unexpected" (issue 15, group 5).

The parsers of months, days and year lists take exactly what their messages say (ASCII digits, a bounded range),
checked for any text by property tests; each command-line example runs the whole CLI."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from music_time_machine.errors import UsageError
from music_time_machine.models import Month, parse_day, parse_years

from conftest import Tm, error_lines

DIGITS = st.characters(categories=["Nd"])  # every script's decimal digits, ASCII's among them
NUMBERISH = st.text(alphabet=st.one_of(DIGITS, st.sampled_from("-,+_ .")), max_size=14)


@given(st.one_of(NUMBERISH, st.text(max_size=12)))
def test_a_month_is_four_and_two_ascii_digits_or_a_usage_error(text: str) -> None:
    try:
        month = Month.parse(text)
    except UsageError:
        return
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", text.strip(), re.ASCII)
    assert str(month) == text.strip()


@given(st.one_of(NUMBERISH, st.text(max_size=12), st.dates().map(date.isoformat)))
@example("0001-01-01")  # the edges, so they are always tried
@example("9999-12-31")
def test_a_day_is_an_ascii_iso_date_of_a_bounded_year_or_a_usage_error(text: str) -> None:
    try:
        day = parse_day(text)
    except UsageError:
        return
    assert day.isoformat() == text.strip()
    assert 1000 <= day.year <= 9998


@given(NUMBERISH)
def test_years_back_are_ascii_numbers_from_1_to_100_or_a_usage_error(text: str) -> None:
    try:
        years = parse_years(text)
    except UsageError:
        return
    parts = [part.strip() for part in text.split(",") if part.strip()]
    assert all(re.fullmatch(r"[0-9]+", part, re.ASCII) for part in parts)
    assert years == sorted({int(part) for part in parts})
    assert all(1 <= year <= 100 for year in years)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["playlists", "--limit", "100000000000000000000"], "--limit"),
        (["gems", "--from-history", "--limit", "100000000000000000000"], "--limit"),
        (["playlist", "rotation", "--limit", "100000000000000000000"], "--limit"),
        (["export", "snapshots", "--out", "{missing}/x.csv"], "Cannot write"),
        (["export", "snapshots", "--out", "{file}/x.csv"], "Cannot write"),
        (["on-this-day", "--date", "0001-01-01"], "out of range"),
        (["on-this-day", "--date", "\uff12\uff10\uff12\uff15-03-01"], "Invalid date"),
        (["history", "--month", "2025-03", "--db", ""], "--db is empty"),
        (["history", "--month", "\uff12\uff10\uff12\uff15-03"], "Invalid month"),
        (["history", "--month", "\u0662\u0660\u0662\u0665-03"], "Invalid month"),  # Arabic-Indic digits
        (["on-this-day", "--years", "\uff11,5"], "Invalid years"),
        (["on-this-day", "--years", "+5"], "Invalid years"),
        (["on-this-day", "--years", "1_0"], "Invalid years"),
    ],
)
def test_a_bad_argument_is_one_clear_usage_error(logged_in: Tm, tmp_path: Path, args: list[str], says: str) -> None:
    (tmp_path / "a-file").write_text("")
    places = {"missing": str(tmp_path / "missing"), "file": str(tmp_path / "a-file")}
    result = logged_in(*(arg.format(**places) for arg in args))

    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.output
    assert says in result.output
    assert "Traceback" not in result.output
    assert error_lines(result) or "Invalid value for '--limit'" in result.stderr  # ours, or typer's own


def test_an_export_file_is_private_and_no_temporary_file_stays(logged_in: Tm, tmp_path: Path) -> None:
    assert logged_in("snapshot").exit_code == 0
    out = tmp_path / "exports" / "snapshots.csv"
    out.parent.mkdir()

    result = logged_in("export", "snapshots", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert len(out.read_text().splitlines()) == 1 + 3 * 50  # the header, then three charts of 50
    assert [path.name for path in out.parent.iterdir()] == ["snapshots.csv"]
