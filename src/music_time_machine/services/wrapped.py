"""tm wrapped: a year in review from stored plays, on the listener's own clock.

Plays are stored by the UTC time they ended; days, hours, months and the year itself are those of `zone`. One range
of the index reads the year, streamed and summed here a play at a time; the year before is one sum in SQL.
A track is known by its key, as in charts from plays (`play_charts`): its URI, else the smallest URI of the same
artist and title, else artist and title. Everything is ranked as those charts are: full plays, then the milliseconds
of those full plays, then the latest full play, then the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from music_time_machine.errors import UsageError
from music_time_machine.models import EARLIEST_PLAY, Month, ascii_lower, utc_iso
from music_time_machine.services.play_charts import rank_chart
from music_time_machine.store import Store
from music_time_machine.store.plays import PlayFacts

TOP = 10  # entries in each top list
MIN_SKIPS = 3  # a track is among the most skipped from this many skips in the year
# The first scrobbles' year; the last year whose end (and the next's) a datetime holds
FIRST_YEAR, LAST_YEAR = int(EARLIEST_PLAY[:4]), 9998
_YEAR = re.compile(r"[0-9]{4}")
_LAST_SECOND = timedelta(minutes=59, seconds=59)


def minutes_of(ms: int) -> int:
    """Milliseconds as whole minutes, to the nearest (half a minute rounds up)."""
    return (ms + 30_000) // 60_000


def empty_clock() -> list[list[int]]:
    """The listening clock before any play: 7 weekdays (Monday first) of 24 hours."""
    return [[0] * 24 for _ in range(7)]


def clock_minutes(clock: list[list[int]]) -> list[list[int]]:
    """A clock of ms as minutes, each cell rounded from its own sum."""
    return [[minutes_of(ms) for ms in hours] for hours in clock]


def percent_change(now: int, before: int) -> float | None:
    """The change from `before` to `now` in %, to one decimal; None when there was nothing before."""
    return round(100 * (now - before) / before, 1) if before else None


def parse_year(text: str) -> int:
    year = int(text) if _YEAR.fullmatch(text) else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(
            f"Not a year tm can show: {text[:40]!r}.", hint=f"Give four ASCII digits from {FIRST_YEAR} on, e.g. 2024."
        )
    return year


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (Europe/Berlin, UTC); a usage error for anything else."""
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, LookupError):
        hint = "Give an IANA name such as Europe/Berlin, America/New_York or UTC."
        raise UsageError(f"Unknown time zone {name[:60]!r}.", hint=hint) from None


class InMinutes:
    """Something with `ms_played`, shown in whole minutes."""

    ms_played: int

    @property
    def minutes(self) -> int:
        return minutes_of(self.ms_played)


@dataclass(frozen=True)
class Entry:
    """A track, artist or album of the year, with the numbers it ranks by (its plays are the year's)."""

    key: str
    uri: str | None
    name: str
    artist: str
    album: str | None
    plays: int  # full plays
    full_ms: int  # ms of the full plays
    last_full_at: str | None  # UTC end of the latest full play
    skips: int
    first_played_at: str  # UTC end of its first play in the year

    @property
    def minutes(self) -> int:
        return minutes_of(self.full_ms)

    @property
    def skip_share(self) -> float:
        return self.skips / (self.plays + self.skips)


@dataclass(frozen=True)
class Period(InMinutes):
    """A month (YYYY-MM) or a day (YYYY-MM-DD) of the year, on the listener's clock."""

    label: str
    ms_played: int
    plays: int
    top_track: Entry | None = None


@dataclass(frozen=True)
class Streak:
    days: int
    first: str | None  # YYYY-MM-DD
    last: str | None


@dataclass(frozen=True)
class Totals(InMinutes):
    ms_played: int
    plays: int  # full plays
    skips: int


