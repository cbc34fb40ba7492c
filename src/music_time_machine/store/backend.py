"""What `Store` needs from a database: the connection, transactions, migrations and the few SQL fragments that
differ between SQLite and PostgreSQL. Each backend module keeps all of its differences in one place."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from music_time_machine.errors import StoreError


class Backend(ABC):
    """One open database. Queries use `?` placeholders and the SQL both databases share; a backend translates."""

    location: str  # for messages: a file path, or a URL without its password
    migrations: Sequence[str]  # append-only; the schema version is how many have run, the same numbers on both

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns a DB-API cursor (iterable, fetchone/fetchall, rowcount, description)."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; returns the rows affected in all."""

    @abstractmethod
    def stream(self, sql: str, params: Sequence[Any]) -> tuple[list[str], Iterator[tuple]]:
        """Column names and the rows of a query, fetched as they are read (memory stays flat)."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def _begin(self) -> str:
        """The statement that starts a write transaction (SQLite takes the write lock at once)."""

    @abstractmethod
    def lock(self, key: str) -> None:
        """Inside a transaction: wait until no other transaction holds `key` (one listener's snapshot)."""

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def _run_migration(self, number: int, script: str) -> None:
        """Run one migration script and record `number` as the schema version, all in one transaction."""

    @abstractmethod
    def integrity(self) -> str:
        """ "ok", or what the database reports as wrong with itself."""

    @abstractmethod
    def shifted_time(self, column: str) -> str:
        """SQL for the ISO time in `column` moved by a `?` parameter such as '-90 seconds', in the same format."""

    @abstractmethod
    def through_index(self, index: str) -> str:
        """SQL to follow a table's name so that it is read through `index` (a partial index: SQLite's planner
        prefers a covering index that holds every row, unless told), or '' where the planner finds it alone."""

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def transaction(self, *, keep: bool = True) -> Iterator[None]:
        """All or nothing: an error or Ctrl-C inside rolls everything back (so does `keep=False`: dry runs).

        Inside another transaction it is a savepoint: undone alone on error, kept or not with the outer one."""
        if self.in_transaction:
            release = "RELEASE SAVEPOINT tm_inner"
            begin, commit, rollback = ["SAVEPOINT tm_inner"], [release], ["ROLLBACK TO SAVEPOINT tm_inner", release]
        else:
            begin, commit, rollback = [self._begin()], ["COMMIT"], ["ROLLBACK"]
        self._run(begin)
        try:
            yield
        except BaseException:
            self._run(rollback)
            raise
        self._run(commit if keep else rollback)

    def _run(self, statements: list[str]) -> None:
        for statement in statements:
            self.execute(statement)

    def migrate(self) -> None:
        version = self.schema_version()
        if version > len(self.migrations):
            raise StoreError(
                f"Database {self.location} was written by a newer tm (schema {version}, this tm knows "
                f"{len(self.migrations)}).",
                hint="Upgrade tm: pip install --upgrade music-time-machine.",
            )
        for number, script in enumerate(self.migrations[version:], start=version + 1):
            self._run_migration(number, script)


class Queries:
    """A few queries about one thing (`store.plays`, `store.snapshots`, …) over the store's one backend."""

    def __init__(self, db: Backend) -> None:
        self.db = db
