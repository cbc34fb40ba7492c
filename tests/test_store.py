"""The store on both backends: migrations, atomic snapshots, refusal of databases from a newer tm."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from music_time_machine.errors import StoreError
from music_time_machine.models import Artist, TimeRange, Track, User
from music_time_machine.store import Store, open_store
from music_time_machine.store.postgres import parse_postgres_url
from music_time_machine.store.schema import MIGRATIONS
from music_time_machine.store.users import LISTENER_TABLES

from conftest import Tm, error_lines

USER = User("someone", "Someone")


def _track(number: int) -> Track:
    return Track(f"spotify:track:t{number}", f"Song {number}", (Artist("spotify:artist:a", "Artist"),))


@pytest.fixture
def store(database: Path | str) -> Iterator[Store]:
    opened = open_store(database)
    yield opened
    opened.close()


def test_a_new_database_is_migrated_and_reopening_migrates_nothing(store: Store, database: Path | str) -> None:
    assert store.schema_version() == len(MIGRATIONS)

    again = open_store(database)

    assert again.schema_version() == len(MIGRATIONS)


@pytest.mark.sqlite_only("WAL and foreign keys are SQLite settings")
def test_new_database_is_migrated_with_wal_and_foreign_keys(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.db.execute("PRAGMA foreign_keys").fetchone() == (1,)


@pytest.mark.sqlite_only("reads SQLite's catalogue of tables")
def test_adopting_a_listener_moves_every_table_that_holds_listeners_rows(store: Store) -> None:
    tables = [row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with_listener = {
        table
        for table in tables
        if any(column[1] == "user_id" for column in store.db.execute(f"PRAGMA table_info({table})"))
    }

    assert with_listener == set(LISTENER_TABLES)


@pytest.mark.sqlite_only("file permissions")
def test_a_new_database_file_is_private(store: Store, database: Path) -> None:
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_a_failing_snapshot_write_leaves_nothing_behind(store: Store) -> None:
    store.users.upsert(USER, "2025-01-01T00:00:00Z")
    broken = Track("spotify:track:broken", None, ())  # type: ignore[arg-type]  # NOT NULL name

    with pytest.raises(Exception, match=r"NOT NULL|null value"):
        store.snapshots.save(USER.id, "2025-01-15T12:00:00Z", {TimeRange.SHORT: [_track(1)], TimeRange.LONG: [broken]})

    assert store.db.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)
    assert store.db.execute("SELECT count(*) FROM tracks").fetchone() == (0,)


def test_snapshots_round_trip_in_rank_order_with_artists(store: Store) -> None:
    store.users.upsert(USER, "2025-01-01T00:00:00Z")
    tracks = [_track(n) for n in (3, 1, 2)]

    store.snapshots.save(USER.id, "2025-01-15T12:00:00Z", {TimeRange.LONG: tracks})
    [snapshot] = store.snapshots.between(USER.id, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", [TimeRange.LONG])

    assert [track.uri for track in snapshot.tracks] == [track.uri for track in tracks]
    assert snapshot.tracks[0].artists == (Artist("spotify:artist:a", "Artist"),)


def test_a_savepoint_inside_a_transaction_is_undone_alone(store: Store) -> None:
    store.users.upsert(USER, "2025-01-01T00:00:00Z")

    def ban_then_fail() -> None:
        with store.transaction():
            store.rules.add(USER.id, "spotify:track:undone", "ban", "*", "2025-01-01T00:00:00Z")
            raise RuntimeError

    with store.transaction():
        store.rules.add(USER.id, "spotify:track:kept", "ban", "*", "2025-01-01T00:00:00Z")
        with pytest.raises(RuntimeError):
            ban_then_fail()

    assert store.rules.uris(USER.id, "ban", "gems") == ["spotify:track:kept"]


def test_a_database_from_a_newer_tm_is_refused(store: Store, database: Path | str) -> None:
    if isinstance(database, Path):
        store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    else:
        store.db.execute("INSERT INTO tm_schema (version) VALUES (?)", (len(MIGRATIONS) + 1,))

    with pytest.raises(StoreError, match="newer tm"):
        open_store(database)


@pytest.mark.sqlite_only("a damaged file")
def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(StoreError, match="Cannot use database"):
        open_store(path)


def test_an_unreachable_postgresql_is_one_line_without_the_password(tm: Tm) -> None:
    url = "postgresql://tm:s3cret@127.0.0.1:1/music"

    result = tm("history", "--month", "2025-01", "--db", url)

    assert result.exit_code == 1
    [error, hint] = error_lines(result)
    assert error.startswith("Error: Cannot open postgresql://tm:***@127.0.0.1:1/music: PostgreSQL is unreachable")
    assert hint.startswith("Hint: Check the server")
    assert "s3cret" not in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://tm:pw@db.example/music", "postgresql://tm:***@db.example/music"),
        ("postgresql://tm@db.example/music", "postgresql://tm@db.example/music"),
        ("postgres://db.example/music?sslmode=require", "postgres://db.example/music?sslmode=require"),
        (
            "postgresql://db.example/music?user=me&password=hunter2",
            "postgresql://db.example/music?user=me&password=***",
        ),
        ("postgresql://me:s3cr%40t@db.example/music", "postgresql://me:***@db.example/music"),
    ],
)
def test_database_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert parse_postgres_url(url).shown == shown


def test_a_postgresql_url_without_the_driver_says_which_extra_to_install(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # as if installed without the postgres extra\n"
        "from typer.testing import CliRunner\n"
        "from music_time_machine.cli import app\n"
        "args = ['history', '--month', '2025-01', '--db', 'postgresql://me@db.example/tm']\n"
        f"result = CliRunner().invoke(app, args, env={{'TM_HOME': {str(tmp_path)!r}}})\n"
        "print(result.exit_code)\n"
        "print(result.stderr, end='')\n"
    )

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2",
        "Error: A postgresql:// database needs the PostgreSQL driver, which is not installed.",
        "Hint: pip install 'music-time-machine[postgres]'",
    ]


def test_case_folding_is_the_same_on_both_databases(logged_in: Tm, tmp_path: Path) -> None:
    """SQLite's lower() folds ASCII only; PostgreSQL must not merge what SQLite keeps apart (or vice versa)."""
    rows = [
        {
            "ts": "2024-06-01T10:00:10Z",
            "ms_played": 200_000,
            "master_metadata_track_name": "Jóga",
            "master_metadata_album_artist_name": artist,
            "spotify_track_uri": "spotify:track:3pMh3qeWp6LHsr1fYlvQSD",
        }
        for artist in ("Björk", "BJÖRK", "björk")
    ]
    export = tmp_path / "Streaming_History_Audio_2024_0.json"
    export.write_text(json.dumps(rows))

    result = logged_in("import", str(export), "--json")

    assert json.loads(result.stdout)["stored"] == 2  # "Björk" and "björk" fold together; "BJÖRK" stays apart
    assert sorted(logged_in.rows("SELECT artist_name FROM plays")) == [("BJÖRK",), ("Björk",)]


def test_an_old_sqlite_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")

    with pytest.raises(StoreError, match=r"tm needs SQLite 3\.35 or newer; this Python's sqlite3 is 3\.31\.1\."):
        open_store(tmp_path / "tm.sqlite3")
