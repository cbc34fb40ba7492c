"""Crash safety, concurrency, old databases, secrets and hostile input: never a traceback, never a lost row."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from music_time_machine.errors import UsageError
from music_time_machine.models import (
    Artist,
    Month,
    TimeRange,
    Track,
    User,
    parse_day,
    parse_playlist_ref,
    parse_track_ref,
    parse_user_ref,
    parse_years,
)
from music_time_machine.services.snapshot import take_snapshot
from music_time_machine.store import open_store
from music_time_machine.store.sqlite import SqliteBackend
from music_time_machine.testing.export_generator import write_export

from conftest import CLIENT_SECRET, Tm, error_lines

TM = str(Path(sys.executable).with_name("tm"))
NOW = datetime(2025, 3, 15, 12, tzinfo=UTC)


def _tracks(prefix: str) -> list[Track]:
    return [Track(f"spotify:track:{prefix}{n}", f"{prefix} {n}", (Artist("spotify:artist:x", "X"),)) for n in range(3)]


class _RacingSource:
    """Fetches its charts while another tm (a second connection to the same database) stores today's first."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def top_tracks(self, time_range: TimeRange, limit: int = 50) -> list[Track]:
        other = open_store(self.path)
        take_snapshot(other, _Static(), User("me"), NOW, [time_range])
        other.close()
        return _tracks("late")


class _Static:
    def top_tracks(self, time_range: TimeRange, limit: int = 50) -> list[Track]:
        return _tracks("first")


def test_two_snapshots_at_once_keep_one_and_the_loser_says_so(database: Path | str) -> None:
    store = open_store(database)

    result = take_snapshot(store, _RacingSource(database), User("me"), NOW, [TimeRange.SHORT])

    assert (result.created, result.raced) == (False, True)
    rows = store.db.execute(
        "SELECT i.track_uri FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id ORDER BY i.rank"
    ).fetchall()
    assert [row[0] for row in rows] == [t.uri for t in _tracks("first")]


def test_a_database_made_by_the_first_schema_migrates_forward_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(SqliteBackend.migrations[0] + "\nPRAGMA user_version = 1;")
        db.execute("INSERT INTO users VALUES ('me', 'Me', NULL, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')")
        db.execute("INSERT INTO tracks (uri, name, updated_at) VALUES ('spotify:track:a', 'A', '2024-01-01T00:00:00Z')")
        db.execute("INSERT INTO snapshots VALUES (1, 'me', 'long_term', '2024-01-15T12:00:00Z', '2024-01-15')")
        db.execute("INSERT INTO snapshot_items VALUES (1, 1, 'spotify:track:a')")

    store = open_store(path)

    assert store.schema_version() == len(SqliteBackend.migrations)
    assert store.db.execute("SELECT count(*) FROM snapshot_items").fetchone() == (1,)
    assert store.db.execute("SELECT track FROM v_monthly_top").fetchone() == ("A",)


def test_debug_output_never_contains_tokens_or_the_secret(logged_in: Tm) -> None:
    logged_in.fake.set_allow_listed("fake-listener", False)
    token = logged_in.tokens.token_info()
    assert token is not None

    result = logged_in("--debug", "top")

    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    for secret in (token["access_token"], token["refresh_token"], CLIENT_SECRET):
        assert secret not in result.stdout + result.stderr


def test_kill_9_during_import_never_leaves_half_a_file_and_the_next_run_completes(tmp_path: Path) -> None:
    truth = write_export(tmp_path / "export", plays=20_000, seed=11, rows_per_file=1_500)
    rows_in = {str(path): len(json.loads(path.read_text())) for path in (tmp_path / "export").glob("*.json")}
    database = tmp_path / "home" / "tm.sqlite3"
    env = {**os.environ, "TM_HOME": str(tmp_path / "home"), "SPOTIPY_CLIENT_ID": ""}
    command = [TM, "import", str(tmp_path / "export"), "--user", "me", "--json"]
    files_before = 0
    for files_this_run in (1, 8, 8):  # of 32 files: each run goes on from those the runs before it committed
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        files_at_kill = _kill_9_mid_file(process, database, files_before + files_this_run)

        assert process.returncode == -signal.SIGKILL
        with contextlib.closing(sqlite3.connect(database)) as db:  # every file whole, none of the one it was in
            sources = db.execute("SELECT name, rows_read, plays_stored, id FROM play_sources").fetchall()
            stored = dict(db.execute("SELECT source_id, count(*) FROM plays GROUP BY source_id").fetchall())
        assert files_before + files_this_run <= files_at_kill <= len(sources) < truth.history_files  # work left
        assert [(name, rows) for name, rows, _, _ in sources] == [(name, rows_in[name]) for name, _, _, _ in sources]
        assert {id_: count for _, _, count, id_ in sources if count} == stored
        files_before = len(sources)

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True)

    summary = json.loads(final.stdout)
    assert (summary["files_already_imported"], summary["files_malformed"]) == (files_before, 0)
    assert summary["files_already_imported"] + summary["files_imported"] == truth.history_files
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT count(*) FROM plays").fetchone() == (truth.stored,)
        assert db.execute("SELECT count(*), sum(rows_read) FROM play_sources").fetchone() == (
            truth.history_files,
            truth.rows,
        )


