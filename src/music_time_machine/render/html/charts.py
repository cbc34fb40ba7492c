"""The charts both pages draw (the listening clock, the calendar, ranked bars), with their words and data tables.

Each takes the result objects' own numbers and shows them as `--json` does (minutes rounded from each sum), so the
page and the JSON agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from music_time_machine.render.html import svg
from music_time_machine.render.html.page import Chart, Table

if TYPE_CHECKING:
    from music_time_machine.services.wrapped import Entry, Period

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = [f"{hour:02d}" for hour in range(24)]
STRONGER = "Stronger colour is more (the key below gives the scale)."  # darker in light mode, brighter in dark


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def clock_chart(clock_minutes: Sequence[Sequence[int]], tz: str, when: str) -> Chart:
    """Minutes per weekday and hour: 7 rows of 24 cells."""

    def tip(day: int, hour: int) -> str:
        return f"{WEEKDAYS[day]} {hour:02d}:00-{hour:02d}:59: {plural(clock_minutes[day][hour], 'minute')}"

    busiest = max(((minutes, day, hour) for day, row in enumerate(clock_minutes) for hour, minutes in enumerate(row)))
    peak = f"The busiest hour is {WEEKDAYS[busiest[1]]} {busiest[2]:02d}:00." if busiest[0] else "No listening yet."
    return Chart(
        "clock",
        "Listening clock",
        f"Minutes listened {when} in each hour of each weekday, on the clock of {tz}. {STRONGER} {peak}",
        svg.heat_grid([day[:3] for day in WEEKDAYS], HOURS, clock_minutes, tip),
        Table(
            ["weekday", *HOURS],
            [[day, *row] for day, row in zip(WEEKDAYS, clock_minutes, strict=True)],
            frozenset(range(1, 25)),
        ),
    )


def calendar_chart(years: Sequence[int], days: Sequence[Period], tz: str) -> Chart:
    """Minutes per day, one row of weeks per year."""
    by_day = {day.label: day for day in days}

    def tip(label: str) -> str:
        day = by_day.get(label)
        return f"{label}: {plural(day.minutes, 'minute')}, {plural(day.plays, 'full play')}" if day else f"{label}: -"

    return Chart(
        "calendar",
        "Every day",
        f"Minutes listened on each day ({tz}), a row of weeks per year, Monday at the top. {STRONGER}",
        svg.calendar(years, {day.label: day.minutes for day in days}, tip),
        Table(
            ["day", "minutes", "full plays"], [[day.label, day.minutes, day.plays] for day in days], frozenset({1, 2})
        ),
    )


def entry_bars(
    chart_id: str,
    title: str,
    description: str,
    entries: Sequence[Entry],
    named: Callable[[Entry], str],
    by_artist: bool = True,
) -> Chart:
    """Ranked tracks, artists or albums as bars of their full plays (what they rank by); `by_artist`: their table
    names the artist too."""
    items = [
        (
            named(entry),
            entry.plays,
            f"#{rank} {named(entry)}: {plural(entry.plays, 'full play')}, {plural(entry.minutes, 'minute')}",
        )
        for rank, entry in enumerate(entries, start=1)
    ]
    artist = ["artist"] if by_artist else []
    rows = [
        [rank, entry.name, *([entry.artist] if by_artist else []), entry.plays, entry.minutes]
        for rank, entry in enumerate(entries, start=1)
    ]
    headings = ["rank", "name", *artist, "full plays", "minutes"]
    numeric = frozenset({0, len(headings) - 2, len(headings) - 1})
    return Chart(chart_id, title, description, svg.bars(items), Table(headings, rows, numeric))
