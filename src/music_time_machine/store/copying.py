"""`store.copying`: copying one database into another (`tm db copy`): reads on the source, idempotent writes on
the target (plays go through `store.plays.insert`). Rows are matched by their natural keys, never by the source's
surrogate ids."""

from __future__ import annotations

from collections.abc import Iterator

from music_time_machine.models import PlayRow
from music_time_machine.store.backend import Queries

# Tables whose rows are copied as they are: (columns, natural key). A row the target already has is left alone.
PLAIN_TABLES = {
    "users": ("id, display_name, account_id, first_seen_at, last_seen_at", "id"),
    "artists": ("uri, name", "uri"),
    "tracks": ("uri, name, album_uri, album_name, duration_ms, isrc, raw_json, updated_at", "uri"),
    "track_artists": ("track_uri, position, artist_uri", "track_uri, position"),
    "track_rules": ("user_id, track_uri, rule, source, created_at", "user_id, track_uri, rule, source"),
    "managed_playlists": ("user_id, kind, playlist_id, name, track_count, created_at, updated_at", "user_id, kind"),
}
# What is compared after a copy: every row of the source's listeners must be in the target.
COUNTED = {
    "snapshots": "SELECT count(*) FROM snapshots WHERE user_id = ?",
    "snapshot_items": "SELECT count(*) FROM snapshot_items JOIN snapshots s ON s.id = snapshot_id WHERE s.user_id = ?",
    "plays": "SELECT count(*) FROM plays WHERE user_id = ?",
    "track_rules": "SELECT count(*) FROM track_rules WHERE user_id = ?",
    "managed_playlists": "SELECT count(*) FROM managed_playlists WHERE user_id = ?",
}


class CopyQueries(Queries):
    # the source side ---------------------------------------------------------------------------------

    def table_rows(self, table: str) -> Iterator[tuple]:
        columns, key = PLAIN_TABLES[table]
        return self.db.stream(f"SELECT {columns} FROM {table} ORDER BY {key}", ())[1]

    def snapshot_rows(self) -> list[tuple]:
        """(id, user_id, time_range, taken_at, taken_on) of every snapshot, oldest first."""
        return self.db.execute(
            "SELECT id, user_id, time_range, taken_at, taken_on FROM snapshots ORDER BY taken_at, time_range"
        ).fetchall()

    def snapshot_items(self, snapshot_id: int) -> list[tuple]:
        return self.db.execute(
            "SELECT rank, track_uri FROM snapshot_items WHERE snapshot_id = ? ORDER BY rank", (snapshot_id,)
        ).fetchall()

    def play_source_rows(self) -> list[tuple]:
        return self.db.execute(
            """SELECT id, user_id, kind, stamped, name, sha256, imported_at, rows_read, plays_stored, recognised,
                      resume_after FROM play_sources ORDER BY id"""
        ).fetchall()

    def play_rows(self) -> Iterator[PlayRow]:
        """Every play (its source_id is the source database's own id)."""
        return map(PlayRow._make, self.db.stream(f"SELECT {', '.join(PlayRow._fields)} FROM plays ORDER BY id", ())[1])

    def counts_for(self, user_id: str) -> dict[str, int]:
        return {table: self.db.execute(sql, (user_id,)).fetchone()[0] for table, sql in COUNTED.items()}

    # the target side ---------------------------------------------------------------------------------

    def add_rows(self, table: str, rows: list[tuple]) -> int:
        """Insert the rows the target lacks; returns how many were new."""
        columns, _key = PLAIN_TABLES[table]
        marks = ", ".join("?" * len(columns.split(",")))
        return self.db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows)

    def add_snapshot(self, user_id: str, time_range: str, taken_at: str, taken_on: str, items: list[tuple]) -> bool:
        """False when the target already has that user's snapshot of that range on that day."""
        row = self.db.execute(
            """INSERT INTO snapshots (user_id, time_range, taken_at, taken_on) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, taken_on, time_range) DO NOTHING RETURNING id""",
            (user_id, time_range, taken_at, taken_on),
        ).fetchone()
        if row is None:
            return False
        self.db.executemany(
            "INSERT INTO snapshot_items (snapshot_id, rank, track_uri) VALUES (?, ?, ?)",
            [(row[0], rank, uri) for rank, uri in items],
        )
        return True

    def play_source_id(self, row: tuple) -> int:
        """The target's id for a source's play_sources row: the same file (by SHA-256, whatever its name, as the
        importer matches it), or that listener's source of the same kind and name (the sync, a Last.fm user); added
        when the target has neither."""
        _id, user_id, kind, stamped, name, sha256, imported_at, rows_read, plays_stored, recognised, resume_after = row
        if sha256:
            found = self.db.execute(
                "SELECT id FROM play_sources WHERE user_id = ? AND sha256 = ?", (user_id, sha256)
            ).fetchone()
        else:
            found = self.db.execute(
                "SELECT id FROM play_sources WHERE user_id = ? AND kind = ? AND name = ? AND sha256 IS NULL",
                (user_id, kind, name),
            ).fetchone()
        if found:
            return found[0]
        [new_id] = self.db.execute(
            """INSERT INTO play_sources (user_id, kind, stamped, name, sha256, imported_at, rows_read, plays_stored,
               recognised, resume_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (user_id, kind, stamped, name, sha256, imported_at, rows_read, plays_stored, recognised, resume_after),
        ).fetchone()
        return new_id
