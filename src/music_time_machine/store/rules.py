"""Ban/pin rules, the managed-playlist listing and exports, mixed into Store."""

from __future__ import annotations

from collections.abc import Iterator

from music_time_machine.models import ManagedPlaylist
from music_time_machine.store.backend import Backend

ALL_SOURCES = "*"


class RuleQueries:
    db: Backend

    def add_rule(self, user_id: str, track_uri: str, rule: str, source: str, now: str) -> bool:
        """True when the rule is new."""
        return self.db.execute(
            """INSERT INTO track_rules (user_id, track_uri, rule, source, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT DO NOTHING""",
            (user_id, track_uri, rule, source, now),
        ).rowcount == 1  # fmt: skip

    def remove_rule(self, user_id: str, track_uri: str, rule: str, source: str) -> bool:
        """True when there was such a rule."""
        return self.db.execute(
            "DELETE FROM track_rules WHERE user_id = ? AND track_uri = ? AND rule = ? AND source = ?",
            (user_id, track_uri, rule, source),
        ).rowcount == 1  # fmt: skip

    def rule_uris(self, user_id: str, rule: str, source: str) -> list[str]:
        rows = self.db.execute(
            "SELECT track_uri FROM track_rules WHERE user_id = ? AND rule = ? AND source IN (?, ?) ORDER BY created_at",
            (user_id, rule, source, ALL_SOURCES),
        )
        return [row[0] for row in rows]

    def managed_playlists(self, user_id: str) -> list[ManagedPlaylist]:
        rows = self.db.execute(
            """SELECT user_id, kind, playlist_id, name, track_count, updated_at FROM managed_playlists
               WHERE user_id = ? ORDER BY kind""",
            (user_id,),
        )
        return [ManagedPlaylist(*row) for row in rows]

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

    def uris_charted_before(self, user_id: str, before: str) -> set[str]:
        rows = self.db.execute(
            """SELECT DISTINCT i.track_uri FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id
               WHERE s.user_id = ? AND s.taken_at < ?""",
            (user_id, before),
        )
        return {row[0] for row in rows}

    def export_rows(self, user_id: str, what: str) -> tuple[list[str], Iterator[tuple]]:
        """Column names and a streaming cursor over `snapshots` (every chart position) or `playlists`."""
        return self.db.stream(EXPORTS[what], (user_id,))


EXPORTS = {
    "snapshots": """SELECT time_range, taken_at, rank, track_uri, track, artists, album FROM v_snapshot_ranks
                    WHERE user_id = ? ORDER BY taken_at, time_range, rank""",
    "playlists": """SELECT kind, playlist_id, name, track_count, created_at, updated_at FROM managed_playlists
                    WHERE user_id = ? ORDER BY kind""",
}
