"""tm wrapped: a year in review as JSON, and as a compact page of tables, bars and a heat grid for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from music_time_machine.render.analytics import bar
from music_time_machine.render.console import JsonObject, emit_json, message
from music_time_machine.render.tables import Block, Column, Styled, Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.wrapped import Entry, Period, Streak, Totals, Wrapped

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEAT = " ░▒▓█"  # no listening, then each quarter of the busiest hour's minutes


def _counts_json(entry: Entry) -> JsonObject:
    """The numbers an entry ranks by: full plays, their minutes, the latest full play."""
    return {"plays": entry.plays, "minutes": entry.minutes, "last_played_at": entry.last_full_at}


def _track_json(entry: Entry) -> JsonObject:
    return {"uri": entry.uri, "name": entry.name, "artist": entry.artist, "album": entry.album, **_counts_json(entry)}


def _artist_json(entry: Entry) -> JsonObject:
    return {"artist": entry.name, **_counts_json(entry)}


def _album_json(entry: Entry) -> JsonObject:
    return {"name": entry.name, "artist": entry.artist, **_counts_json(entry)}


def _discovery_json(entry: Entry) -> JsonObject:
    return {**_track_json(entry), "first_played_at": entry.first_played_at}


def _skipped_json(entry: Entry) -> JsonObject:
    share = round(entry.skip_share, 3)
    return {
        "uri": entry.uri,
        "name": entry.name,
        "artist": entry.artist,
        "skips": entry.skips,
        "plays": entry.plays,
    } | {"skip_share": share}


def _ranked_json(entries: list[Entry], shape: Callable[[Entry], JsonObject]) -> list[JsonObject]:
    return [{"rank": rank, **shape(entry)} for rank, entry in enumerate(entries, start=1)]


def period_json(period: Period | None, label: str) -> JsonObject | None:
    return None if period is None else {label: period.label, "minutes": period.minutes, "plays": period.plays}


def streak_json(streak: Streak) -> JsonObject:
    return {"days": streak.days, "from": streak.first, "to": streak.last}


def _previous_json(wrapped: Wrapped) -> JsonObject | None:
    before = wrapped.previous
    changes = {"minutes_change": wrapped.minutes_change, "plays_change": wrapped.plays_change}
    return None if before is None else {"minutes": before.minutes, "plays": before.plays, **changes}


def wrapped_json(wrapped: Wrapped) -> JsonObject:
    return {
        "year": wrapped.year,
        "tz": wrapped.tz,
        "minutes": wrapped.totals.minutes,
        "plays": wrapped.totals.plays,
        "skips": wrapped.totals.skips,
        "distinct": {
            "tracks": wrapped.distinct_tracks,
            "artists": wrapped.distinct_artists,
            "albums": wrapped.distinct_albums,
        },
        "top_tracks": _ranked_json(wrapped.top_tracks, _track_json),
        "top_artists": _ranked_json(wrapped.top_artists, _artist_json),
        "top_albums": _ranked_json(wrapped.top_albums, _album_json),
        "discoveries": _ranked_json(wrapped.discoveries, _discovery_json),
        "most_skipped": _ranked_json(wrapped.most_skipped, _skipped_json),
        "top_month": period_json(wrapped.top_month, "month"),
        "busiest_day": period_json(wrapped.busiest_day, "date"),
        "longest_streak": streak_json(wrapped.streak),
        "days": [period_json(day, "date") for day in wrapped.days],
        "clock": wrapped.clock_minutes,
        "months": [
            {**(period_json(month, "month") or {}), "top_track": month.top_track and _track_json(month.top_track)}
            for month in wrapped.months
        ],
        "previous": _previous_json(wrapped),
    }


def show_no_plays(wrapped: Wrapped) -> None:
    """A year without plays, on stderr: and which years have some."""
    years = wrapped.years_with_plays
    where = f"Years with plays: {', '.join(map(str, years))}." if years else "Run `tm import` with your data export."
    message(f"No plays stored for {wrapped.year} ({wrapped.tz}). {where}")


def _minutes_text(minutes: int) -> str:
    return f"{minutes:,} min"


def _change_text(change: float | None, what: str) -> str:
    return f"{what} n/a" if change is None else f"{change:+.1f}% {what}"


def _headline(wrapped: Wrapped) -> list[Block]:
    totals: Totals = wrapped.totals
    lines: list[Block] = [
        Styled(f"Your {wrapped.year} in music ({wrapped.tz})", "bold"),
        f"{totals.minutes:,} minutes · {totals.plays:,} plays · {totals.skips:,} skips · "
        f"{wrapped.distinct_tracks:,} tracks · {wrapped.distinct_artists:,} artists · "
        f"{wrapped.distinct_albums:,} albums",
    ]
    if wrapped.previous is not None:
        changes = f"{_change_text(wrapped.minutes_change, 'minutes')}, {_change_text(wrapped.plays_change, 'plays')}"
        lines.append(f"Against {wrapped.year - 1}: {changes}")
    facts = []
    if wrapped.top_month is not None:
        facts.append(f"top month {wrapped.top_month.label} ({_minutes_text(wrapped.top_month.minutes)})")
    if wrapped.busiest_day is not None:
        facts.append(f"busiest day {wrapped.busiest_day.label} ({_minutes_text(wrapped.busiest_day.minutes)})")
    streak = wrapped.streak
    if streak.days:
        facts.append(
            f"longest streak {streak.days} day{'s' if streak.days > 1 else ''} ({streak.first} … {streak.last})"
        )
    if facts:
        lines.append(" · ".join(facts).capitalize())
    return [*lines, ""]


def _tracks(title: str, entries: list[Entry]) -> Table:
    table = Table.of(title, number("#"), "track", "artist", number("plays"), number("min"))
    for rank, entry in enumerate(entries, start=1):
        table.add_row(rank, entry.name, entry.artist, entry.plays, entry.minutes)
    return table


def _artists_and_albums(wrapped: Wrapped) -> tuple[Table, Table]:
    artists = Table.of("Top artists", number("#"), "artist", number("plays"), number("min"))
    for rank, entry in enumerate(wrapped.top_artists, start=1):
        artists.add_row(rank, entry.name, entry.plays, entry.minutes)
    albums = Table.of("Top albums", number("#"), "album", "artist", number("plays"))
    for rank, entry in enumerate(wrapped.top_albums, start=1):
        albums.add_row(rank, entry.name, entry.artist, entry.plays)
    return artists, albums


def _skipped(entries: list[Entry]) -> Table:
    table = Table.of("Most skipped", number("#"), "track", "artist", number("skips"), number("share"))
    for rank, entry in enumerate(entries, start=1):
        table.add_row(rank, entry.name, entry.artist, entry.skips, f"{entry.skip_share:.0%}")
    return table


def _months(wrapped: Wrapped) -> Table:
    table = Table.of("Month by month", "month", number("min"), Column("", style="green"), "song of the month")
    most = max((month.ms_played for month in wrapped.months), default=0) or 1
    for month in wrapped.months:
        song = month.top_track and f"{month.top_track.name} · {month.top_track.artist}"
        table.add_row(month.label, f"{month.minutes:,}", bar(month.ms_played / most, 16), song)
    return table


def clock_lines(clock: list[list[int]]) -> list[str]:
    """The listening clock as a heat grid: a row per weekday, two columns per hour, shaded by its minutes."""
    most = max(map(max, clock), default=0)
    shades = len(HEAT) - 1

    def cell(minutes: int) -> str:
        return 2 * (HEAT[0] if not minutes else HEAT[max(1, -(-minutes * shades // most))])

    hours = "".join(f"{hour:<6}" for hour in range(0, 24, 3))
    lines = [f"     {hours}".rstrip()]
    lines += [f"{day}  {''.join(map(cell, row))}" for day, row in zip(WEEKDAYS, clock, strict=True)]
    lines.append(f"     {' '.join(f'{HEAT[i]} ≤{-(-most * i // shades):,}' for i in range(1, len(HEAT)))} min an hour")
    return lines


def show_wrapped(wrapped: Wrapped, *, as_json: bool) -> None:
    """JSON on stdout (every key, a year without plays too) or the page; a year without plays is said on stderr."""
    if as_json:
        emit_json(wrapped_json(wrapped))
    elif not wrapped.empty:
        show(*_page(wrapped))
    if wrapped.empty:
        show_no_plays(wrapped)


def _page(wrapped: Wrapped) -> list[Block]:
    artists, albums = _artists_and_albums(wrapped)
    blocks: list[Block] = [*_headline(wrapped), (_tracks("Top tracks", wrapped.top_tracks), artists), albums]
    if wrapped.discoveries:
        blocks.append(_tracks("Discoveries (first played this year)", wrapped.discoveries))
    if wrapped.most_skipped:
        blocks.append(_skipped(wrapped.most_skipped))
    blocks += [_months(wrapped), "", Styled("Listening clock (minutes per hour of the week)", "italic")]
    return blocks + clock_lines(wrapped.clock_minutes)
