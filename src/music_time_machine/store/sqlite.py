"""SQLite, the default: one private file, WAL, foreign keys. Everything SQLite-specific is here."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from music_time_machine.errors import StoreError
from music_time_machine.printable import one_line
from music_time_machine.private_files import private_folder
from music_time_machine.store.backend import Backend
from music_time_machine.store.schema import migrations_for

DIALECT = {
    "text": "TEXT",
    "serial": "INTEGER PRIMARY KEY",  # SQLite's rowid alias
    "reference": "INTEGER",
    "keyed": "WITHOUT ROWID",  # the table is its key's B-tree: a range of keys is read in one pass
    "json": "TEXT",
    "artist_names": "(SELECT group_concat(name, ', ') FROM (SELECT a.name FROM track_artists ta\n"
    "                    JOIN artists a ON a.uri = ta.artist_uri WHERE ta.track_uri = t.uri ORDER BY ta.position))",
}


def sqlite_error(error: sqlite3.Error) -> StoreError:
    """What a database failure means for the user, in one line."""
    if "locked" in str(error) or "busy" in str(error):
        return StoreError("The database is busy: another tm is writing to it.", hint="Try again in a moment.")
    if "readonly" in str(error):
        return StoreError("The database is read-only.", hint="Check the file's permissions, or use --db.")
    if error.sqlite_errorcode == sqlite3.SQLITE_FULL:
        return StoreError(
            "The disk is full (SQLite: database or disk is full); what was being written was rolled back.",
            hint="Free some space on the database's disk (or use --db elsewhere) and run the command again.",
        )
    return StoreError(f"Database error: {one_line(str(error))}.", hint="Run with --debug for details.")


class SqliteBackend(Backend):
    migrations = migrations_for(DIALECT)

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.location = str(path)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        # sqlite3 reads a tuple subclass (a PlayRow) item by item through Python's __getitem__, ~1 µs a row; a
        # plain tuple it reads directly. tuple() of a plain tuple is that tuple, so only NamedTuples are copied.
        return self.connection.executemany(sql, map(tuple, rows)).rowcount

    def stream(self, sql: str, params: Sequence[Any]) -> tuple[list[str], Iterator[tuple]]:
        cursor = self.connection.execute(sql, params)  # SQLite steps through the rows as they are read
        return [column[0] for column in cursor.description], iter(cursor)

    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def _run(self, statements: list[str]) -> None:
        # After some failures (a full disk, SQLITE_FULL) SQLite has already rolled the transaction back; a ROLLBACK
        # then fails ("no transaction is active") and would hide the error that matters.
        if statements[0].startswith("ROLLBACK") and not self.connection.in_transaction:
            return
        super()._run(statements)

    def _begin(self) -> str:
        return "BEGIN IMMEDIATE"  # the write lock at once: writers queue up instead of failing halfway

    def lock(self, key: str) -> None:
        """BEGIN IMMEDIATE already made this the only writer."""

    def schema_version(self) -> int:
        return self.connection.execute("PRAGMA user_version").fetchone()[0]

    def _run_migration(self, number: int, script: str) -> None:
        try:
            self.connection.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except BaseException:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise

    def integrity(self) -> str:
        return self.connection.execute("PRAGMA integrity_check").fetchone()[0]

    def shifted_time(self, column: str) -> str:
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column}, ?)"

    def through_index(self, index: str) -> str:
        return f"INDEXED BY {index}"

    def close(self) -> None:
        self.connection.close()


MINIMUM_VERSION = (3, 35, 0)  # RETURNING


def open_sqlite(path: Path, busy_timeout: float) -> SqliteBackend:
    """Open (creating if needed) and migrate the database file at `path`; wait `busy_timeout` s for a lock."""
    if sqlite3.sqlite_version_info < MINIMUM_VERSION:
        raise StoreError(
            f"tm needs SQLite 3.35 or newer; this Python's sqlite3 is {sqlite3.sqlite_version}.",
            hint="Use a newer Python build (python.org, pyenv or uv bring a recent SQLite).",
        )
    private_folder(path.parent)
    if not path.exists():
        # Listening history is personal: private from the start (SQLite gives -wal/-shm the same mode).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    connection = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable against crashes, fewer fsyncs
        # 64 MB of pages (2 MB by default): an import touches every index of plays and play_months per batch, and
        # pages evicted mid-transaction are written twice. Only what a command reads is ever held.
        connection.execute("PRAGMA cache_size = -65536")
        backend = SqliteBackend(connection, path)
        backend.migrate()
    except BaseException as error:
        connection.close()
        if not isinstance(error, sqlite3.DatabaseError):
            raise
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise StoreError(
                f"The database {path} is read-only (or its folder is); tm needs to write to it.",
                hint="Check the permissions or the mount, or use --db with a writable copy.",
            ) from error
        raise StoreError(f"Cannot use database {path}: {error}.") from error
    return backend
