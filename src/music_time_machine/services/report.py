"""tm report: a listener's whole time machine, the data of one page (its HTML is render's).

Charts, their evolution and the artists' stream are per UTC month, as charts are everywhere in tm. Days, hours and
years are those of `zone`: the plays are summed in SQL per UTC hour, half-hour or quarter-hour (the coarsest the
zone's offsets allow: every real one is whole quarter-hours), and each bucket is put on the zone's clock here; a
bucket the zone's offset changes inside is read play by play. Years are whole years, as `tm wrapped` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from music_time_machine.errors import UsageError
from music_time_machine.models import ChartsFrom, Month, TimeRange, User, utc_iso
from music_time_machine.services.chart_source import chart_months, choose_source
from music_time_machine.services.evolution import Evolution, MonthChart, evolution
from music_time_machine.services.gems import ChartedGems, TodaysGems, gems_from_charts, gems_from_plays_charts
from music_time_machine.services.month_charts import charts_between
from music_time_machine.services.play_charts import CHART_SIZE
from music_time_machine.services.wrapped import (
    FIRST_YEAR,
    LAST_YEAR,
    InMinutes,
    LocalClock,
    LocalHour,
    Period,
    empty_clock,
    year_bounds,
)
from music_time_machine.store import Store

BUMP_TRACKS = 10  # lines of the bump chart
STREAM_ARTISTS = 8  # artists of the stream graph; the rest of each month is everyone else
GEMS = 30  # forgotten gems on the page
MAX_MONTHS = 1_200  # a period of at most 100 years: bounded time and memory whatever --since and --until say
_SECOND = timedelta(seconds=1)
_DAY_ENDS = (timedelta(0), timedelta(days=1) - _SECOND)


@dataclass(frozen=True)
class YearSummary(InMinutes):
    year: int  # on the zone's clock: the numbers `tm wrapped YEAR --tz ZONE --json` gives
    ms_played: int  # every stored play, skips included
    plays: int  # full plays
    skips: int
    distinct_artists: int


@dataclass(frozen=True)
class RankLine:
    """One track of the bump chart."""

    key: str
    uri: str | None
    name: str
    artist: str
    ranks: list[int | None]  # its short-term chart rank in each of Report.months (None: absent, or a gap)


@dataclass(frozen=True)
class ArtistStream:
    """One artist of the stream graph."""

    artist: str
    ms: list[int]  # its ms in each of Report.months (every stored play, skips included)


@dataclass(frozen=True)
class Report:
    tz: str
    source: ChartsFrom  # where the charts came from
    first: Month | None  # the period shown (None: nothing stored at all)
    last: Month | None
    years: list[YearSummary]  # each year with plays in the period, counted whole
    days: list[Period]  # each day (on the zone's clock) with plays in the period, ascending
    clock: list[list[int]]  # ms per weekday (Monday first) and hour of the period's plays
    months: list[Month]  # every month of the period
    month_ms: list[int]  # the listener's ms in each month (every stored play)
    bump: list[RankLine]  # the BUMP_TRACKS tracks with the most chart points (see `bump_lines`)
    artists: list[ArtistStream]  # the STREAM_ARTISTS artists with the most ms in the period, most first
    evolution: Evolution | None  # of the period's short-term charts; None with fewer than two
    gems: TodaysGems | ChartedGems | None  # the first GEMS of today's (see `_gems`); None: nothing to look in

    @property
    def busiest_day(self) -> Period | None:
        """The day with the most ms; the earliest of equals."""
        return min(self.days, key=lambda day: (-day.ms_played, day.label), default=None)


def parse_period(since: str | None, until: str | None) -> tuple[Month | None, Month | None]:
    first, last = (Month.parse(text) if text else None for text in (since, until))
    if first is not None and last is not None and first > last:
        raise UsageError(f"--since {first} is after --until {last}.")
    return first, last


def _period(since: Month | None, until: Month | None, stored: list[Month]) -> tuple[Month, Month] | tuple[None, None]:
    """--since to --until; either left out: the first or last month with charts or plays (or the other one)."""
    first = since or (min(stored) if stored else until)
    last = until or (max(stored) if stored else since)
    if first is None or last is None:
        return None, None
    first, last = (first, max(first, last)) if since else (min(first, last), last)
    if last.index - first.index >= MAX_MONTHS:
        raise UsageError(f"{first} to {last} is more than {MAX_MONTHS // 12} years.", hint="Narrow --since/--until.")
    return first, last


def months_from(first: Month, last: Month) -> list[Month]:
    return [first.shift(n) for n in range(last.index - first.index + 1)]


def listening_report(
    store: Store,
    user: User,
    zone: ZoneInfo,
    since: Month | None,
    until: Month | None,
    source: ChartsFrom | None,
    now: datetime,
) -> Report:
    """The listener's report of the months `since` to `until` (default: all), days and hours on `zone`'s clock."""
    chosen = choose_source(store, user.id, source, since, until)
    charted = chart_months(store, user.id, chosen)
    span = store.play_months.span(user.id)
    stored = charted + ([Month.parse(span[0]), Month.parse(span[1])] if span else [])
    first, last = _period(since, until, stored)
    found = _gems(store, user, now, source, has_plays=span is not None)
    if first is None or last is None:
        return Report(zone.key, chosen, None, None, [], [], empty_clock(), [], [], [], [], None, found)
    months = months_from(first, last)
    listened = _listening(store, user.id, zone, first, last)
    no_charts = [MonthChart(month, None) for month in months]
    charts = charts_between(store, user.id, TimeRange.SHORT, first, last, CHART_SIZE, chosen) if charted else no_charts
    return Report(
        zone.key,
        chosen,
        first,
        last,
        [_year(store, user.id, zone, year, sums) for year, sums in sorted(listened.years.items())],
        [Period(day, ms, plays) for day, (ms, plays, _stored) in sorted(listened.days.items())],
        listened.clock,
        months,
        [listened.month_ms.get(str(month), 0) for month in months],
        bump_lines(charts),
        _streams(store, user.id, first, last),
        evolution(charts) if sum(chart.tracks is not None for chart in charts) >= 2 else None,
        found,
    )


def _gems(
    store: Store, user: User, now: datetime, wanted: ChartsFrom | None, *, has_plays: bool
) -> TodaysGems | ChartedGems | None:
    """Today's gems, from what is kept: with plays (unless --source spotify), as `tm gems --source plays --limit
    GEMS` finds them (the long-term chart from plays minus the short-term one, both kept charts: quick); else from
    the snapshots, as `tm gems --from-history --limit GEMS`; None when there is nothing of the kind to look in.
    (`--from-history` from plays would count every play ever again: 5 s of a 1M-play report.)"""
    if wanted is ChartsFrom.PLAYS or (wanted is None and has_plays):
        if not has_plays:
            return None
        month, found = gems_from_plays_charts(store, user, now, GEMS)
        return TodaysGems(found, ChartsFrom.PLAYS, month)
    return ChartedGems(gems_from_charts(store, user, GEMS)) if store.snapshots.months(user.id) else None


class _Listening:
    """The plays summed on the zone's clock: per day and hour of the week those of the period's months on that clock
    (a play at 20:00 UTC on 31 December is in Tokyo's January); per UTC month those of the period's UTC months (as
    charts and the artists' stream count them); per year (whole years, of those with days in the period) every
    play of it."""

    def __init__(self, first: Month, last: Month) -> None:
        self.first, self.last = str(first), str(last)
        self.days: dict[str, list[int]] = {}  # ms, full plays, stored plays
        self.clock = empty_clock()
        self.month_ms: dict[str, int] = {}
        self.whole_years: dict[int, list[int]] = {}
        self.in_period: set[int] = set()

    def add(self, utc_month: str, local: LocalHour, ms: int, plays: int, stored: int) -> None:
        day, _month, weekday, hour = local
        year = int(day[:4])
        sums = self.whole_years.get(year) or self.whole_years.setdefault(year, [0, 0, 0])
        sums[0], sums[1], sums[2] = sums[0] + ms, sums[1] + plays, sums[2] + stored
        if self.first <= day[:7] <= self.last:
            self.in_period.add(year)
            sums = self.days.get(day) or self.days.setdefault(day, [0, 0, 0])
            sums[0], sums[1], sums[2] = sums[0] + ms, sums[1] + plays, sums[2] + stored
            self.clock[weekday][hour] += ms
        if self.first <= utc_month <= self.last:
            self.month_ms[utc_month] = self.month_ms.get(utc_month, 0) + ms

    @property
    def years(self) -> dict[int, list[int]]:
        return {year: sums for year, sums in self.whole_years.items() if year in self.in_period}


def _offset_changes(zone: ZoneInfo, start: str, length: timedelta) -> bool:
    """Does the zone's offset change within [start, start + length) (start: YYYY-MM-DDTHH:MM, UTC)?"""
    try:
        moment = datetime.fromisoformat(f"{start}:00+00:00")
        return moment.astimezone(zone).utcoffset() != (moment + length - _SECOND).astimezone(zone).utcoffset()
    except (ValueError, OverflowError):
        return False


def bucket_minutes(zone: ZoneInfo, start: datetime, end: datetime) -> int:
    """The coarsest bucket (60, 30 or 15 minutes) whose edges every offset of the zone from `start` to `end` keeps
    on the zone's hours (sampled daily: a zone keeps an offset for months)."""
    offsets: set[int] = set()
    day = start
    while day < end:
        offset = day.astimezone(zone).utcoffset()
        offsets.add(int(offset.total_seconds()) // 60 if offset is not None else 0)
        day += timedelta(days=1)
    return next((minutes for minutes in (60, 30) if all(o % minutes == 0 for o in offsets)), 15)


STRADDLED: LocalHour = ("", 0, 0, 0)  # a bucket whose plays are put on the clock one by one
LocalDay = tuple[str, int, int]  # a day on the zone's clock: YYYY-MM-DD, month (1-12), weekday (Monday 0)


class _BucketClock:
    """Where each bucket of plays falls on the zone's clock, and which buckets the offset changes inside. A UTC day
    the offset is the same all through is worked out once (a bucket's hour is then sums of minutes); in a day it
    changes, each bucket is put on the clock by itself."""

    def __init__(self, zone: ZoneInfo, minutes: int) -> None:
        self.zone, self.length = zone, timedelta(minutes=minutes)
        self.clock = LocalClock(zone)
        self._days: dict[str, tuple[date, int | None] | None] = {}  # None: not a real day
        self._local_days: dict[tuple[date, int], LocalDay] = {}

    def _day(self, day: str) -> tuple[date, int | None] | None:
        """The UTC day and the zone's offset in minutes all through it (None: it changes that day)."""
        if day in self._days:
            return self._days[day]
        try:
            midnight = datetime.fromisoformat(f"{day}T00:00:00+00:00")
            offsets = {(midnight + hours).astimezone(self.zone).utcoffset() for hours in _DAY_ENDS}
        except (ValueError, OverflowError):
            self._days[day] = None
            return None
        offset = offsets.pop() if len(offsets) == 1 else None
        minutes = None if offset is None else int(offset.total_seconds()) // 60
        known = self._days[day] = (midnight.date(), minutes)
        return known

    def local(self, start: str) -> LocalHour | None:
        """The bucket's day, month, weekday and hour on the zone's clock (None: not a real time; STRADDLED: the
        offset changes inside the bucket)."""
        known = self._day(start[:10])
        if known is None:
            return None
        day, offset = known
        if offset is None:
            return STRADDLED if _offset_changes(self.zone, start, self.length) else self.clock.of(f"{start}:00Z")
        hour, minute = start[11:13], start[14:16]
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24):
            return None
        days_later, local_minute = divmod(int(hour) * 60 + int(minute) + offset, 24 * 60)
        local_day = self._local_days.get((day, days_later))
        if local_day is None:
            moved = day + timedelta(days=days_later)
            local_day = self._local_days[day, days_later] = (moved.isoformat(), moved.month, moved.weekday())
        return (*local_day, local_minute // 60)


def _span(zone: ZoneInfo, first: Month, last: Month) -> tuple[datetime, datetime]:
    """The UTC months, widened to the whole years (on the zone's clock) they touch."""
    start, end = first.start, last.shift(1).start
    first_year = max(FIRST_YEAR, start.astimezone(zone).year)
    last_year = min(LAST_YEAR, (end - _SECOND).astimezone(zone).year)
    year_start = datetime.fromisoformat(year_bounds(first_year, zone)[0])
    year_end = datetime.fromisoformat(year_bounds(last_year, zone)[1])
    return min(start, year_start), max(end, year_end)


def _listening(store: Store, user_id: str, zone: ZoneInfo, first: Month, last: Month) -> _Listening:
    listened = _Listening(first, last)
    start, end = _span(zone, first, last)
    span = store.play_months.span(user_id)
    if span is None:
        return listened
    stored_start, stored_end = Month.parse(span[0]).start, Month.parse(span[1]).shift(1).start
    minutes = bucket_minutes(zone, max(start, stored_start), min(end, stored_end))
    clock = _BucketClock(zone, minutes)
    for bucket in store.report.buckets(user_id, utc_iso(start), utc_iso(end), minutes):
        local = clock.local(bucket.start)
        if local is STRADDLED:
            _add_plays(store, user_id, clock, bucket.start, listened)
        elif local is not None:  # None: a time an older tm stored unchecked (2025-13-45), in no day
            listened.add(bucket.start[:7], local, bucket.ms_played, bucket.plays, bucket.stored)
    return listened


def _add_plays(store: Store, user_id: str, clock: _BucketClock, start: str, listened: _Listening) -> None:
    """The plays of one bucket, each on the zone's clock."""
    moment = datetime.fromisoformat(f"{start}:00+00:00")
    for play in store.plays.facts_between(user_id, utc_iso(moment), utc_iso(moment + clock.length)):
        local = clock.clock.of(play.played_at)
        if local is not None:
            listened.add(play.played_at[:7], local, play.ms_played, play.full, 1)


def _year(store: Store, user_id: str, zone: ZoneInfo, year: int, sums: list[int]) -> YearSummary:
    """A year's numbers; its artists from the monthly sums of the UTC months inside it and, for the hours of the
    months it shares with the years around it, from those plays."""
    ms, plays, stored = sums
    start, end = (datetime.fromisoformat(bound) for bound in year_bounds(year, zone))
    inside_first = Month.of(start) if start == Month.of(start).start else Month.of(start).shift(1)
    inside_last = Month.of(end).shift(-1)
    artists = store.report.artist_keys(user_id, str(inside_first), str(inside_last))
    artists |= store.report.artist_keys_between(user_id, utc_iso(start), utc_iso(inside_first.start))
    artists |= store.report.artist_keys_between(user_id, utc_iso(inside_last.shift(1).start), utc_iso(end))
    return YearSummary(year, ms, plays, stored - plays, len(artists))


def bump_lines(charts: list[MonthChart], size: int = BUMP_TRACKS) -> list[RankLine]:
    """The `size` tracks with the most points over the charts, a track scoring 51 - rank in each month's top 50
    (so both how high and how long count); then the best rank, then the key. Named as in their latest chart."""
    points: dict[str, int] = {}
    best: dict[str, int] = {}
    shown = {}
    for chart in charts:
        for rank, track in enumerate(chart.tracks or [], start=1):
            points[track.key] = points.get(track.key, 0) + CHART_SIZE + 1 - rank
            best[track.key] = min(best.get(track.key, rank), rank)
            shown[track.key] = track
    chosen = sorted(points, key=lambda key: (-points[key], best[key], key))[:size]
    lines = []
    for key in chosen:
        track = shown[key]
        ranks = [_rank_in(chart, key) for chart in charts]
        lines.append(RankLine(key, track.uri, track.name, ", ".join(track.artist_names), ranks))
    return lines


def _rank_in(chart: MonthChart, key: str) -> int | None:
    return next((rank for rank, track in enumerate(chart.tracks or [], start=1) if track.key == key), None)


def _streams(store: Store, user_id: str, first: Month, last: Month) -> list[ArtistStream]:
    """The STREAM_ARTISTS artists with the most ms in the months, most first (equals by key), each named by its
    smallest spelling."""
    index = {str(month): n for n, month in enumerate(months_from(first, last))}
    ms: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for row in store.report.artist_months(user_id, str(first), str(last)):
        if row.month not in index:  # a month an older tm stored unchecked (2025-13), in no period
            continue
        ms.setdefault(row.artist_key, [0] * len(index))[index[row.month]] = row.ms_played
        names[row.artist_key] = min(names.get(row.artist_key, row.artist_name), row.artist_name)
    top = sorted(ms, key=lambda key: (-sum(ms[key]), key))[:STREAM_ARTISTS]
    return [ArtistStream(names[key], ms[key]) for key in top]
