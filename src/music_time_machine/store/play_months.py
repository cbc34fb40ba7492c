"""`store.play_months`: what charts from plays are computed from, and the charts themselves.

`play_months` holds, per listener, UTC month and track, the sums a chart is ranked by. Every write to `plays` goes
through `store.plays`, which keeps these rows exact in the same transaction: a batch adds the sums of the rows it
stored (all of it, or what remains past its duplicates); any other change (a synced play replaced by its imported
copy, a deletion) recounts the months it touched from `plays`. Every chart that counts such a month is marked stale,
and `play_charts` (the top 50 per month and range) computes it again before it is next read
(`services.play_charts.refresh_play_charts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from music_time_machine.models import (
    EARLIEST_PLAY,
    MAX_MS_PLAYED,
    Month,
    PlayRow,
    TimeRange,
    ascii_lower,
    play_month_ok,
)
from music_time_machine.store.backend import Backend, Queries
from music_time_machine.store.play_quarters import FULL_MS, ReportSumQueries, after

# How many months' charts count the plays of one month: its own, and those of the months after it whose window
# still reaches back to it (182 days can reach into the sixth month before; 365 days never into the twelfth).
CHART_REACH = {TimeRange.SHORT.value: 1, TimeRange.MEDIUM.value: 7, TimeRange.LONG.value: 12}


class MonthSums(NamedTuple):
    """One row of `play_months`: a track's plays in a month (the track as the plays name it)."""

    month: str
    track_uri: str | None
    artist_key: str
    title_key: str
    track_name: str
    artist_name: str
    album_name: str | None
    plays: int
    skips: int
    ms_played: int
    full_ms: int
    last_full_at: str | None


class ChartRow(NamedTuple):
    """One row of `play_charts`."""

    time_range: str
    month: str
    rank: int
    track_uri: str | None
    track_name: str
    artist_name: str
    album_name: str | None
    plays: int
    full_ms: int
    last_full_at: str


# Rows written by an older tm may hold any ms_played (up to 2^63, or below zero): every read counts a play as at most
# a day, and the sums of a month stop at MAX_SUM_MS (2^53 ms, 285,000 years), so that no sum of them overflows.
MAX_SUM_MS = 2**53
MS_PLAYED = f"CASE WHEN ms_played > {MAX_MS_PLAYED} THEN {MAX_MS_PLAYED} WHEN ms_played < 0 THEN 0 ELSE ms_played END"
PLAY_COLUMNS = ", ".join(MS_PLAYED if column == "ms_played" else column for column in PlayRow._fields)
# The months a real play can fall in, as text (a real month still has to pass `play_month_ok`).
MONTHS_OF_PLAYS = f"month >= '{EARLIEST_PLAY[:7]}' AND month <= '9998-12'"


def _capped(column: str) -> str:
    return f"CASE WHEN {column} > {MAX_SUM_MS} THEN {MAX_SUM_MS} ELSE {column} END"


def _capped_sum(column: str) -> str:
    """SQL: the stored sum plus the new one, at most MAX_SUM_MS (the new one is far below it)."""
    stored, added = f"play_months.{column}", f"excluded.{column}"
    return f"CASE WHEN {stored} > {MAX_SUM_MS} - {added} THEN {MAX_SUM_MS} ELSE {stored} + {added} END"


_SUM_COLUMNS = ", ".join(MonthSums._fields)
_READ_SUMS = ", ".join(
    _capped(column) if column.endswith("_ms") or column == "ms_played" else column for column in MonthSums._fields
)
# Adding a month's sums: the counts add up, the spellings keep the smallest, the latest full play the latest.
ADD_SUMS = f"""
    INSERT INTO play_months (user_id, {_SUM_COLUMNS}) VALUES ({", ".join("?" * (len(MonthSums._fields) + 1))})
    ON CONFLICT (user_id, month, coalesce(track_uri, ''), artist_key, title_key) DO UPDATE SET
        track_name = CASE WHEN excluded.track_name < play_months.track_name
                          THEN excluded.track_name ELSE play_months.track_name END,
        artist_name = CASE WHEN excluded.artist_name < play_months.artist_name
                           THEN excluded.artist_name ELSE play_months.artist_name END,
        album_name = CASE WHEN play_months.album_name IS NULL OR excluded.album_name > play_months.album_name
                          THEN excluded.album_name ELSE play_months.album_name END,
        plays = play_months.plays + excluded.plays,
        skips = play_months.skips + excluded.skips,
        ms_played = {_capped_sum("ms_played")},
        full_ms = {_capped_sum("full_ms")},
        last_full_at = CASE WHEN play_months.last_full_at IS NULL OR excluded.last_full_at > play_months.last_full_at
                            THEN excluded.last_full_at ELSE play_months.last_full_at END
"""


