"""Charts from plays: what Spotify's chart would have said at the end of a month, computed from stored plays.

The window of month M is the 28 (short_term), 182 (medium_term) or 365 (long_term) days ending at the last instant of
M (UTC). Tracks rank by full plays in the window, then by the milliseconds of those full plays, then by the latest
full play, then by track key; the top 50 chart. A track's key is its URI; a play without one takes the smallest URI
of another play with the same artist and title (ASCII letters compared without case), else the key is that artist
and title. Windows are sums of whole months (`play_months`) plus at most three edge days read from `plays`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from music_time_machine.errors import TmError
from music_time_machine.models import Artist, Month, Snapshot, TimeRange, Track, utc_iso
from music_time_machine.store import Store
from music_time_machine.store.play_months import ChartRow, MonthSums

WINDOW_DAYS = {TimeRange.SHORT: 28, TimeRange.MEDIUM: 182, TimeRange.LONG: 365}
FULL_MONTHS = {TimeRange.SHORT: 1, TimeRange.MEDIUM: 6, TimeRange.LONG: 12}  # whole months ending with M in a window
CHART_SIZE = 50
LAST_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Window:
    """Month M's window as whole months `first`..M, corrected by the edge days [edge_start, edge_end): added
    (sign 1, days before `first`) or taken away (sign -1, the first days of `first`)."""

    start: datetime
    end: datetime
    first: Month
    edge_start: datetime
    edge_end: datetime
    sign: int


def window(month: Month, time_range: TimeRange) -> Window:
    end = month.shift(1).start
    start = end - timedelta(days=WINDOW_DAYS[time_range])
    first = month.shift(1 - FULL_MONTHS[time_range])
    if start < first.start:
        return Window(start, end, first, start, first.start, 1)
    return Window(start, end, first, first.start, start, -1)


def chart_taken_at(month: Month) -> str:
    """A plays chart's time: the last second of its month (the end of its window)."""
    return utc_iso(month.shift(1).start - LAST_SECOND)


Sums = list[Any]  # [plays, full_ms, last_full_at]: a track's running totals in a window
Keyed = tuple[str, str | None, MonthSums]  # a track's key, its URI (None: not known) and one row of its sums


def _keyed(rows: Iterable[MonthSums], uris_by_name: dict[tuple[str, str], str]) -> list[Keyed]:
    keyed = []
    for row in rows:
        uri = row.track_uri or uris_by_name.get((row.artist_key, row.title_key))
        keyed.append((uri or f"{row.artist_key}\t{row.title_key}", uri, row))
    return keyed


def _add(totals: dict[str, Sums], rows: list[Keyed], sign: int) -> None:
    for key, _uri, row in rows:
        entry = totals.get(key)
        if entry is None:
            totals[key] = [sign * row.plays, sign * row.full_ms, row.last_full_at if sign > 0 else None]
            continue
        entry[0] += sign * row.plays
        entry[1] += sign * row.full_ms
        if sign > 0 and row.last_full_at and (entry[2] is None or row.last_full_at > entry[2]):
            entry[2] = row.last_full_at


def rank_chart(
    totals: dict[str, Sums], edge: dict[str, Sums], size: int = CHART_SIZE
) -> list[tuple[int, int, str, str]]:
    """The first `size` tracks of a chart from plays, as (plays, full_ms, last_full_at, key): most full plays, then
    the most ms of them, then the latest full play, then the key. `totals` holds each track's [plays, full_ms,
    last_full_at] in the window's whole months, `edge` what its edge days add or take away (empty: none); a track
    ranks only with at least one full play. Everything tied with the last place is weighed, so ties break the
    same way whatever order `totals` came in."""
    scored = []
    for key, (plays, full_ms, last) in totals.items():
        correction = edge.get(key)
        if correction:
            plays, full_ms = plays + correction[0], full_ms + correction[1]
            last = max(last or "", correction[2] or "")
        if plays > 0:
            scored.append((plays, full_ms, last, key))
    for key, (plays, full_ms, last) in edge.items():  # tracks only the added edge days hold
        if key not in totals and plays > 0:
            scored.append((plays, full_ms, last, key))
    best = heapq.nlargest(size, scored, key=itemgetter(0, 1))
    if len(best) == size:  # everything tied with the last place competes for it
        floor = best[-1][:2]
        best = [entry for entry in scored if entry[:2] >= floor]
    best.sort(key=itemgetter(3))
    best.sort(key=itemgetter(2), reverse=True)  # stable: ties keep the key order
    best.sort(key=itemgetter(0, 1), reverse=True)
    return best[:size]


