"""`store.snapshots`: the charts tm captured, with the tracks and artists they name."""

from __future__ import annotations

import json
from collections.abc import Iterable

from music_time_machine.models import Artist, Month, Snapshot, TimeRange, Track
from music_time_machine.store.backend import Queries


class SnapshotQueries(Queries):
    def ranges_taken_on(self, user_id: str, day: str) -> set[TimeRange]:
        rows = self.db.execute("SELECT time_range FROM snapshots WHERE user_id = ? AND taken_on = ?", (user_id, day))
        return {TimeRange(row[0]) for row in rows}

    def save(
        self, user_id: str, taken_at: str, charts: dict[TimeRange, list[Track]], *, replace: bool = False
    ) -> list[TimeRange]:
        """Store one snapshot per range in one transaction; returns the ranges stored.

        A range already taken that UTC day (say, by another tm running at the same time: the transaction
        serialises them) is kept unless `replace`."""
        taken_on = taken_at[:10]
        with self.db.transaction():
            self.db.lock(f"snapshot {user_id}")  # two tm runs at once: the second sees the first's snapshot
            if not replace:
                taken = self.ranges_taken_on(user_id, taken_on)
                charts = {time_range: tracks for time_range, tracks in charts.items() if time_range not in taken}
            self._save_tracks([track for tracks in charts.values() for track in tracks], taken_at)
            for time_range, tracks in charts.items():
                self.db.execute(
                    "DELETE FROM snapshots WHERE user_id = ? AND taken_on = ? AND time_range = ?",
                    (user_id, taken_on, time_range.value),
                )
                [snapshot_id] = self.db.execute(
                    "INSERT INTO snapshots (user_id, time_range, taken_at, taken_on) VALUES (?, ?, ?, ?) RETURNING id",
                    (user_id, time_range.value, taken_at, taken_on),
                ).fetchone()
                self.db.executemany(
                    "INSERT INTO snapshot_items (snapshot_id, rank, track_uri) VALUES (?, ?, ?)",
                    [(snapshot_id, rank, track.uri) for rank, track in enumerate(tracks, start=1)],
                )
        return list(charts)

    def _save_tracks(self, tracks: list[Track], updated_at: str) -> None:
        # Rows in key order: two listeners' snapshots saved at once lock shared rows in the same order (no deadlock).
        unique = sorted({track.key: track for track in tracks}.values(), key=lambda track: track.key)
        self.db.executemany(
            "INSERT INTO artists (uri, name) VALUES (?, ?) ON CONFLICT (uri) DO UPDATE SET name = excluded.name",
            sorted({(artist.uri, artist.name) for track in unique for artist in track.artists}),
        )
        self.db.executemany(
            """INSERT INTO tracks (uri, name, album_uri, album_name, duration_ms, isrc, raw_json, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (uri) DO UPDATE SET name = excluded.name, album_uri = excluded.album_uri,
                   album_name = excluded.album_name, duration_ms = excluded.duration_ms,
                   isrc = coalesce(excluded.isrc, tracks.isrc), raw_json = coalesce(excluded.raw_json, tracks.raw_json),
                   updated_at = excluded.updated_at""",
            [
                (
                    t.uri,
                    t.name,
                    t.album_uri,
                    t.album_name,
                    t.duration_ms,
                    t.isrc,
                    json.dumps(t.raw, separators=(",", ":")) if t.raw else None,
                    updated_at,
                )
                for t in unique
            ],
        )
        self.db.executemany("DELETE FROM track_artists WHERE track_uri = ?", [(t.uri,) for t in unique])
        self.db.executemany(
            "INSERT INTO track_artists (track_uri, position, artist_uri) VALUES (?, ?, ?)",
            [(t.uri, position, a.uri) for t in unique for position, a in enumerate(t.artists)],
        )

    def between(self, user_id: str, start: str, end: str, ranges: Iterable[TimeRange]) -> list[Snapshot]:
        """Snapshots with start <= taken_at < end, oldest first, with their tracks in rank order."""
        range_values = [time_range.value for time_range in ranges]
        marks = ",".join("?" * len(range_values))
        rows = self.db.execute(
            f"""SELECT id, time_range, taken_at FROM snapshots
                WHERE user_id = ? AND taken_at >= ? AND taken_at < ? AND time_range IN ({marks})
                ORDER BY taken_at, time_range""",
            (user_id, start, end, *range_values),
        ).fetchall()
        tracks_by_snapshot = self._tracks([row[0] for row in rows])
        return [
            Snapshot(user_id, TimeRange(time_range), taken_at, tracks_by_snapshot.get(snapshot_id, []))
            for snapshot_id, time_range, taken_at in rows
        ]

    def latest_at(self, user_id: str) -> str | None:
        return self.db.execute("SELECT max(taken_at) FROM snapshots WHERE user_id = ?", (user_id,)).fetchone()[0]

    def latest(self, user_id: str, time_range: TimeRange) -> Snapshot | None:
        row = self.db.execute(
            """SELECT id, taken_at FROM snapshots WHERE user_id = ? AND time_range = ?
               ORDER BY taken_at DESC LIMIT 1""",
            (user_id, time_range.value),
        ).fetchone()
        if row is None:
            return None
        return Snapshot(user_id, time_range, row[1], self._tracks([row[0]]).get(row[0], []))

    def _tracks(self, snapshot_ids: list[int]) -> dict[int, list[Track]]:
        """Each snapshot's tracks in rank order; a track charted in many snapshots is one shared object."""
        if not snapshot_ids:
            return {}
        ids = ",".join("?" * len(snapshot_ids))
        charted = f"SELECT track_uri FROM snapshot_items WHERE snapshot_id IN ({ids})"
        artists: dict[str, list[Artist]] = {}
        for track_uri, artist_uri, artist_name in self.db.execute(
            f"""SELECT ta.track_uri, a.uri, a.name FROM track_artists ta JOIN artists a ON a.uri = ta.artist_uri
                WHERE ta.track_uri IN ({charted}) ORDER BY ta.track_uri, ta.position""",
            snapshot_ids,
        ):
            artists.setdefault(track_uri, []).append(Artist(artist_uri, artist_name))
        tracks = {
            uri: Track(uri, name, tuple(artists.get(uri, ())), album_uri, album_name, duration_ms, isrc)
            for uri, name, album_uri, album_name, duration_ms, isrc in self.db.execute(
                f"SELECT uri, name, album_uri, album_name, duration_ms, isrc FROM tracks WHERE uri IN ({charted})",
                snapshot_ids,
            )
        }
        result: dict[int, list[Track]] = {}
        for snapshot_id, uri in self.db.execute(
            f"SELECT snapshot_id, track_uri FROM snapshot_items WHERE snapshot_id IN ({ids}) "
            "ORDER BY snapshot_id, rank",
            snapshot_ids,
        ):
            result.setdefault(snapshot_id, []).append(tracks[uri])
        return result

    def months(self, user_id: str) -> list[Month]:
        rows = self.db.execute(
            "SELECT DISTINCT substr(taken_at, 1, 7) FROM snapshots WHERE user_id = ? ORDER BY 1", (user_id,)
        )
        return [Month.parse(row[0]) for row in rows]

    def uris_charted_before(self, user_id: str, before: str) -> set[str]:
        rows = self.db.execute(
            """SELECT DISTINCT i.track_uri FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id
               WHERE s.user_id = ? AND s.taken_at < ?""",
            (user_id, before),
        )
        return {row[0] for row in rows}
