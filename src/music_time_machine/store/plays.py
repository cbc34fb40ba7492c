"""`store.plays`: listening history, from privacy-export imports and recently-played syncs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import NamedTuple

from music_time_machine.models import (
    EARLIEST_PLAY,
    ArtistCount,
    PlayCount,
    PlayRow,
    SourceKind,
    ascii_lower,
    utc_iso,
    utc_seconds,
)
from music_time_machine.store.backend import Backend, Queries
from music_time_machine.store.play_months import MS_PLAYED, PLAY_COLUMNS, PlayMonthQueries

API_SOURCE = SourceKind.SYNC.value
SPOTIFY_KINDS = ", ".join(f"'{kind}'" for kind in (SourceKind.EXTENDED, SourceKind.ACCOUNT, SourceKind.SYNC))
# A new play is inserted; a duplicate is ignored, except that an imported row replaces a synced copy of the
# same play (the export has seconds-exact times, skips and reasons; the API has none of that).
INSERT_PLAY = f"""
    INSERT INTO plays ({", ".join(PlayRow._fields)}) VALUES ({", ".join("?" * len(PlayRow._fields))})
    ON CONFLICT (user_id, substr(played_at, 1, 16), lower(artist_name), lower(track_name)) DO UPDATE SET
        {", ".join(f"{column} = excluded.{column}" for column in PlayRow._fields if column != "user_id")}
    WHERE plays.source_id IN (SELECT id FROM play_sources WHERE kind = '{API_SOURCE}')
      AND excluded.source_id NOT IN (SELECT id FROM play_sources WHERE kind = '{API_SOURCE}')
"""
# A scrobble replaces nothing: the ledger has judged it against the plays near it before (services.ledger).
INSERT_NEW_PLAY = f"""
    INSERT INTO plays ({", ".join(PlayRow._fields)}) VALUES ({", ".join("?" * len(PlayRow._fields))})
    ON CONFLICT (user_id, substr(played_at, 1, 16), lower(artist_name), lower(track_name)) DO NOTHING
"""

# A full play: at least 30 s and not marked skipped. Everything else stored is a skip (short plays are only
# kept when they were skips). As 1/0, so both databases can sum it.
FULL = "CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN 1 ELSE 0 END"
SKIP = f"1 - {FULL}"
CURSOR_LOOKS = 1_000  # synced plays read, newest first, for one with a real time (else: sync from Spotify's last 50)


class PlayFacts(NamedTuple):
    """What a year in review reads of each play (ms_played at most a day, `full` 1 or 0)."""

    played_at: str
    track_uri: str | None
    track_name: str
    artist_name: str
    album_name: str | None
    ms_played: int
    full: int


def _played_between(user_id: str, start: str | None, end: str | None) -> tuple[str, list[str]]:
    """SQL conditions and their parameters for one listener's plays with start <= played_at < end (None: open)."""
    conditions, params = ["user_id = ?"], [user_id]
    if start is not None:
        conditions.append("played_at >= ?")
        params.append(start)
    if end is not None:
        conditions.append("played_at < ?")
        params.append(end)
    return " AND ".join(conditions), params


def _same_source(theirs: str) -> str:
    """SQL: is `mine` the same source as `theirs`: the same file's content, or (no file) the same kind and name: the
    sync source, one Last.fm user's scrobbles?"""
    return (
        f"(mine.sha256 = {theirs}.sha256 OR (mine.sha256 IS NULL AND {theirs}.sha256 IS NULL"
        f" AND mine.kind = {theirs}.kind AND mine.name = {theirs}.name))"
    )