@dataclass(frozen=True)
class Wrapped:
    year: int
    tz: str
    totals: Totals
    distinct_tracks: int
    distinct_artists: int
    distinct_albums: int
    top_tracks: list[Entry]
    top_artists: list[Entry]
    top_albums: list[Entry]
    discoveries: list[Entry]
    most_skipped: list[Entry]
    top_month: Period | None
    busiest_day: Period | None
    streak: Streak
    days: list[Period]  # each day with stored plays, in order
    clock: list[list[int]]  # ms per weekday (Monday first) and hour
    months: list[Period]  # January to December, each with its top track
    previous: Totals | None  # the year before, when it has plays
    years_with_plays: list[int]  # only for a year without plays: the years that have some

    @property
    def empty(self) -> bool:
        return self.totals.plays + self.totals.skips == 0

    @property
    def clock_minutes(self) -> list[list[int]]:
        return clock_minutes(self.clock)

    @property
    def minutes_change(self) -> float | None:
        return percent_change(self.totals.minutes, self.previous.minutes) if self.previous else None

    @property
    def plays_change(self) -> float | None:
        return percent_change(self.totals.plays, self.previous.plays) if self.previous else None


LocalHour = tuple[str, int, int, int]  # the local day (YYYY-MM-DD), month (1-12), weekday (Monday 0) and hour


def _local_fields(moment: datetime) -> LocalHour:
    return moment.date().isoformat(), moment.month, moment.weekday(), moment.hour


class LocalClock:
    """Where a play's UTC end falls on the zone's clock. Cached per UTC hour whenever the zone's offset is whole
    hours and the same all through it; otherwise (India's +5:30, an offset change inside the hour) per play."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._hours: dict[str, LocalHour | bool | None] = {}  # False: per play; None: not a real time

    def of(self, played_at: str) -> LocalHour | None:
        hour = played_at[:13]
        known = self._hours.get(hour, True)
        if known is True:
            known = self._hours[hour] = self._hour(hour)
        if known is False:
            return self._moment(played_at)
        return known if isinstance(known, tuple) else None

    def _hour(self, hour: str) -> LocalHour | bool | None:
        try:
            start = datetime.fromisoformat(f"{hour}:00:00+00:00")
            first, last = start.astimezone(self.zone), (start + _LAST_SECOND).astimezone(self.zone)
        except (ValueError, OverflowError):
            return None
        offset = first.utcoffset()
        if offset is None or offset != last.utcoffset() or offset.total_seconds() % 3600:
            return False
        return _local_fields(first)

    def _moment(self, played_at: str) -> LocalHour | None:
        try:
            return _local_fields(datetime.fromisoformat(played_at).astimezone(self.zone))
        except (ValueError, OverflowError):
            return None


Sums = list[Any]  # [full plays, their ms, the latest full play, skips, the first play]: one track's in one month


class _Tally:
    """One track's, artist's or album's running numbers; `shown` is the smallest (name, artist) spelling."""

    __slots__ = ("album", "first_at", "full_ms", "last_full_at", "plays", "shown", "skips", "uri")

    def __init__(self, uri: str | None, shown: tuple[str, str], first_at: str) -> None:
        self.uri, self.shown, self.first_at = uri, shown, first_at
        self.album: str | None = None
        self.plays = self.full_ms = self.skips = 0
        self.last_full_at: str | None = None

    def add(self, sums: Sums, shown: tuple[str, str], album: str | None) -> None:
        plays, full_ms, last_full_at, skips, first_at = sums
        self.plays, self.full_ms, self.skips = self.plays + plays, self.full_ms + full_ms, self.skips + skips
        if last_full_at is not None and (self.last_full_at is None or last_full_at > self.last_full_at):
            self.last_full_at = last_full_at
        if shown < self.shown:
            self.shown = shown
        if album and (self.album is None or album > self.album):
            self.album = album
        if first_at < self.first_at:
            self.first_at = first_at

    def entry(self, key: str, counts: _Tally | None = None) -> Entry:
        """As an entry: named by this tally, counted by `counts` (a month's tally of the same track) or itself."""
        n = counts or self
        name, artist = self.shown
        return Entry(key, self.uri, name, artist, self.album, n.plays, n.full_ms, n.last_full_at, n.skips, n.first_at)


def _count(
    tallies: dict[str, _Tally], key: str, uri: str | None, sums: Sums, shown: tuple[str, str], album: str | None
) -> None:
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = _Tally(uri, shown, sums[4])
    tally.add(sums, shown, album)


