"""`store.exports`: what `tm export` streams out of the database."""

from __future__ import annotations

from collections.abc import Iterator

from music_time_machine.store.backend import Queries

EXPORTS = {
    "snapshots": """SELECT time_range, taken_at, rank, track_uri, track, artists, album FROM v_snapshot_ranks
                    WHERE user_id = ? ORDER BY taken_at, time_range, rank""",
    # the charts of plays (computed first), in the columns of "snapshots" but with each chart's month for taken_at
    "play_charts": """SELECT time_range, month AS taken_at, rank, track_uri, track_name AS track,
                      artist_name AS artists, album_name AS album FROM play_charts
                      WHERE user_id = ? ORDER BY month, time_range, rank""",
    "playlists": """SELECT kind, playlist_id, name, track_count, created_at, updated_at FROM managed_playlists
                    WHERE user_id = ? ORDER BY kind""",
}


class ExportQueries(Queries):
    def rows(self, user_id: str, what: str) -> tuple[list[str], Iterator[tuple]]:
        """Column names and a streaming cursor over `snapshots` (every chart position), `play_charts` or `playlists`."""
        return self.db.stream(EXPORTS[what], (user_id,))
