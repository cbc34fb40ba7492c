"""Storage: the only package that contains SQL. SQLite by default; PostgreSQL for a shared database."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from music_time_machine.config import DEFAULT_BUSY_TIMEOUT, is_database_url
from music_time_machine.errors import StoreError
from music_time_machine.store.sqlite import open_sqlite, sqlite_error
from music_time_machine.store.store import Store

__all__ = ["Store", "as_store_error", "is_database_url", "open_store"]


def open_store(target: str | Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Store:
    """Open and migrate the database at `target`: a SQLite file, or a postgresql:// URL.

    `busy_timeout`: seconds a SQLite connection waits for another writer's lock (TM_BUSY_TIMEOUT)."""
    if is_database_url(target):
        from music_time_machine.store.postgres import open_postgres  # psycopg only when asked for

        return Store(open_postgres(str(target)))
    return Store(open_sqlite(Path(target), busy_timeout))


def as_store_error(error: BaseException) -> StoreError | None:
    """A database driver's failure as one line for the user, or None when `error` is not one."""
    if isinstance(error, sqlite3.Error):
        return sqlite_error(error)
    if "psycopg" in sys.modules:  # loaded only when a PostgreSQL database is in use
        from music_time_machine.store.postgres import postgres_error

        return postgres_error(error)
    return None
