"""The store: migrations by user_version, atomic snapshots, refusal of databases from a newer tm."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from music_time_machine.errors import StoreError
from music_time_machine.models import Artist, TimeRange, Track, User
from music_time_machine.store import open_store
from music_time_machine.store.schema import MIGRATIONS

USER = User("someone", "Someone")


def _track(number: int) -> Track:
    return Track(f"spotify:track:t{number}", f"Song {number}", (Artist("spotify:artist:a", "Artist"),))


def test_new_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tm.sqlite3")

    assert store.schema_version() == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.db.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_a_new_database_file_is_private(tmp_path: Path) -> None:
    open_store(tmp_path / "tm.sqlite3").close()

    assert stat.S_IMODE((tmp_path / "tm.sqlite3").stat().st_mode) == 0o600


def test_reopening_runs_no_migration_twice(tmp_path: Path) -> None:
    open_store(tmp_path / "tm.sqlite3").close()

    store = open_store(tmp_path / "tm.sqlite3")

    assert store.schema_version() == len(MIGRATIONS)


def test_a_failing_snapshot_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tm.sqlite3")
    store.upsert_user(USER, "2025-01-01T00:00:00Z")
    broken = Track("spotify:track:broken", None, ())  # type: ignore[arg-type]  # NOT NULL name

    with pytest.raises(sqlite3.IntegrityError):
        store.save_snapshots(USER.id, "2025-01-15T12:00:00Z", {TimeRange.SHORT: [_track(1)], TimeRange.LONG: [broken]})

    assert store.db.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)
    assert store.db.execute("SELECT count(*) FROM tracks").fetchone() == (0,)


def test_snapshots_round_trip_in_rank_order_with_artists(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tm.sqlite3")
    store.upsert_user(USER, "2025-01-01T00:00:00Z")
    tracks = [_track(n) for n in (3, 1, 2)]

    store.save_snapshots(USER.id, "2025-01-15T12:00:00Z", {TimeRange.LONG: tracks})
    [snapshot] = store.snapshots_between(USER.id, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", [TimeRange.LONG])

    assert [track.uri for track in snapshot.tracks] == [track.uri for track in tracks]
    assert snapshot.tracks[0].artists == (Artist("spotify:artist:a", "Artist"),)


def test_database_from_a_newer_tm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")

    with pytest.raises(StoreError, match="newer tm"):
        open_store(path)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(StoreError, match="Cannot use database"):
        open_store(path)