def _kill_9_mid_file(process: subprocess.Popen, database: Path, files_first: int) -> int:
    """SIGKILL a running import once `files_first` files are committed and it holds the write lock: past its own
    first file, that is inside the transaction of a later one. Returns the files committed at the kill."""
    wal = database.with_name(database.name + "-wal")
    deadline = time.monotonic() + 120
    while not wal.exists():  # WAL set up: from now on our reads never get in tm's way
        assert process.poll() is None, "tm import ended before it wrote anything"
        assert time.monotonic() < deadline, "tm import wrote nothing in two minutes"
        time.sleep(0.005)
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=0)) as probe:
        probe.isolation_level = None
        while True:
            assert process.poll() is None, f"tm import finished before {files_first} files were committed"
            assert time.monotonic() < deadline, f"tm import did not commit {files_first} files in two minutes"
            committed = _committed_files(probe)
            if committed >= files_first and _write_lock_is_taken(probe):
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return committed
            time.sleep(0.002)


def _committed_files(probe: sqlite3.Connection) -> int:
    try:
        return probe.execute("SELECT count(*) FROM play_sources").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def _write_lock_is_taken(probe: sqlite3.Connection) -> bool:
    """Whether another connection holds the database's write lock (we take it for an instant when it is free)."""
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return True
    probe.execute("ROLLBACK")
    return False


PARSERS = [Month.parse, TimeRange.parse, parse_day, parse_years, parse_track_ref, parse_user_ref, parse_playlist_ref]


@settings(max_examples=300)
@given(st.sampled_from(PARSERS), st.text(max_size=80))
def test_every_parser_of_user_input_answers_or_refuses_cleanly(parser: Callable[[str], object], text: str) -> None:
    with contextlib.suppress(UsageError):  # anything else (ValueError, IndexError …) fails the test
        parser(text)


def test_a_managed_playlist_that_is_no_longer_ours_is_recreated(logged_in: Tm) -> None:
    logged_in("playlist", "rotation")
    [old] = logged_in.fake.playlists.values()
    old.owner_id = "someone-else"  # e.g. ownership moved; Spotify now answers 403 for its items

    result = logged_in("playlist", "rotation", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] is True
    new_id = json.loads(result.stdout)["playlist_id"]
    assert new_id != old.id
    assert logged_in.rows("SELECT playlist_id FROM managed_playlists") == [(new_id,)]


