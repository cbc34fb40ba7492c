"""The store: one `Backend` and the queries tm runs over it, grouped by what they are about (`store.plays`,
`store.snapshots`, …), each group in its own module, in the SQL that SQLite and PostgreSQL share."""

from __future__ import annotations

from contextlib import AbstractContextManager

from music_time_machine.store.backend import Backend
from music_time_machine.store.copying import CopyQueries
from music_time_machine.store.exports import ExportQueries
from music_time_machine.store.play_ledger import LedgerQueries
from music_time_machine.store.play_months import PlayMonthQueries
from music_time_machine.store.play_quarters import ReportSumQueries
from music_time_machine.store.playlists import PlaylistQueries
from music_time_machine.store.plays import PlayQueries
from music_time_machine.store.report import ReportQueries
from music_time_machine.store.rules import RuleQueries
from music_time_machine.store.snapshots import SnapshotQueries
from music_time_machine.store.users import UserQueries


class Store:
    def __init__(self, db: Backend) -> None:
        self.db = db
        self.users = UserQueries(db)
        self.snapshots = SnapshotQueries(db)
        self.play_months = PlayMonthQueries(db, ReportSumQueries(db))
        self.plays = PlayQueries(db, self.play_months)
        self.ledger = LedgerQueries(db, self.play_months)
        self.report = ReportQueries(db)
        self.playlists = PlaylistQueries(db)
        self.rules = RuleQueries(db)
        self.exports = ExportQueries(db)
        self.copying = CopyQueries(db)

    @property
    def location(self) -> str:
        return self.db.location

    def close(self) -> None:
        self.db.close()

    def transaction(self, *, keep: bool = True) -> AbstractContextManager[None]:
        return self.db.transaction(keep=keep)

    def schema_version(self) -> int:
        return self.db.schema_version()

    def integrity(self) -> str:
        """ "ok", or what the database reports as wrong with itself."""
        return self.db.integrity()
