"""tm report: a listener's whole time machine, the data of one page (its HTML is render's).

Charts, their evolution and the artists' stream are per UTC month, as charts are everywhere in tm. Days, hours and
years are those of `zone`: the plays are kept summed per UTC quarter-hour (`store.play_quarters`; every real zone's
offset is whole quarter-hours), and each quarter-hour is put on the zone's clock here, by its UTC day's offset; one
the zone's offset changes inside is read play by play. Years are whole years, as `tm wrapped` counts them.
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
    Period,
    Streak,
    busiest,
    empty_clock,
    longest_streak,
    year_bounds,
)
from music_time_machine.store import Store

BUMP_TRACKS = 10  # lines of the bump chart
STREAM_ARTISTS = 8  # artists of the stream graph; the rest of each month is everyone else
GEMS = 30  # forgotten gems on the page
MAX_MONTHS = 1_200  # a period of at most 100 years: bounded time and memory whatever --since and --until say
_SECOND = timedelta(seconds=1)
_LAST_MINUTES = timedelta(minutes=59, seconds=59)


@dataclass(frozen=True)
class YearSummary(InMinutes):
    year: int  # on the zone's clock: the numbers `tm wrapped YEAR --tz ZONE --json` gives
    ms_played: int  # every stored play, skips included
    plays: int  # full plays
    skips: int
    distinct_artists: int
    top_month: Period | None  # by minutes, as tm wrapped's
    busiest_day: Period | None
    streak: Streak


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
    month_ms = listened.month_ms()
    no_charts = [MonthChart(month, None) for month in months]
    charts = charts_between(store, user.id, TimeRange.SHORT, first, last, CHART_SIZE, chosen) if charted else no_charts
    return Report(
        zone.key,
        chosen,
        first,
        last,
        [_year(store, user.id, zone, year, days) for year, days in listened.years().items()],
        listened.period_days(),
        listened.clock,
        months,
        [month_ms.get(str(month), 0) for month in months],
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
    """The plays summed on the zone's clock: per day (as date ordinals) every day of the span, per hour of the week
    those of the period's days (a play at 20:00 UTC on 31 December is in Tokyo's January); per UTC day every play,
    for the months charts and the artists' stream count (UTC months)."""

    def __init__(self, first: Month, last: Month) -> None:
        self.first, self.last = first, last
        self.low, self.high = first.start.toordinal(), last.shift(1).start.toordinal() - 1  # the period's days
        self.days: dict[int, list[int]] = {}  # ms, full plays, stored plays
        self.clock = empty_clock()
        self.utc_ms: dict[int, int] = {}

    def add(self, day: int, hour: int, ms: int, plays: int, stored: int) -> None:
        """Plays of the zone's day `day` (an ordinal) and `hour`."""
        sums = self.days.get(day) or self.days.setdefault(day, [0, 0, 0])
        sums[0] += ms
        sums[1] += plays
        sums[2] += stored
        if self.low <= day <= self.high:
            self.clock[(day - 1) % 7][hour] += ms  # ordinal 1 (0001-01-01) was a Monday

    def period_days(self) -> list[Period]:
        """Each day of the period with plays, ascending."""
        days = sorted(day for day in self.days if self.low <= day <= self.high)
        return [Period(date.fromordinal(day).isoformat(), self.days[day][0], self.days[day][1]) for day in days]

    def years(self) -> dict[int, dict[str, list[int]]]:
        """Each year with a day in the period: its days (YYYY-MM-DD), every one of them (the span is whole years)."""
        wanted = {date.fromordinal(day).year for day in self.days if self.low <= day <= self.high}
        years: dict[int, dict[str, list[int]]] = {year: {} for year in sorted(wanted)}
        for day, sums in self.days.items():
            shown = date.fromordinal(day)
            if shown.year in years:
                years[shown.year][shown.isoformat()] = sums
        return years

    def month_ms(self) -> dict[str, int]:
        """Each UTC month's ms."""
        months: dict[str, int] = {}
        for day, ms in self.utc_ms.items():
            month = date.fromordinal(day).isoformat()[:7]
            months[month] = months.get(month, 0) + ms
        return months


QUARTER = timedelta(minutes=15)
_HOURS = {f"{hour:02d}": hour * 60 for hour in range(24)}


def _offset(zone: ZoneInfo, start: datetime, length: timedelta) -> int | None:
    """The zone's offset in minutes all through [start, start + length), if it is the same and whole quarter-hours
    (then each quarter-hour in it falls in one hour of the zone's clock); else None."""
    offsets = {(start + at).astimezone(zone).utcoffset() or timedelta(0) for at in (timedelta(0), length - _SECOND)}
    seconds = int(offsets.pop().total_seconds()) if len(offsets) == 1 else None
    return seconds // 60 if seconds is not None and seconds % (15 * 60) == 0 else None


def _utc_day(zone: ZoneInfo, day: str) -> tuple[int, datetime, int | None] | None:
    """A UTC day's ordinal, midnight and the zone's offset all through it (None: it changes that day); None: not a
    real day (an older tm stored some unchecked)."""
    try:
        midnight = datetime.fromisoformat(f"{day}T00:00:00+00:00")
        return midnight.toordinal(), midnight, _offset(zone, midnight, timedelta(days=1))
    except (ValueError, OverflowError):
        return None


