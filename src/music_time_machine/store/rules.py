"""`store.rules`: ban and pin rules for the generated playlists."""

from __future__ import annotations

from music_time_machine.store.backend import Queries

ALL_SOURCES = "*"


class RuleQueries(Queries):
    def add(self, user_id: str, track_uri: str, rule: str, source: str, now: str) -> bool:
        """True when the rule is new."""
        cursor = self.db.execute(
            """INSERT INTO track_rules (user_id, track_uri, rule, source, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT DO NOTHING""",
            (user_id, track_uri, rule, source, now),
        )
        return cursor.rowcount == 1

    def remove(self, user_id: str, track_uri: str, rule: str, source: str) -> bool:
        """True when there was such a rule."""
        cursor = self.db.execute(
            "DELETE FROM track_rules WHERE user_id = ? AND track_uri = ? AND rule = ? AND source = ?",
            (user_id, track_uri, rule, source),
        )
        return cursor.rowcount == 1

    def uris(self, user_id: str, rule: str, source: str) -> list[str]:
        """The tracks with `rule` for `source` (or for every source), oldest rule first."""
        rows = self.db.execute(
            "SELECT track_uri FROM track_rules WHERE user_id = ? AND rule = ? AND source IN (?, ?) ORDER BY created_at",
            (user_id, rule, source, ALL_SOURCES),
        )
        return [row[0] for row in rows]
