"""tm wrapped as a page: the year's numbers, top lists as bars, the months, every day, the listening clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.html import svg
from music_time_machine.render.html.charts import calendar_chart, clock_chart, entry_bars, plural
from music_time_machine.render.html.page import Chart, Section, Table, document, missing, numbers

if TYPE_CHECKING:
    from music_time_machine.services.wrapped import Entry, Wrapped

FOOTER = "Made by tm, the Music Time Machine, from your stored plays. Nothing on this page was loaded from anywhere."


def _track(entry: Entry) -> str:
    return f"{entry.name} - {entry.artist}"


def _change(change: float | None) -> str:
    return "no year before" if change is None else f"{change:+.1f}%"


def _numbers(wrapped: Wrapped) -> str:
    streak = wrapped.streak
    run = f" ({streak.first} to {streak.last})" if streak.days else ""
    shown = [
        ("minutes", f"{wrapped.totals.minutes:,}"),
        ("full plays", f"{wrapped.totals.plays:,}"),
        ("skips", f"{wrapped.totals.skips:,}"),
        ("tracks", f"{wrapped.distinct_tracks:,}"),
        ("artists", f"{wrapped.distinct_artists:,}"),
        ("albums", f"{wrapped.distinct_albums:,}"),
        (f"longest streak{run}", plural(streak.days, "day")),
        ("minutes against the year before", _change(wrapped.minutes_change)),
        ("full plays against the year before", _change(wrapped.plays_change)),
    ]
    if wrapped.top_month:
        shown.append((f"in {wrapped.top_month.label}, the top month", plural(wrapped.top_month.minutes, "minute")))
    if wrapped.busiest_day:
        shown.append(
            (f"on {wrapped.busiest_day.label}, the busiest day", plural(wrapped.busiest_day.minutes, "minute"))
        )
    if wrapped.previous:
        before = wrapped.previous
        shown.append((f"minutes and full plays in {wrapped.year - 1}", f"{before.minutes:,} / {before.plays:,}"))
    return numbers(shown)


def _months(wrapped: Wrapped) -> Chart:
    def song(entry: Entry | None) -> str:
        return _track(entry) if entry else "-"

    items = [
        (
            month.label[5:],
            month.minutes,
            f"{month.label}: {plural(month.minutes, 'minute')}; song: {song(month.top_track)}",
        )
        for month in wrapped.months
    ]
    rows = [[month.label, month.minutes, month.plays, song(month.top_track)] for month in wrapped.months]
    return Chart(
        "months",
        "Month by month",
        "Minutes listened in each month, with the song of the month (its most played track) in each tooltip.",
        svg.columns(items),
        Table(["month", "minutes", "full plays", "song of the month"], rows, frozenset({1, 2})),
    )


def _skipped(wrapped: Wrapped) -> Chart:
    items = [
        (
            _track(entry),
            entry.skips,
            f"#{rank} {_track(entry)}: {plural(entry.skips, 'skip')}, {entry.skip_share:.0%} of its plays",
        )
        for rank, entry in enumerate(wrapped.most_skipped, start=1)
    ]
    rows = [
        [rank, entry.name, entry.artist, entry.skips, f"{entry.skip_share:.0%}"]
        for rank, entry in enumerate(wrapped.most_skipped, start=1)
    ]
    return Chart(
        "most-skipped",
        "Most skipped",
        "Tracks skipped at least 3 times this year, with the share of their plays that were skips.",
        svg.bars(items),
        Table(["rank", "name", "artist", "skips", "skip share"], rows, frozenset({0, 3, 4})),
    )


def _ranked(wrapped: Wrapped) -> list[Chart]:
    charts = [
        entry_bars("top-tracks", "Top tracks", "Your 10 most played tracks (full plays).", wrapped.top_tracks, _track),
        entry_bars(
            "top-artists", "Top artists", "Your 10 most played artists.", wrapped.top_artists, lambda e: e.name, False
        ),
        entry_bars("top-albums", "Top albums", "Your 10 most played albums.", wrapped.top_albums, _track),
    ]
    if wrapped.discoveries:
        what = "Tracks you first played this year, most played first."
        charts.append(entry_bars("discoveries", "Discoveries", what, wrapped.discoveries, _track))
    if wrapped.most_skipped:
        charts.append(_skipped(wrapped))
    return charts


def wrapped_page(wrapped: Wrapped) -> str:
    """The year in review as one self-contained page (of a year with plays: the CLI writes none for one without)."""
    title = f"Your {wrapped.year} in music"
    subtitle = f"From your stored plays, on the clock of {wrapped.tz}."
    sections = [
        Section("year", "The year in numbers", _numbers(wrapped)),
        Section(
            "top",
            "Top of the year",
            "".join(chart.html() for chart in _ranked(wrapped))
            if wrapped.top_tracks
            else missing("No full plays this year (only skips), so nothing ranks."),
        ),
        Section("by-month", "Month by month", _months(wrapped).html()),
        Section("by-day", "Every day", calendar_chart([wrapped.year], wrapped.days, wrapped.tz).html()),
        Section("by-hour", "When you listen", clock_chart(wrapped.clock_minutes, wrapped.tz, "this year").html()),
    ]
    return document(title, subtitle, sections, FOOTER)
