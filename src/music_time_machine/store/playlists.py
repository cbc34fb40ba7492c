"""`store.playlists`: the playlists tm manages, and the names of tracks to show beside them."""

from __future__ import annotations

from music_time_machine.models import ManagedPlaylist
from music_time_machine.store.backend import Queries


class PlaylistQueries(Queries):
    def get(self, user_id: str, kind: str) -> ManagedPlaylist | None:
        row = self.db.execute(
            """SELECT user_id, kind, playlist_id, name, track_count, updated_at FROM managed_playlists
               WHERE user_id = ? AND kind = ?""",
            (user_id, kind),
        ).fetchone()
        return ManagedPlaylist(*row) if row else None

    def for_user(self, user_id: str) -> list[ManagedPlaylist]:
        rows = self.db.execute(
            """SELECT user_id, kind, playlist_id, name, track_count, updated_at FROM managed_playlists
               WHERE user_id = ? ORDER BY kind""",
            (user_id,),
        )
        return [ManagedPlaylist(*row) for row in rows]

    def save(self, playlist: ManagedPlaylist) -> None:
        self.db.execute(
            """INSERT INTO managed_playlists
                   (user_id, kind, playlist_id, name, track_count, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id, kind) DO UPDATE SET playlist_id = excluded.playlist_id,
                   name = excluded.name, track_count = excluded.track_count, updated_at = excluded.updated_at""",
            (
                playlist.user_id,
                playlist.source,
                playlist.playlist_id,
                playlist.name,
                playlist.track_count,
                playlist.updated_at,
                playlist.updated_at,
            ),
        )

    def track_names(self, uris: list[str]) -> dict[str, str]:
        """`Name — Artist` for the tracks the store knows (from snapshots)."""
        marks = ",".join("?" * len(uris))
        rows = self.db.execute(
            f"""SELECT t.uri, t.name, (SELECT a.name FROM track_artists ta JOIN artists a ON a.uri = ta.artist_uri
                                       WHERE ta.track_uri = t.uri AND ta.position = 0)
                FROM tracks t WHERE t.uri IN ({marks})""",
            uris,
        )
        return {uri: f"{name} — {artist}" if artist else name for uri, name, artist in rows}
