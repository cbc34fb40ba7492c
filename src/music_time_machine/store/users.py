"""`store.users`: the listeners a database holds."""

from __future__ import annotations

from music_time_machine.models import User
from music_time_machine.store.backend import Queries
from music_time_machine.store.plays import API_SOURCE


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

    def import_only(self) -> list[str]:
        """The listeners whose only data is imported plays (no snapshot, no synced play): nobody logged in as them."""
        rows = self.db.execute(
            f"""SELECT id FROM users WHERE EXISTS (SELECT 1 FROM plays WHERE plays.user_id = users.id)
               AND NOT EXISTS (SELECT 1 FROM snapshots WHERE snapshots.user_id = users.id)
               AND NOT EXISTS (SELECT 1 FROM play_sources WHERE play_sources.user_id = users.id
                               AND play_sources.kind = '{API_SOURCE}') ORDER BY id"""
        )
        return [row[0] for row in rows]

    def holds_rows(self, user_id: str) -> bool:
        """Has the listener any row in any table (beyond being known)?"""
        exists = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE user_id = ?)" for table in LISTENER_TABLES)
        return bool(self.db.execute(f"SELECT {exists}", (user_id,) * len(LISTENER_TABLES)).fetchone()[0])

    def move_unclaimed(self, old_id: str, into_id: str) -> dict[str, int]:
        """Give `into_id` those of `old_id`'s snapshots, playlists and rules that it has no own row for (the same
        day and range, playlist source, rule); returns how many moved per table. The rest stay with `old_id`."""
        moved = {}
        for table, same in CLAIMS.items():
            match = " AND ".join(f"mine.{column} = {table}.{column}" for column in same)
            cursor = self.db.execute(
                f"""UPDATE {table} SET user_id = ? WHERE user_id = ?
                    AND NOT EXISTS (SELECT 1 FROM {table} AS mine WHERE mine.user_id = ? AND {match})""",
                (into_id, old_id, into_id),
            )
            moved[table] = cursor.rowcount
        return moved

    def forget(self, old_id: str) -> None:
        """Delete listener `old_id` and every row still theirs (a snapshot's items go with it)."""
        for table in LISTENER_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE user_id = ?", (old_id,))
        self.db.execute("DELETE FROM users WHERE id = ?", (old_id,))


# What makes a row the same as another listener's: tm db adopt keeps the adopting listener's own
CLAIMS = {
    "snapshots": ("taken_on", "time_range"),
    "managed_playlists": ("kind",),
    "track_rules": ("track_uri", "rule", "source"),
}

# Every table that holds a listener's rows. Moving them (only user_id changes) may go in any order; deleting them
# goes in this one: plays before the play_sources they reference.
LISTENER_TABLES = (
    "snapshots",
    "managed_playlists",
    "plays",
    "play_sources",
    "track_rules",
    "play_months",
    "play_quarters",
    "artist_months",
    "play_charts",
    "play_charts_stale",
)