def month_sums(plays: Iterable[PlayRow]) -> list[MonthSums]:
    """The plays summed per month and track: the grouping of `play_months`, done in Python for one batch."""
    sums: dict[tuple[str, str | None, str, str], list] = {}
    for play in plays:
        artist_key, title_key = ascii_lower(play.artist_name), ascii_lower(play.track_name)
        key = (play.played_at[:7], play.track_uri, artist_key, title_key)
        full = play.ms_played >= FULL_MS and not play.skipped
        entry = sums.get(key)
        if entry is None:
            entry = sums[key] = [play.track_name, play.artist_name, play.album_name, 0, 0, 0, 0, None]
        else:
            entry[0] = min(entry[0], play.track_name)
            entry[1] = min(entry[1], play.artist_name)
            if play.album_name is not None and (entry[2] is None or play.album_name > entry[2]):
                entry[2] = play.album_name
        entry[5] += play.ms_played
        if full:
            entry[3] += 1
            entry[6] += play.ms_played
            if entry[7] is None or play.played_at > entry[7]:
                entry[7] = play.played_at
        else:
            entry[4] += 1
    return [MonthSums(*key, *entry) for key, entry in sums.items()]


class PlayMonthQueries(Queries):
    def __init__(self, db: Backend, report_sums: ReportSumQueries) -> None:
        super().__init__(db)
        self.report_sums = report_sums

    # keeping the sums (called by store.plays, inside the transaction that changes the plays) ----------------

    def add(self, user_id: str, plays: list[PlayRow]) -> None:
        """Plays that were all stored as new rows: add their sums (and tm report's)."""
        sums = month_sums(plays)
        self.db.executemany(ADD_SUMS, [(user_id, *row) for row in sums])
        self.report_sums.add(user_id, plays, sums)
        self.mark_stale(user_id, {play.played_at[:7] for play in plays})

    def recount(self, user_id: str, months: set[str]) -> None:
        """Count these months again from `plays` (after changes whose effect on the sums is not known)."""
        for month in sorted(months):
            self.db.execute("DELETE FROM play_months WHERE user_id = ? AND month = ?", (user_id, month))
            self.report_sums.forget(user_id, month)
            plays = [play for play in self._plays_between(user_id, month, after(month)) if play.played_at[:7] == month]
            sums = month_sums(plays)
            self.db.executemany(ADD_SUMS, [(user_id, *row) for row in sums])
            self.report_sums.add(user_id, plays, sums)
        self.mark_stale(user_id, months)

    def named_elsewhere(self, user_id: str, plays: list[PlayRow]) -> set[str]:
        """Months with plays that have no URI but the artist and title of one of these (which may give it one)."""
        if not self._has_unnamed(user_id):
            return set()
        names = {(ascii_lower(play.artist_name), ascii_lower(play.track_name)) for play in plays if play.track_uri}
        months: set[str] = set()
        for artist_key, title_key in names:
            rows = self.db.execute(
                """SELECT month FROM play_months
                   WHERE user_id = ? AND artist_key = ? AND title_key = ? AND track_uri IS NULL""",
                (user_id, artist_key, title_key),
            )
            months.update(row[0] for row in rows)
        return months

    @property
    def _without_uri(self) -> str:
        return self.db.through_index("play_months_without_uri")

    def _has_unnamed(self, user_id: str) -> bool:
        """Are there plays without a URI (account data)?"""
        row = self.db.execute(
            f"SELECT 1 FROM play_months {self._without_uri} WHERE user_id = ? AND track_uri IS NULL LIMIT 1",
            (user_id,),
        ).fetchone()
        return row is not None

    def mark_stale(self, user_id: str, months: Iterable[str]) -> None:
        """The plays of `months` changed: every chart that counts them is to be computed again."""
        stale = {
            (time_range, str(changed.shift(k)))
            for changed in map(Month.parse, filter(play_month_ok, set(months)))
            for time_range, reach in CHART_REACH.items()
            for k in range(reach)
        }
        self.db.executemany(
            "INSERT INTO play_charts_stale (user_id, time_range, month) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(user_id, *mark) for mark in sorted(stale)],
        )

    # reading the sums ------------------------------------------------------------------------------------

    def stale(self, user_id: str, time_range: str, first: str, last: str) -> list[str]:
        """The months from `first` to `last` whose chart of `time_range` is to be computed (again)."""
        rows = self.db.execute(
            """SELECT month FROM play_charts_stale WHERE user_id = ? AND time_range = ? AND month >= ? AND month <= ?
               ORDER BY month""",
            (user_id, time_range, first, last),
        )
        return [row[0] for row in rows if play_month_ok(row[0])]

    def months(self, user_id: str) -> list[str]:
        """Every month with plays, in order (real months only: an older tm may have stored other times)."""
        rows = self.db.execute(
            f"SELECT DISTINCT month FROM play_months WHERE user_id = ? AND {MONTHS_OF_PLAYS} ORDER BY 1", (user_id,)
        )
        return [row[0] for row in rows if play_month_ok(row[0])]

    def span(self, user_id: str) -> tuple[str, str] | None:
        """The first and last month with plays."""
        first, last = self.db.execute(  # two subqueries: each is one index lookup
            f"""SELECT (SELECT min(month) FROM play_months WHERE user_id = ? AND {MONTHS_OF_PLAYS}),
                       (SELECT max(month) FROM play_months WHERE user_id = ? AND {MONTHS_OF_PLAYS})""",
            (user_id, user_id),
        ).fetchone()
        if first is None or (play_month_ok(first) and play_month_ok(last)):
            return None if first is None else (first, last)
        months = self.months(user_id)  # an impossible month (2025-13) among them: the real ones
        return (months[0], months[-1]) if months else None

    def last_before(self, user_id: str, month: str) -> str | None:
        """The last month with plays before `month` (YYYY-MM), if any."""
        rows = self.db.execute(
            f"""SELECT DISTINCT month FROM play_months WHERE user_id = ? AND month < ? AND {MONTHS_OF_PLAYS}
                ORDER BY month DESC""",
            (user_id, month),
        )
        return next((row[0] for row in rows if play_month_ok(row[0])), None)

    def sums(self, user_id: str, first: str, last: str) -> list[MonthSums]:
        """Every month's sums from `first` to `last` (YYYY-MM), by month."""
        rows = self.db.execute(
            f"""SELECT {_READ_SUMS} FROM play_months WHERE user_id = ? AND month >= ? AND month <= ? AND plays > 0
                ORDER BY month""",
            (user_id, first, last),
        )
        return list(map(MonthSums._make, rows))

    def sums_between(self, user_id: str, start: str, end: str) -> list[MonthSums]:
        """The plays with start <= played_at < end, summed per month and track, counted from `plays` (a month
        recounted, or the day-level edge of a chart's window)."""
        return month_sums(self._plays_between(user_id, start, end))

    def _plays_between(self, user_id: str, start: str, end: str) -> list[PlayRow]:
        rows = self.db.execute(
            f"SELECT {PLAY_COLUMNS} FROM plays WHERE user_id = ? AND played_at >= ? AND played_at < ?",
            (user_id, start, end),
        )
        return list(map(PlayRow._make, rows))

    def uris_by_name(self, user_id: str) -> dict[tuple[str, str], str]:
        """For each artist and title that has plays without a URI: the smallest URI other plays of it have."""
        rows = self.db.execute(
            f"""SELECT u.artist_key, u.title_key, (SELECT min(n.track_uri) FROM play_months n WHERE n.user_id = ?
                   AND n.artist_key = u.artist_key AND n.title_key = u.title_key)
               FROM (SELECT DISTINCT artist_key, title_key FROM play_months {self._without_uri}
                     WHERE user_id = ? AND track_uri IS NULL) u""",
            (user_id, user_id),
        )
        return {(artist, title): uri for artist, title, uri in rows if uri is not None}

    # the charts ------------------------------------------------------------------------------------------

    def save_charts(self, user_id: str, time_range: str, months: list[str], rows: list[ChartRow]) -> None:
        """Replace the charts of `time_range` in `months` with `rows`: they are up to date now."""
        marks = [(user_id, time_range, month) for month in months]
        self.db.executemany("DELETE FROM play_charts WHERE user_id = ? AND time_range = ? AND month = ?", marks)
        self.db.executemany(
            f"INSERT INTO play_charts (user_id, {', '.join(ChartRow._fields)}) VALUES "
            f"({', '.join('?' * (len(ChartRow._fields) + 1))})",
            [(user_id, *row) for row in rows],
        )
        self.db.executemany("DELETE FROM play_charts_stale WHERE user_id = ? AND time_range = ? AND month = ?", marks)

    def charts(self, user_id: str, time_ranges: list[str], first: str, last: str) -> list[ChartRow]:
        marks = ",".join("?" * len(time_ranges))
        rows = self.db.execute(
            f"""SELECT {", ".join(ChartRow._fields)} FROM play_charts
                WHERE user_id = ? AND time_range IN ({marks}) AND month >= ? AND month <= ?
                ORDER BY month, time_range, rank""",
            (user_id, *time_ranges, first, last),
        )
        return list(map(ChartRow._make, rows))