def ranked(tallies: dict[str, _Tally], size: int = TOP) -> list[str]:
    """The keys of the first `size` with full plays, ranked by the very code of charts from plays: full plays,
    their ms, the latest full play, the key."""
    totals = {key: [tally.plays, tally.full_ms, tally.last_full_at] for key, tally in tallies.items()}
    return [key for _plays, _ms, _last, key in rank_chart(totals, {}, size)]


def most_skipped(entries: Iterable[Entry], size: int = TOP) -> list[Entry]:
    """Tracks skipped at least MIN_SKIPS times: most skips, then the larger skip share, then the key."""
    skipped = [entry for entry in entries if entry.skips >= MIN_SKIPS]
    return sorted(skipped, key=lambda entry: (-entry.skips, -entry.skip_share, entry.key))[:size]


def longest_streak(days: Iterable[str]) -> Streak:
    """The longest run of consecutive days (YYYY-MM-DD) among `days`; the earliest of equal runs."""
    best = Streak(0, None, None)
    run_start, previous, length = "", None, 0
    for day in sorted(set(map(datetime.fromisoformat, days))):
        length = length + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        run_start = run_start if length > 1 else day.date().isoformat()
        if length > best.days:
            best = Streak(length, run_start, day.date().isoformat())
        previous = day
    return best


def track_key(
    uri: str | None, artist_key: str, title_key: str, uris_by_name: dict[tuple[str, str], str]
) -> tuple[str, str | None]:
    """A track's key and URI, as in charts from plays: its URI, the smallest URI of its artist and title, or (no
    URI) the two names."""
    uri = uri or uris_by_name.get((artist_key, title_key))
    return uri or f"{artist_key}\t{title_key}", uri


class _Year:
    """The year's plays, summed as they stream by: the totals per month, day and hour of the week, and per month
    and track as the plays name it (one dictionary lookup a play); `count` then sums those per track, artist and
    album, working out keys once per name instead of once per play."""

    def __init__(self, uris_by_name: dict[tuple[str, str], str]) -> None:
        self.uris_by_name = uris_by_name
        self.ms = self.plays = self.skips = 0
        self.named: dict[tuple[int, str | None, str, str, str | None], Sums] = {}
        self.months = [[0, 0, 0] for _ in range(12)]  # ms, full plays, stored plays
        self.days: dict[str, list[int]] = {}
        self.clock = empty_clock()
        self.tracks: dict[str, _Tally] = {}
        self.artists: dict[str, _Tally] = {}
        self.albums: dict[str, _Tally] = {}
        self.month_tracks: list[dict[str, _Tally]] = [{} for _ in range(12)]

    def add(self, play: PlayFacts, local: LocalHour) -> None:
        day, month, weekday, hour = local
        full, ms, played_at = play.full, play.ms_played, play.played_at
        self.ms, self.plays, self.skips = self.ms + ms, self.plays + full, self.skips + 1 - full
        self.clock[weekday][hour] += ms
        for sums in (self.months[month - 1], self.days.get(day) or self.days.setdefault(day, [0, 0, 0])):
            sums[0], sums[1], sums[2] = sums[0] + ms, sums[1] + full, sums[2] + 1
        name = (month, play.track_uri, play.track_name, play.artist_name, play.album_name)
        named = self.named.get(name)
        if named is None:
            named = self.named[name] = [0, 0, None, 0, played_at]
        if full:
            named[0], named[1] = named[0] + 1, named[1] + ms
            if named[2] is None or played_at > named[2]:
                named[2] = played_at
        else:
            named[3] += 1
        if played_at < named[4]:
            named[4] = played_at

    def count(self) -> None:
        """Sum the month-and-name totals per track (in the year and per month), artist and album."""
        for (month, uri, title, artist, album), sums in self.named.items():
            artist_key = ascii_lower(artist)
            key, known_uri = track_key(uri, artist_key, ascii_lower(title), self.uris_by_name)
            _count(self.tracks, key, known_uri, sums, (title, artist), album)
            _count(self.month_tracks[month - 1], key, known_uri, sums, (title, artist), album)
            _count(self.artists, artist_key, None, sums, (artist, artist), None)
            if album:
                _count(self.albums, f"{artist_key}\t{ascii_lower(album)}", None, sums, (album, artist), None)

    def month(self, year: int, number: int) -> Period:
        ms, plays, _stored = self.months[number - 1]
        counted = self.month_tracks[number - 1]
        top = ranked(counted, 1)
        song = self.tracks[top[0]].entry(top[0], counted[top[0]]) if top else None
        return Period(str(Month(year, number)), ms, plays, song)