def _span(zone: ZoneInfo, first: Month, last: Month) -> tuple[datetime, datetime]:
    """The UTC months, widened to the whole years (on the zone's clock) they touch."""
    start, end = first.start, last.shift(1).start
    first_year = max(FIRST_YEAR, start.astimezone(zone).year)
    last_year = min(LAST_YEAR, (end - _SECOND).astimezone(zone).year)
    year_start = datetime.fromisoformat(year_bounds(first_year, zone)[0])
    year_end = datetime.fromisoformat(year_bounds(last_year, zone)[1])
    return min(start, year_start), max(end, year_end)


def _whole_hours(zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Is every offset of the zone from `start` to `end` whole hours (sampled daily: a zone keeps one for months)?
    Then the plays can be read per hour, else per quarter-hour."""
    day = start
    while day < end:
        offset = day.astimezone(zone).utcoffset() or timedelta(0)
        if offset.total_seconds() % 3600:
            return False
        day += timedelta(days=1)
    return True


def _listening(store: Store, user_id: str, zone: ZoneInfo, first: Month, last: Month) -> _Listening:
    """The kept hours or quarter-hours of the span, each put on the zone's clock: by the offset of its UTC day, or
    where the offset changes that day by its own; a quarter-hour the offset changes inside is read play by play."""
    listened = _Listening(first, last)
    start, end = _span(zone, first, last)
    span = store.play_months.span(user_id)
    if span is None:
        return listened
    stored_start, stored_end = Month.parse(span[0]).start, Month.parse(span[1]).shift(1).start
    whole_hours = _whole_hours(zone, max(start, stored_start), min(end, stored_end))
    utc_day, known, day_ms = "", None, 0
    hours = utc_iso(start)[:13], utc_iso(end + _LAST_MINUTES)[:13]  # whole hours; those around are in no year shown
    for hour, quarter, ms, plays, stored in store.report.quarters(user_id, *hours, whole_hours=whole_hours):
        if hour[:10] != utc_day:
            if known is not None:
                listened.utc_ms[known[0]] = listened.utc_ms.get(known[0], 0) + day_ms
            utc_day, known, day_ms = hour[:10], _utc_day(zone, hour[:10]), 0
        minute = _HOURS.get(hour[11:])
        if known is None or minute is None:  # not a real time: in no day or hour
            continue
        day, midnight, offset = known
        minute += 15 * quarter
        if offset is None and (offset := _offset(zone, midnight + timedelta(minutes=minute), QUARTER)) is None:
            _add_plays(store, user_id, zone, midnight + timedelta(minutes=minute), listened)
            continue
        days_later, local = divmod(minute + offset, 24 * 60)
        listened.add(day + days_later, local // 60, ms, plays, stored)
        day_ms += ms
    if known is not None:
        listened.utc_ms[known[0]] = listened.utc_ms.get(known[0], 0) + day_ms
    return listened


def _add_plays(store: Store, user_id: str, zone: ZoneInfo, start: datetime, listened: _Listening) -> None:
    """The plays of one quarter-hour, each on the zone's clock."""
    clock = LocalClock(zone)
    for play in store.plays.facts_between(user_id, utc_iso(start), utc_iso(start + QUARTER)):
        local = clock.of(play.played_at)
        if local is not None:
            day, _month, _weekday, hour = local
            listened.add(date.fromisoformat(day).toordinal(), hour, play.ms_played, play.full, 1)
            ordinal = datetime.fromisoformat(play.played_at).toordinal()
            listened.utc_ms[ordinal] = listened.utc_ms.get(ordinal, 0) + play.ms_played


def _year(store: Store, user_id: str, zone: ZoneInfo, year: int, days: dict[str, list[int]]) -> YearSummary:
    """A year's numbers, from its days; its artists from the monthly sums of the UTC months inside it and, for the
    hours of the months it shares with the years around it, from those plays."""
    start, end = (datetime.fromisoformat(bound) for bound in year_bounds(year, zone))
    inside_first = Month.of(start) if start == Month.of(start).start else Month.of(start).shift(1)
    inside_last = Month.of(end).shift(-1)
    artists = store.report.artist_keys(user_id, str(inside_first), str(inside_last))
    artists |= store.report.artist_keys_between(user_id, utc_iso(start), utc_iso(inside_first.start))
    artists |= store.report.artist_keys_between(user_id, utc_iso(inside_last.shift(1).start), utc_iso(end))
    months: dict[str, list[int]] = {}
    for day, sums in days.items():
        month = months.get(day[:7]) or months.setdefault(day[:7], [0, 0, 0])
        month[0], month[1], month[2] = month[0] + sums[0], month[1] + sums[1], month[2] + sums[2]
    ms, plays, stored = (sum(sums[n] for sums in days.values()) for n in range(3))
    return YearSummary(
        year,
        ms,
        plays,
        stored - plays,
        len(artists),
        busiest(months.items()),
        busiest(days.items()),
        longest_streak(day for day, (_ms, full, _stored) in days.items() if full),
    )


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