def test_unexpected_json_in_a_chart_is_skipped_not_a_keyerror(logged_in: Tm) -> None:
    good = logged_in.fake.top_tracks("short_term")[0]
    odd = {
        "items": [None, {"uri": "spotify:track:x"}, {"name": "no uri"}, "text", {**good, "artists": None}],
        "total": 5,
        "limit": 50,
        "offset": 0,
        "next": None,
    }
    logged_in.fake.fail_next("/v1/me/top/tracks", 200, body=odd)

    result = logged_in("snapshot", "--range", "short", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ranges"] == {"short_term": 1}
    assert logged_in.rows("SELECT count(*) FROM track_artists WHERE track_uri = ?", good["uri"]) == [(0,)]


def test_a_file_that_is_not_utf8_is_counted_as_malformed(logged_in: Tm, tmp_path: Path) -> None:
    bad = tmp_path / "Streaming_History_Audio_2024_0.json"
    bad.write_bytes(b'[{"ts": "2024-01-01T00:00:00Z", "ms_played": 99999, "master_metadata_track_name": "\xff\xfe"}]')

    result = logged_in("import", str(bad), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files_malformed"] + json.loads(result.stdout)["files_not_history"] == 1


def test_kill_9_during_snapshot_never_leaves_a_partial_snapshot(logged_in: Tm) -> None:
    env = {**os.environ, **logged_in.env}
    subprocess.run([TM, "snapshot"], env=env, capture_output=True, timeout=60, check=True)
    before = logged_in.rows(SNAPSHOT_SIZES)
    assert [size for _, _, size in before] == [50, 50, 50]
    for charts_in_hand in (0, 2):  # killed waiting for the first chart, and with two of the three fetched
        logged_in.fake.clear_requests()
        logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": "30"}, after=charts_in_hand)
        process = subprocess.Popen(
            [TM, "snapshot", "--force"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        _kill_9_at_line(process, "Spotify rate limit; waiting 30s")

        assert process.returncode == -signal.SIGKILL
        assert logged_in.fake.count("GET", TOP_PATH) == charts_in_hand + 1  # it died mid-fetch, asking for no more
        assert logged_in.rows(SNAPSHOT_SIZES) == before  # --force replaces today's snapshots only all at once

    final = subprocess.run([TM, "snapshot", "--force"], env=env, capture_output=True, text=True, timeout=60)

    assert final.returncode == 0, final.stderr
    assert {snapshot_id for snapshot_id, _, _ in logged_in.rows(SNAPSHOT_SIZES)}.isdisjoint(
        snapshot_id for snapshot_id, _, _ in before
    )
    for time_range in ("short_term", "medium_term", "long_term"):
        stored = logged_in.rows(
            "SELECT i.track_uri FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id "
            "WHERE s.time_range = ? ORDER BY i.rank",
            time_range,
        )
        assert [uri for (uri,) in stored] == [track["uri"] for track in logged_in.fake.top_tracks(time_range)]


TOP_PATH = "/v1/me/top/tracks"
SNAPSHOT_SIZES = (
    "SELECT s.id, s.time_range, count(i.rank) FROM snapshots s LEFT JOIN snapshot_items i ON i.snapshot_id = s.id "
    "GROUP BY s.id, s.time_range ORDER BY s.id"
)


def _kill_9_at_line(process: subprocess.Popen[str], marker: str) -> None:
    """SIGKILL `process` the moment its stderr shows `marker` (a run that never shows it is stopped after a minute)."""
    assert process.stderr is not None
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        shown = next((line for line in process.stderr if marker in line), None)
        process.send_signal(signal.SIGKILL)
    finally:
        watchdog.cancel()
        process.wait(timeout=30)
        process.stderr.close()
    assert shown is not None, f"tm snapshot never printed {marker!r}"


def test_a_read_timeout_is_retried_then_a_clean_failure_with_no_partial_data(logged_in: Tm, tmp_path: Path) -> None:
    from music_time_machine.config import load_settings
    from music_time_machine.errors import NetworkError
    from music_time_machine.spotify.client import SpotifyClient

    settings = load_settings(logged_in.env, Path.cwd())
    waits: list[float] = []
    client = SpotifyClient(
        settings, logged_in.tokens, wait=lambda seconds, reason: waits.append(seconds), clock=lambda: NOW, timeout=0.2
    )
    logged_in.fake.stall_next("/v1/me/top/tracks", 1.0, times=8)  # Spotify hangs on every chart request
    store = open_store(tmp_path / "tm.sqlite3")

    with pytest.raises(NetworkError, match=r"\(ReadTimeout\)\.$"):
        take_snapshot(store, client, User("fake-listener"), NOW, list(TimeRange))

    assert waits == [1.0, 2.0, 4.0]
    assert store.db.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)


def test_a_read_only_database_is_one_clear_line(logged_in: Tm, tmp_path: Path) -> None:
    source, mounted = tmp_path / "data", tmp_path / "read-only"
    source.mkdir()
    mounted.mkdir()
    open_store(source / "tm.sqlite3").close()
    bind = subprocess.run(["mount", "--bind", str(source), str(mounted)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here ({bind.stderr.decode().strip()}); needs root with CAP_SYS_ADMIN")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], check=True, capture_output=True)
        result = logged_in("history", "--month", "2025-01", "--db", str(mounted / "tm.sqlite3"))
    finally:
        subprocess.run(["umount", "--lazy", str(mounted)], check=True)  # never leave a busy mount behind

    assert result.exit_code == 1
    assert (
        error_lines(result)[0] == f"Error: The database {mounted / 'tm.sqlite3'} is read-only (or its folder is); "
        "tm needs to write to it."
    )
