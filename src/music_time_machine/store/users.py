"""`store.users`: the listeners a database holds."""

from __future__ import annotations

from music_time_machine.models import User
from music_time_machine.store.backend import Queries


class UserQueries(Queries):
    def upsert(self, user: User, seen_at: str) -> None:
        self.db.execute(
            """INSERT INTO users (id, display_name, account_id, first_seen_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
                   account_id = coalesce(excluded.account_id, users.account_id),
                   last_seen_at = excluded.last_seen_at""",
            (user.id, user.display_name, user.account_id, seen_at, seen_at),
        )

    def all(self) -> list[User]:
        rows = self.db.execute("SELECT id, display_name, account_id FROM users ORDER BY id")
        return [User(id=row[0], display_name=row[1], account_id=row[2]) for row in rows]

    def adopt(self, old_id: str, new: User, seen_at: str) -> dict[str, int]:
        """Give every row of listener `old_id` to `new` (who must hold none yet) and forget `old_id`; returns the
        rows moved per table. One transaction: all of it moves, or none."""
        moved = {}
        with self.db.transaction():
            self.upsert(new, seen_at)
            for table in LISTENER_TABLES:
                cursor = self.db.execute(f"UPDATE {table} SET user_id = ? WHERE user_id = ?", (new.id, old_id))
                moved[table] = cursor.rowcount
            self.db.execute("DELETE FROM users WHERE id = ?", (old_id,))
        return moved


# Every table that holds a listener's rows (only their user_id changes, so the order does not matter).
LISTENER_TABLES = (
    "snapshots",
    "managed_playlists",
    "play_sources",
    "plays",
    "track_rules",
    "play_months",
    "play_charts",
    "play_charts_stale",
)