def compute_charts(
    time_range: TimeRange,
    sums: dict[str, list[Keyed]],
    edge_sums: Callable[[datetime, datetime], list[Keyed]],
    months: list[Month],
    names: dict[str, tuple[str | None, MonthSums]],
) -> list[ChartRow]:
    """Pure but for `edge_sums`: the charts of `months` (oldest first), sliding whole months through the window."""
    rows: list[ChartRow] = []
    totals: dict[str, Sums] = {}
    wanted, reach = set(months), FULL_MONTHS[time_range]
    start = month = months[0].shift(1 - reach)
    while month <= months[-1]:
        _add(totals, sums.get(str(month), []), 1)
        if month.shift(-reach) >= start:  # the month that just left the window was added before
            _add(totals, sums.get(str(month.shift(-reach)), []), -1)
        if month in wanted:
            w = window(month, time_range)
            edge: dict[str, Sums] = {}
            if w.edge_start < w.edge_end:
                _add(edge, edge_sums(w.edge_start, w.edge_end), w.sign)
            for rank, (plays, full_ms, last_full, key) in enumerate(rank_chart(totals, edge), start=1):
                uri, shown = names[key]
                row = ChartRow(
                    time_range.value,
                    str(month),
                    rank,
                    uri,
                    shown.track_name,
                    shown.artist_name,
                    shown.album_name,
                    plays,
                    full_ms,
                    last_full,
                )
                rows.append(row)
        month = month.shift(1)
    return rows


def _names(keyed: Iterable[Keyed]) -> dict[str, tuple[str | None, MonthSums]]:
    """Per key, its URI and the row whose spelling a chart shows: the smallest (track name, artist)."""
    names: dict[str, tuple[str | None, MonthSums]] = {}
    for key, uri, row in keyed:
        shown = names.get(key)
        if shown is None or (row.track_name, row.artist_name) < (shown[1].track_name, shown[1].artist_name):
            names[key] = (uri, row)
    return names


def refresh_play_charts(store: Store, user_id: str, time_range: TimeRange, first: Month, last: Month) -> None:
    """Compute the charts of `time_range` from `first` to `last` that are missing or count changed plays."""
    stale = [Month.parse(m) for m in store.play_months.stale(user_id, time_range.value, str(first), str(last))]
    if not stale:
        return
    uris_by_name = store.play_months.uris_by_name(user_id)
    loaded = _keyed(store.play_months.sums(user_id, str(stale[0].shift(-12)), str(stale[-1])), uris_by_name)
    by_month: dict[str, list[Keyed]] = {}
    for keyed in loaded:
        by_month.setdefault(keyed[2].month, []).append(keyed)

    def edge_sums(start: datetime, end: datetime) -> list[Keyed]:
        return _keyed(store.play_months.sums_between(user_id, utc_iso(start), utc_iso(end)), uris_by_name)

    rows = compute_charts(time_range, by_month, edge_sums, stale, _names(loaded))
    with store.transaction():
        store.play_months.save_charts(user_id, time_range.value, [str(m) for m in stale], rows)


def plays_months(store: Store, user_id: str) -> list[Month]:
    """Every month from the first to the last with plays (the months plays charts exist for)."""
    span = store.play_months.span(user_id)
    if span is None:
        return []
    month, last, months = Month.parse(span[0]), Month.parse(span[1]), []
    while month <= last:
        months.append(month)
        month = month.shift(1)
    return months


def last_plays_month(store: Store, user_id: str, now: datetime) -> Month:
    """The month of "today's" plays charts: the last month with plays that is over (a month still running has
    most of its 28-day window ahead: on its first days, that chart is empty), else the one running."""
    span = store.play_months.span(user_id)
    if span is None:
        raise TmError("No plays stored yet to compute charts from.", hint="Run `tm import` with your data export.")
    return Month.parse(store.play_months.last_before(user_id, str(Month.of(now))) or span[1])


def plays_snapshots(store: Store, user_id: str, first: Month, last: Month, ranges: list[TimeRange]) -> list[Snapshot]:
    """The plays charts of the months `first`..`last` as snapshots taken at each month's end (a month whose window
    holds no full play has none), oldest first."""
    months = plays_months(store, user_id)
    if not months:
        return []
    first, last = max(first, months[0]), min(last, months[-1])
    if first > last:
        return []
    for time_range in ranges:
        refresh_play_charts(store, user_id, time_range, first, last)
    charts: dict[tuple[str, str], list[Track]] = {}
    for row in store.play_months.charts(user_id, [r.value for r in ranges], str(first), str(last)):
        track = Track(row.track_uri, row.track_name, (Artist("", row.artist_name),), album_name=row.album_name)
        charts.setdefault((row.month, row.time_range), []).append(track)
    return [
        Snapshot(user_id, TimeRange(time_range), chart_taken_at(Month.parse(month)), tracks)
        for (month, time_range), tracks in charts.items()
    ]