class PlayQueries(Queries):
    """Every write to `plays` goes through here, and keeps `store.play_months` exact in the same transaction."""

    def __init__(self, db: Backend, months: PlayMonthQueries) -> None:
        super().__init__(db)
        self.aggregates = months

    def has_source(self, user_id: str, sha256: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM play_sources WHERE user_id = ? AND sha256 = ?", (user_id, sha256)
        ).fetchone()
        return row is not None

    def add_source(self, user_id: str, kind: SourceKind, name: str, sha256: str | None, imported_at: str) -> int:
        [source_id] = self.db.execute(
            """INSERT INTO play_sources (user_id, kind, stamped, name, sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?)
               RETURNING id""",
            (user_id, kind.value, kind.stamped, name, sha256, imported_at),
        ).fetchone()
        return source_id

    def add_source_counts(self, source_id: int, rows_read: int, plays_stored: int, recognised: int = 0) -> None:
        self.db.execute(
            """UPDATE play_sources SET rows_read = rows_read + ?, plays_stored = plays_stored + ?,
               recognised = recognised + ? WHERE id = ?""",
            (rows_read, plays_stored, recognised, source_id),
        )

    def insert(self, plays: list[PlayRow], *, replace_synced: bool = True) -> int:
        """Insert plays (of one listener and one source); returns how many were new or replaced a synced copy (the
        rest were duplicates). `replace_synced=False`: a duplicate never replaces a play (scrobbles)."""
        if not plays:
            return 0
        first = plays[0]
        [last_id] = self.db.execute("SELECT coalesce(max(id), 0) FROM plays").fetchone()
        stored = self.db.executemany(INSERT_PLAY if replace_synced else INSERT_NEW_PLAY, plays)
        [inserted] = self.db.execute(
            "SELECT count(*) FROM plays WHERE source_id = ? AND id > ?", (first.source_id, last_id)
        ).fetchone()
        if inserted != stored:  # some replaced a synced copy, whose sums are not known here
            self.aggregates.recount(first.user_id, {play.played_at[:7] for play in plays})
        elif inserted == len(plays):
            self.aggregates.add(first.user_id, plays)
        else:  # the new rows are the ones after `last_id`: the duplicates left nothing to count
            self.aggregates.add(first.user_id, self._stored_after(first.source_id, last_id))
        self.aggregates.mark_stale(first.user_id, self.aggregates.named_elsewhere(first.user_id, plays))
        return stored

    def _stored_after(self, source_id: int, last_id: int) -> list[PlayRow]:
        rows = self.db.execute(f"SELECT {PLAY_COLUMNS} FROM plays WHERE source_id = ? AND id > ?", (source_id, last_id))
        return list(map(PlayRow._make, rows))

    def move_sources(self, old_id: str, into_id: str) -> dict[int, int]:
        """Give `into_id` the imported files and the sync source of `old_id` that it has no own copy of (a file:
        the same content; syncs: one source each); returns the rest, each mapped to `into_id`'s copy."""
        copies = self.db.execute(
            f"""SELECT theirs.id, mine.id FROM play_sources AS theirs
                JOIN play_sources AS mine ON mine.user_id = ? AND {_same_source("theirs")} WHERE theirs.user_id = ?""",
            (into_id, old_id),
        )
        mapped = dict(copies.fetchall())
        self.db.execute(
            f"""UPDATE play_sources SET user_id = ? WHERE user_id = ? AND NOT EXISTS
                (SELECT 1 FROM play_sources AS mine WHERE mine.user_id = ? AND {_same_source("play_sources")})""",
            (into_id, old_id, into_id),
        )
        return mapped

    def page(self, user_id: str, after_id: int, limit: int) -> list[tuple[int, PlayRow]]:
        """Up to `limit` of the listener's plays with ids above `after_id`, in id order, with their ids."""
        rows = self.db.execute(
            f"SELECT id, {PLAY_COLUMNS} FROM plays WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
            (user_id, after_id, limit),
        )
        return [(row[0], PlayRow(*row[1:])) for row in rows]

    def count(self, user_id: str) -> int:
        return self.db.execute("SELECT count(*) FROM plays WHERE user_id = ?", (user_id,)).fetchone()[0]

    def count_synced(self, user_id: str) -> int:
        return self.db.execute(
            "SELECT count(*) FROM plays JOIN play_sources s ON s.id = source_id WHERE plays.user_id = ? AND s.kind = ?",
            (user_id, API_SOURCE),
        ).fetchone()[0]

    def latest_at(self, user_id: str) -> str | None:
        row = self.db.execute("SELECT max(played_at) FROM plays WHERE user_id = ?", (user_id,)).fetchone()
        return row[0]

    def sync_cursor(self, user_id: str, now: str) -> str | None:
        """The end of the newest synced play that is a real time not after `now`: where the next sync starts. Never
        an imported row, nor a time an older tm stored unchecked (2099, 2025-13-45), which would make every sync
        ask Spotify for nothing, or fail."""
        sources = self.db.execute(
            "SELECT id FROM play_sources WHERE user_id = ? AND kind = ?", (user_id, API_SOURCE)
        ).fetchall()
        return max(filter(None, (self._newest_real(source_id, now) for (source_id,) in sources)), default=None)

    def _newest_real(self, source_id: int, now: str) -> str | None:
        """The newest play of a sync source that is a real time not after `now`, among its newest CURSOR_LOOKS.
        Read by plays_synced_by_time, whose condition every synced play meets (migration 5): however many plays
        imports hold, this reads at most that many."""
        rows = self.db.execute(
            f"""SELECT played_at FROM plays WHERE source_id = ? AND track_uri IS NOT NULL AND reason_end IS NULL
                AND played_at >= ? AND played_at <= ? ORDER BY played_at DESC LIMIT {CURSOR_LOOKS}""",
            (source_id, EARLIEST_PLAY, now),
        )
        return next((played_at for (played_at,) in rows if utc_seconds(played_at) == played_at), None)

    def sync_source(self, user_id: str, now: str) -> int:
        """The one play_sources row that recently-played syncs of this user add to."""
        row = self.db.execute(
            "SELECT id FROM play_sources WHERE user_id = ? AND kind = ?", (user_id, API_SOURCE)
        ).fetchone()
        return row[0] if row else self.add_source(user_id, SourceKind.SYNC, API_SOURCE, None, now)

    def has_near(self, play: PlayRow, seconds: int) -> bool:
        """Is there a play of Spotify's with the same artist and title within `seconds` of this one? (Scrobbles
        near it are the ledger's to judge.)"""
        moment = datetime.fromisoformat(play.played_at)
        window = (utc_iso(moment - timedelta(seconds=seconds)), utc_iso(moment + timedelta(seconds=seconds)))
        row = self.db.execute(
            f"""SELECT 1 FROM plays JOIN play_sources ON play_sources.id = plays.source_id
                WHERE plays.user_id = ? AND played_at BETWEEN ? AND ? AND play_sources.kind IN ({SPOTIFY_KINDS})
                AND lower(track_name) = lower(?) AND lower(artist_name) = lower(?) LIMIT 1""",
            (play.user_id, *window, play.track_name, play.artist_name),
        ).fetchone()
        return row is not None

    def drop_synced_near_imported(self, user_id: str, seconds: int) -> int:
        """Synced plays an import has now brought in with richer detail: the imported copy wins."""
        dropped = self.db.execute(
            f"""DELETE FROM plays WHERE user_id = ? AND source_id IN
                    (SELECT id FROM play_sources WHERE user_id = ? AND kind = '{API_SOURCE}')
                AND EXISTS (SELECT 1 FROM plays AS other JOIN play_sources AS src ON src.id = other.source_id
                    WHERE other.user_id = plays.user_id AND src.kind != '{API_SOURCE}'
                    AND other.played_at BETWEEN {self.db.shifted_time("plays.played_at")}
                                            AND {self.db.shifted_time("plays.played_at")}
                    AND lower(other.track_name) = lower(plays.track_name)
                    AND lower(other.artist_name) = lower(plays.artist_name))
                RETURNING played_at""",
            (user_id, user_id, f"-{seconds} seconds", f"+{seconds} seconds"),
        ).fetchall()
        if dropped:
            self.aggregates.recount(user_id, {row[0][:7] for row in dropped})
        return len(dropped)

    def counts(
        self,
        user_id: str,
        start: str | None,
        end: str | None,
        *,
        limit: int | None = None,
        last_before: str | None = None,
    ) -> list[PlayCount]:
        """Tracks played in [start, end), most full plays first; `last_before` keeps those not played since."""
        where, params = _played_between(user_id, start, end)
        rows = self.db.execute(
            f"""SELECT max(track_uri), min(track_name), min(artist_name), max(album_name), sum({FULL}), sum({SKIP}),
                       sum({MS_PLAYED}), max(played_at)
                FROM plays WHERE {where}
                GROUP BY lower(artist_name), lower(track_name)
                HAVING CAST(? AS TEXT) IS NULL OR max(played_at) < ?
                ORDER BY 5 DESC, 7 DESC, lower(artist_name), lower(track_name)
                {"" if limit is None else "LIMIT ?"}""",
            (*params, last_before, last_before, *([] if limit is None else [limit])),
        )
        return [PlayCount(*row) for row in rows]

    def artist_counts(self, user_id: str, start: str | None, end: str | None, limit: int) -> list[ArtistCount]:
        where, params = _played_between(user_id, start, end)
        rows = self.db.execute(
            f"""SELECT min(artist_name), sum({FULL}), sum({MS_PLAYED}) FROM plays WHERE {where}
                GROUP BY lower(artist_name) ORDER BY 2 DESC, 3 DESC, lower(artist_name) LIMIT ?""",
            (*params, limit),
        )
        return [ArtistCount(*row) for row in rows]

    def totals(self, user_id: str, start: str | None, end: str | None) -> tuple[int, int, int]:
        """(full plays, skips, ms played) in [start, end)."""
        where, params = _played_between(user_id, start, end)
        row = self.db.execute(
            f"""SELECT coalesce(sum({FULL}), 0), coalesce(sum({SKIP}), 0), coalesce(sum({MS_PLAYED}), 0)
                FROM plays WHERE {where}""",
            params,
        ).fetchone()
        return row[0], row[1], row[2]

    def months(self, user_id: str) -> list[str]:
        return self.aggregates.months(user_id)

    def facts_between(self, user_id: str, start: str, end: str) -> Iterator[PlayFacts]:
        """The plays with start <= played_at < end, streamed (one range of the index plays_by_user_time)."""
        _columns, rows = self.db.stream(
            f"""SELECT played_at, track_uri, track_name, artist_name, album_name, {MS_PLAYED}, {FULL}
                FROM plays WHERE user_id = ? AND played_at >= ? AND played_at < ?""",
            (user_id, start, end),
        )
        return map(PlayFacts._make, rows)

    def any_between(self, user_id: str, start: str, end: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM plays WHERE user_id = ? AND played_at >= ? AND played_at < ? LIMIT 1", (user_id, start, end)
        ).fetchone()
        return row is not None

    def names_before(self, user_id: str, start: str) -> set[tuple[str | None, str, str]]:
        """(URI, artist key, title key) of every track played before `start`: the monthly sums of the months before
        start's, and the plays of its month up to `start`."""
        month = start[:7]
        rows = self.db.execute(
            "SELECT DISTINCT track_uri, artist_key, title_key FROM play_months WHERE user_id = ? AND month < ?",
            (user_id, month),
        )
        names: set[tuple[str | None, str, str]] = {(uri, artist, title) for uri, artist, title in rows}
        edge = self.db.execute(
            "SELECT DISTINCT track_uri, artist_name, track_name FROM plays WHERE user_id = ? AND played_at >= ?"
            " AND played_at < ?",
            (user_id, month, start),
        )
        names.update((uri, ascii_lower(artist), ascii_lower(title)) for uri, artist, title in edge)
        return names