def busiest(periods: Iterable[tuple[str, list[int]]]) -> Period | None:
    """The period with the most ms among those with stored plays; the earliest of equals."""
    best: Period | None = None
    for label, (ms, plays, stored) in sorted(periods):
        if stored and (best is None or ms > best.ms_played):
            best = Period(label, ms, plays)
    return best


def year_bounds(year: int, zone: ZoneInfo) -> tuple[str, str]:
    """The UTC times (as stored) of the year's first instant on the zone's clock and of the next year's."""
    return utc_iso(datetime(year, 1, 1, tzinfo=zone)), utc_iso(datetime(year + 1, 1, 1, tzinfo=zone))


def year_in_review(store: Store, user_id: str, year: int, zone: ZoneInfo) -> Wrapped:
    """The listener's `year` on `zone`'s clock (one streamed range of plays), and the year before's totals."""
    before, start = year_bounds(year - 1, zone)
    end = year_bounds(year, zone)[1]
    tally, clock = _Year(store.play_months.uris_by_name(user_id)), LocalClock(zone)
    for play in store.plays.facts_between(user_id, start, end):
        local = clock.of(play.played_at)
        if local is not None:  # None: a time an older tm stored unchecked (2025-13-45), in no year
            tally.add(play, local)
    tally.count()
    plays, skips, ms_played = store.plays.totals(user_id, before, start)
    previous = Totals(ms_played, plays, skips) if plays + skips else None
    if not tally.tracks:
        return _review(year, zone, tally, set(), previous, years_with_plays(store, user_id, zone))
    seen = {track_key(*names, tally.uris_by_name)[0] for names in store.plays.names_before(user_id, start)}
    return _review(year, zone, tally, seen, previous, [])


def _review(
    year: int, zone: ZoneInfo, tally: _Year, seen: set[str], previous: Totals | None, years: list[int]
) -> Wrapped:
    """The result, from the year's sums, the keys of the tracks played before it and the year before's totals."""
    tracks = {key: track.entry(key) for key, track in tally.tracks.items()}
    return Wrapped(
        year,
        zone.key,
        Totals(tally.ms, tally.plays, tally.skips),
        len(tally.tracks),
        len(tally.artists),
        len(tally.albums),
        [tracks[key] for key in ranked(tally.tracks)],
        [tally.artists[key].entry(key) for key in ranked(tally.artists)],
        [tally.albums[key].entry(key) for key in ranked(tally.albums)],
        [tracks[key] for key in ranked({key: t for key, t in tally.tracks.items() if key not in seen})],
        most_skipped(tracks.values()),
        busiest((str(Month(year, number)), sums) for number, sums in enumerate(tally.months, start=1)),
        busiest(tally.days.items()),
        longest_streak(day for day, (_ms, plays, _stored) in tally.days.items() if plays),
        [Period(day, ms, plays) for day, (ms, plays, _stored) in sorted(tally.days.items())],
        tally.clock,
        [tally.month(year, number) for number in range(1, 13)],
        previous,
        years,
    )


def years_with_plays(store: Store, user_id: str, zone: ZoneInfo) -> list[int]:
    """The years (on the zone's clock) with stored plays: those of each month with plays, and of the months that
    straddle a new year there, the years that really hold one of its plays."""
    years: set[int] = set()
    straddled: set[int] = set()
    for month in map(Month.parse, store.play_months.months(user_id)):
        first = month.start.astimezone(zone).year
        last = (month.shift(1).start - timedelta(seconds=1)).astimezone(zone).year
        if first == last:
            years.add(first)
        else:
            straddled.update((first, last))
    for year in sorted(straddled - years):
        if FIRST_YEAR <= year <= LAST_YEAR and store.plays.any_between(user_id, *year_bounds(year, zone)):
            years.add(year)
    return sorted(years)
