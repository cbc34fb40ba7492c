"""`play_quarters` and `artist_months`: the sums `tm report` reads, so that a page of ten years reads a few hundred
thousand kept rows instead of grouping a million plays. `store.play_months` keeps them exactly as it keeps its own
sums, in the same transaction: a batch of new plays adds its sums, a month counted again is forgotten and added
again from its plays.

A play's quarter is the UTC hour it ended in (YYYY-MM-DDTHH) and the quarter of that hour, its minutes compared as
text so that a time an older tm stored unchecked (20:x7) still falls in one, as in migration 6.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from music_time_machine.models import PlayRow
from music_time_machine.store.backend import Queries

if TYPE_CHECKING:
    from music_time_machine.store.play_months import MonthSums

FULL_MS = 30_000
ADD_QUARTER = """
    INSERT INTO play_quarters (user_id, hour, quarter, ms_played, plays, stored) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, hour, quarter) DO UPDATE SET ms_played = play_quarters.ms_played + excluded.ms_played,
        plays = play_quarters.plays + excluded.plays, stored = play_quarters.stored + excluded.stored
"""
ADD_ARTIST_MONTH = """
    INSERT INTO artist_months (user_id, month, artist_key, artist_name, ms_played) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (user_id, month, artist_key) DO UPDATE SET
        artist_name = CASE WHEN excluded.artist_name < artist_months.artist_name
                           THEN excluded.artist_name ELSE artist_months.artist_name END,
        ms_played = artist_months.ms_played + excluded.ms_played
"""


def after(prefix: str) -> str:
    """The first text after every text that starts with `prefix` (one end of a range of times)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def quarter_of(played_at: str) -> tuple[str, int]:
    """The hour and quarter `played_at` ends in (the SQL of migration 6, for any text)."""
    minute = played_at[14:16]
    return played_at[:13], 0 if minute < "15" else 1 if minute < "30" else 2 if minute < "45" else 3


def quarter_sums(plays: Iterable[PlayRow]) -> dict[tuple[str, int], list[int]]:
    """Per quarter: ms (each play's at most a day, as the caller gives it), full plays, stored plays."""
    sums: dict[tuple[str, int], list[int]] = {}
    for play in plays:
        quarter = quarter_of(play.played_at)
        entry = sums.get(quarter) or sums.setdefault(quarter, [0, 0, 0])
        entry[0] += play.ms_played
        entry[1] += play.ms_played >= FULL_MS and not play.skipped
        entry[2] += 1
    return sums


def artist_sums(months: Iterable[MonthSums]) -> dict[tuple[str, str], list]:
    """Per UTC month and artist key: the smallest spelling and the ms, from the tracks' monthly sums."""
    sums: dict[tuple[str, str], list] = {}
    for row in months:
        entry = sums.get((row.month, row.artist_key))
        if entry is None:
            sums[row.month, row.artist_key] = [row.artist_name, row.ms_played]
        else:
            entry[0] = min(entry[0], row.artist_name)
            entry[1] += row.ms_played
    return sums


class ReportSumQueries(Queries):
    """Called by `store.play_months` only, inside the transaction that changes the plays."""

    def add(self, user_id: str, plays: list[PlayRow], months: list[MonthSums]) -> None:
        """Add the sums of new plays (`months`: their sums per month and track)."""
        quarters = quarter_sums(plays)
        self.db.executemany(ADD_QUARTER, [(user_id, *quarter, *sums) for quarter, sums in quarters.items()])
        artists = artist_sums(months)
        self.db.executemany(ADD_ARTIST_MONTH, [(user_id, *key, *sums) for key, sums in artists.items()])

    def forget(self, user_id: str, month: str) -> None:
        """Drop the sums of a month (YYYY-MM), to be added again from its plays."""
        self.db.execute(
            "DELETE FROM play_quarters WHERE user_id = ? AND hour >= ? AND hour < ?", (user_id, month, after(month))
        )
        self.db.execute("DELETE FROM artist_months WHERE user_id = ? AND month = ?", (user_id, month))
