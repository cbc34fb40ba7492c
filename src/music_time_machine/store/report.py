"""`store.report`: what `tm report` draws, summed in SQL so that a million plays never pass through Python one by
one: plays per UTC hour, half-hour or quarter-hour (every real zone's offset is whole quarter-hours, so the service
can put each on the listener's clock), and from `play_months` the artists of a range of months and their ms per
month."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from music_time_machine.models import ascii_lower
from music_time_machine.store.backend import Queries
from music_time_machine.store.play_months import MAX_SUM_MS, MS_PLAYED
from music_time_machine.store.plays import FULL

# The start (UTC, YYYY-MM-DDTHH:MM) of the hour, half-hour or quarter-hour a play ended in; minutes are compared as
# text, so that one an older tm stored unchecked (20:x7) falls in a bucket instead of failing PostgreSQL's cast.
_MINUTE = "substr(played_at, 15, 2)"
BUCKET_STARTS = {
    60: "substr(played_at, 1, 14) || '00'",
    30: f"substr(played_at, 1, 14) || CASE WHEN {_MINUTE} < '30' THEN '00' ELSE '30' END",
    15: f"""substr(played_at, 1, 14) || CASE WHEN {_MINUTE} < '15' THEN '00' WHEN {_MINUTE} < '30' THEN '15'
            WHEN {_MINUTE} < '45' THEN '30' ELSE '45' END""",
}
ROW_MS = f"CASE WHEN ms_played > {MAX_SUM_MS} THEN {MAX_SUM_MS} ELSE ms_played END"  # a play_months row's, read


class Bucket(NamedTuple):
    """A listener's plays that ended in one UTC hour, half-hour or quarter-hour."""

    start: str  # YYYY-MM-DDTHH:MM (UTC)
    ms_played: int  # every stored play's, each at most a day
    plays: int  # full plays
    stored: int  # every stored play, skips included


class ArtistMonth(NamedTuple):
    month: str  # YYYY-MM (UTC)
    artist_key: str  # ASCII letters lowercased
    artist_name: str
    ms_played: int


class ReportQueries(Queries):
    def buckets(self, user_id: str, start: str, end: str, minutes: int) -> Iterator[Bucket]:
        """The plays with start <= played_at < end, summed per UTC bucket of `minutes` (60, 30 or 15), streamed in
        time order (one range of plays_by_user_time)."""
        _columns, rows = self.db.stream(
            f"""SELECT {BUCKET_STARTS[minutes]}, sum({MS_PLAYED}), sum({FULL}), count(*)
                FROM plays WHERE user_id = ? AND played_at >= ? AND played_at < ? GROUP BY 1 ORDER BY 1""",
            (user_id, start, end),
        )
        return map(Bucket._make, rows)

    def artist_keys(self, user_id: str, first: str, last: str) -> set[str]:
        """The artists (ASCII letters lowercased) with stored plays in the UTC months `first` to `last`."""
        rows = self.db.execute(
            "SELECT DISTINCT artist_key FROM play_months WHERE user_id = ? AND month >= ? AND month <= ?",
            (user_id, first, last),
        )
        return {key for (key,) in rows}

    def artist_keys_between(self, user_id: str, start: str, end: str) -> set[str]:
        """The artists of the plays with start <= played_at < end (the edge of a year that is part of a month)."""
        rows = self.db.execute(
            "SELECT DISTINCT artist_name FROM plays WHERE user_id = ? AND played_at >= ? AND played_at < ?",
            (user_id, start, end),
        )
        return {ascii_lower(name) for (name,) in rows}

    def artist_months(self, user_id: str, first: str, last: str) -> list[ArtistMonth]:
        """Each artist's ms (every stored play, skips included) in each month from `first` to `last` it has plays
        in, with its smallest spelling that month."""
        rows = self.db.execute(
            f"""SELECT month, artist_key, min(artist_name), sum({ROW_MS}) FROM play_months
                WHERE user_id = ? AND month >= ? AND month <= ? GROUP BY month, artist_key""",
            (user_id, first, last),
        )
        return [ArtistMonth(month, key, name, int(ms)) for month, key, name, ms in rows]
