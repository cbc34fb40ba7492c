"""PostgreSQL, for a household or a server sharing one database: psycopg 3 (the `postgres` extra).

Everything PostgreSQL-specific is here and in `schema_postgres.py`: placeholder translation, the schema version
table, advisory locks where SQLite has BEGIN IMMEDIATE, and the one time expression that differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from music_time_machine.errors import ConfigError, StoreError
from music_time_machine.store.backend import Backend
from music_time_machine.store.schema_postgres import MIGRATIONS

try:
    import psycopg
except ImportError:  # pragma: no cover - exercised by installing without the extra
    psycopg = None  # type: ignore[assignment]


@lru_cache(maxsize=256)
def translate(sql: str) -> str:
    """Our `?` placeholders as psycopg's `%s` (a literal % doubled). No query of ours has a `?` in a string."""
    return sql.replace("%", "%%").replace("?", "%s")


def masked(url: str) -> str:
    """The URL for messages: never the password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def postgres_error(error: BaseException) -> StoreError | None:
    if psycopg is None or not isinstance(error, psycopg.Error):
        return None
    if isinstance(error, psycopg.OperationalError):
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return StoreError(f"PostgreSQL is unreachable or refused tm: {first}",
                          hint="Check the server, the URL in --db/TM_DB, and the password (~/.pgpass).")  # fmt: skip
    return StoreError(f"Database error: {str(error).strip()}.", hint="Run with --debug for details.")


class PostgresBackend(Backend):
    migrations = MIGRATIONS

    def __init__(self, connection: psycopg.Connection, url: str) -> None:
        self.connection = connection
        self.location = masked(url)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self.connection.execute(translate(sql), params or None)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.connection.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))  # type: ignore[arg-type]
            return cursor.rowcount

    def stream(self, sql: str, params: Sequence[Any]) -> tuple[list[str], Iterator[tuple]]:
        # A server-side cursor, fetched a batch at a time; WITH HOLD lets it outlive autocommit's transaction.
        cursor = self.connection.cursor(name="tm_stream", withhold=True)
        cursor.execute(translate(sql), params)  # type: ignore[arg-type]
        return [column.name for column in cursor.description or []], _closing(cursor)

    @property
    def in_transaction(self) -> bool:
        return self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def _begin(self) -> str:
        return "BEGIN"

    def lock(self, key: str) -> None:
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (key,))

    def schema_version(self) -> int:
        self.execute("CREATE TABLE IF NOT EXISTS tm_schema (version INTEGER NOT NULL)")
        row = self.execute("SELECT max(version) FROM tm_schema").fetchone()
        return row[0] or 0

    def _run_migration(self, number: int, script: str) -> None:
        with self.transaction():
            self.lock("tm migrations")  # two tm starting at once on a new database: one migrates
            if self.schema_version() >= number:
                return
            self.connection.execute(script)  # type: ignore[arg-type]  (a script: no parameters)
            self.execute("INSERT INTO tm_schema (version) VALUES (?)", (number,))

    def integrity(self) -> str:
        self.execute("SELECT 1")
        return "ok"

    def shifted_time(self, column: str) -> str:
        return (f"to_char((({column})::timestamptz + CAST(? AS interval)) AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")  # fmt: skip

    def close(self) -> None:
        self.connection.close()


def _closing(cursor: psycopg.ServerCursor) -> Iterator[tuple]:
    with cursor:
        yield from cursor


def open_postgres(url: str) -> PostgresBackend:
    if psycopg is None:
        raise ConfigError(
            "A postgresql:// database needs the PostgreSQL driver, which is not installed.",
            hint="pip install 'music-time-machine[postgres]'",
        )
    try:
        connection = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        problem = postgres_error(error)
        assert problem is not None
        raise StoreError(f"Cannot open {masked(url)}: {problem.message}", hint=problem.hint) from error
    backend = PostgresBackend(connection, url)
    try:
        backend.migrate()
    except BaseException:
        connection.close()
        raise
    return backend
