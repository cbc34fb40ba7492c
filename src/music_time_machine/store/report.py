"""`store.report`: what `tm report` draws, from the sums kept for it (`store.play_quarters`): the plays per UTC
quarter-hour (every real zone's offset is whole quarter-hours, so the service can put each on the listener's clock)
and each artist's ms per UTC month. A page of ten years reads at most a few hundred thousand kept rows, in key
order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from music_time_machine.models import ascii_lower
from music_time_machine.store.backend import Queries

# The plays of a listener that ended in one UTC hour, or in one quarter of it: the hour (YYYY-MM-DDTHH), the quarter
# (0 to 3; 0 for a whole hour), the ms of every stored play (each at most a day), full plays, every stored play
# (skips included). A plain tuple: a report reads a quarter of a million, and naming each costs a fifth of that.
Quarter = tuple[str, int, int, int, int]
_IN_RANGE = "FROM play_quarters WHERE user_id = ? AND hour >= ? AND hour < ?"


class ArtistMonth(NamedTuple):
    month: str  # YYYY-MM (UTC)
    artist_key: str  # ASCII letters lowercased
    artist_name: str
    ms_played: int


class ReportQueries(Queries):
    def quarters(self, user_id: str, start: str, end: str, *, whole_hours: bool) -> Iterator[Quarter]:
        """The plays from hour `start` (YYYY-MM-DDTHH, inclusive) to `end`, per quarter-hour, or per hour (as its
        quarter 0) when `whole_hours`; streamed in time order."""
        sql = (
            f"""SELECT hour, 0, CAST(sum(ms_played) AS BIGINT), CAST(sum(plays) AS BIGINT),
                       CAST(sum(stored) AS BIGINT) {_IN_RANGE} GROUP BY hour ORDER BY hour"""
            if whole_hours
            else f"SELECT hour, quarter, ms_played, plays, stored {_IN_RANGE} ORDER BY hour, quarter"
        )
        return self.db.stream(sql, (user_id, start, end))[1]

    def artist_keys(self, user_id: str, first: str, last: str) -> set[str]:
        """The artists (ASCII letters lowercased) with stored plays in the UTC months `first` to `last`."""
        rows = self.db.execute(
            "SELECT DISTINCT artist_key FROM artist_months WHERE user_id = ? AND month >= ? AND month <= ?",
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
            """SELECT month, artist_key, artist_name, ms_played FROM artist_months
               WHERE user_id = ? AND month >= ? AND month <= ?""",
            (user_id, first, last),
        )
        return list(map(ArtistMonth._make, rows))
