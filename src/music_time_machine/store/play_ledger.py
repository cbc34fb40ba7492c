"""`store.ledger`: where every play came from, and the plays near a batch that the dedupe rules judge it against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from music_time_machine.store.backend import Backend, Queries
from music_time_machine.store.play_months import MS_PLAYED, PlayMonthQueries

DELETE_CHUNK = 500  # ids per DELETE: well below both databases' limits on parameters


class KnownPlay(NamedTuple):
    """A stored play as the dedupe rules read it."""

    id: int
    played_at: str
    track_name: str
    artist_name: str
    ms_played: int
    source_id: int
    kind: str


class SourceTotals(NamedTuple):
    """One kind of source of a listener: its imports and what became of their rows."""

    kind: str
    stamped: str  # what the source's times meant: "end" or "start"
    imports: int  # play_sources rows: files, or one per sync and Last.fm user
    rows_read: int
    recognised: int
    last_imported_at: str


class KeptTotals(NamedTuple):
    kind: str
    kept: int
    first_played_at: str
    last_played_at: str


class LedgerQueries(Queries):
    def __init__(self, db: Backend, months: PlayMonthQueries) -> None:
        super().__init__(db)
        self.aggregates = months

    def kinds(self, user_id: str) -> set[str]:
        """The kinds of source the listener has plays from."""
        rows = self.db.execute("SELECT DISTINCT kind FROM play_sources WHERE user_id = ?", (user_id,))
        return {kind for (kind,) in rows}

    def known_between(self, user_id: str, first_end: str, last_end: str, kinds: Sequence[str]) -> list[KnownPlay]:
        """The listener's plays from sources of `kinds` that ended from `first_end` to `last_end` (one range of
        plays_by_user_time)."""
        marks = ", ".join("?" * len(kinds))
        rows = self.db.execute(
            f"""SELECT plays.id, played_at, track_name, artist_name, {MS_PLAYED}, source_id, play_sources.kind
                FROM plays JOIN play_sources ON play_sources.id = plays.source_id
                WHERE plays.user_id = ? AND played_at >= ? AND played_at <= ? AND play_sources.kind IN ({marks})""",
            (user_id, first_end, last_end, *kinds),
        )
        return list(map(KnownPlay._make, rows))

    def remove(self, user_id: str, ids: Iterable[int]) -> Counter[int]:
        """Delete these plays of the listener (a richer row of each has come); how many each source lost."""
        lost: Counter[int] = Counter()
        months: set[str] = set()
        ordered = sorted(ids)
        for at in range(0, len(ordered), DELETE_CHUNK):
            chunk = ordered[at : at + DELETE_CHUNK]
            rows = self.db.execute(
                f"DELETE FROM plays WHERE user_id = ? AND id IN ({', '.join('?' * len(chunk))})"
                " RETURNING source_id, played_at",
                (user_id, *chunk),
            ).fetchall()
            lost.update(source_id for source_id, _played_at in rows)
            months.update(played_at[:7] for _source_id, played_at in rows)
        if months:
            self.aggregates.recount(user_id, months)
        return lost

    def api_source(self, user_id: str, kind: str, name: str) -> tuple[int, str | None] | None:
        """The listener's source of this kind and name that an API import adds to (one per Last.fm user), and where
        it continues; None when there is none yet."""
        row = self.db.execute(
            "SELECT id, resume_after FROM play_sources WHERE user_id = ? AND kind = ? AND name = ? AND sha256 IS NULL",
            (user_id, kind, name),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def resume_after(self, source_id: int, started_at: str) -> None:
        self.db.execute("UPDATE play_sources SET resume_after = ? WHERE id = ?", (started_at, source_id))

    def add_recognised(self, counts: Mapping[int, int]) -> None:
        """Rows of these sources found to be plays already known."""
        self.db.executemany(
            "UPDATE play_sources SET recognised = recognised + ? WHERE id = ?",
            [(count, source_id) for source_id, count in counts.items() if count],
        )

    def source_totals(self, user_id: str) -> list[SourceTotals]:
        rows = self.db.execute(
            """SELECT kind, stamped, count(*), CAST(sum(rows_read) AS BIGINT), CAST(sum(recognised) AS BIGINT),
                      max(imported_at) FROM play_sources
               WHERE user_id = ? GROUP BY kind, stamped ORDER BY kind, stamped""",
            (user_id,),
        )
        return list(map(SourceTotals._make, rows))

    def kept_totals(self, user_id: str) -> list[KeptTotals]:
        """Per kind of source, the plays kept and when the first and last ended (reads each of the listener's
        plays once)."""
        rows = self.db.execute(
            """SELECT play_sources.kind, count(*), min(played_at), max(played_at)
               FROM plays JOIN play_sources ON play_sources.id = plays.source_id
               WHERE plays.user_id = ? GROUP BY play_sources.kind ORDER BY play_sources.kind""",
            (user_id,),
        )
        return list(map(KeptTotals._make, rows))
