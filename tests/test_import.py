"""`tm import`: the privacy export into `plays`, by the documented rules, idempotently, file by file."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from music_time_machine.testing.export_generator import write_export

from conftest import Tm, error_lines


def _extended(
    ts: str,
    ms: int,
    name: str | None = "Song A",
    *,
    uri: str | None = "spotify:track:aaa",
    artist: str = "Artist A",
    skipped: bool | None = False,
    reason_end: str = "trackdone",
    **extra: object,
) -> dict:
    return {
        "ts": ts,
        "platform": "android",
        "ms_played": ms,
        "conn_country": "DE",
        "ip_addr": "203.0.113.7",
        "master_metadata_track_name": name,
        "master_metadata_album_artist_name": artist if name else None,
        "master_metadata_album_album_name": "Album A" if name else None,
        "spotify_track_uri": uri,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "clickrow",
        "reason_end": reason_end,
        "shuffle": False,
        "skipped": skipped,
        "offline": False,
        "offline_timestamp": None,
        "incognito_mode": False,
        **extra,
    }


PODCAST = _extended(
    "2024-01-01T10:00:00Z", 1_800_000, None, uri=None, episode_name="Ep 1", spotify_episode_uri="spotify:episode:xyz"
)
AUDIO = [
    _extended("2024-01-01T09:00:00Z", 200_000),  # a play
    _extended(
        "2024-01-01T09:05:10Z", 12_000, "Song B", uri="spotify:track:bbb", skipped=True, reason_end="fwdbtn"
    ),  # a skip: kept although short
    _extended("2024-01-01T09:06:00Z", 9_000, "Song C", uri="spotify:track:ccc"),  # too short
    PODCAST,  # not music
    "not an object",  # malformed
    _extended("yesterday", 200_000),  # malformed
    _extended("2024-03-02T18:30:45Z", 180_000, "Song D", uri="spotify:track:ddd", artist="Artist D"),
]
ACCOUNT = [
    {"endTime": "2024-03-02 18:30", "artistName": "Artist D", "trackName": "Song D", "msPlayed": 180000},  # dup
    {"endTime": "2024-03-03 08:00", "artistName": "Artist E", "trackName": "Song E", "msPlayed": 240000},  # new
    {"endTime": "2024-03-03 08:05", "artistName": "Artist E", "trackName": "Song E", "msPlayed": 1000},  # short
]


def _write(folder: Path, name: str, rows: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(rows, indent=2))
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "my_spotify_data"
    _write(folder / "Spotify Extended Streaming History", "Streaming_History_Audio_2024_0.json", AUDIO)
    _write(folder / "Spotify Account Data", "StreamingHistory_music_0.json", ACCOUNT)
    _write(folder / "Spotify Account Data", "Userdata.json", {"username": "someone", "country": "DE"})
    return folder


def _import(tm: Tm, *args: str) -> dict:
    result = tm("import", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_applies_the_documented_rules_and_counts_everything(logged_in: Tm, export: Path) -> None:
    summary = _import(logged_in, str(export))

    assert summary["files"] == 3
    assert summary["files_imported"] == 2
    assert summary["files_not_history"] == 1
    assert summary["rows"] == 10
    assert summary["stored"] == 4
    assert summary["duplicates"] == 1
    assert summary["skipped"] == {"too_short": 2, "not_music": 1, "malformed": 2}
    assert (summary["first_played_at"], summary["last_played_at"]) == ("2024-01-01T09:00:00Z", "2024-03-03T08:00:00Z")
    plays = logged_in.rows(
        "SELECT played_at, track_uri, track_name, artist_name, ms_played, skipped, reason_end "
        "FROM plays ORDER BY played_at"
    )
    assert plays == [
        ("2024-01-01T09:00:00Z", "spotify:track:aaa", "Song A", "Artist A", 200000, 0, "trackdone"),
        ("2024-01-01T09:05:10Z", "spotify:track:bbb", "Song B", "Artist A", 12000, 1, "fwdbtn"),
        ("2024-03-02T18:30:45Z", "spotify:track:ddd", "Song D", "Artist D", 180000, 0, "trackdone"),
        ("2024-03-03T08:00:00Z", None, "Song E", "Artist E", 240000, None, None),
    ]  # the extended row of Song D wins over the account-data copy: it has a URI and seconds


def test_importing_the_same_export_twice_adds_nothing(logged_in: Tm, export: Path) -> None:
    _import(logged_in, str(export))

    again = _import(logged_in, str(export))

    assert again["files_already_imported"] == 2
    assert again["stored"] == 0
    assert logged_in.rows("SELECT count(*) FROM plays") == [(4,)]


def test_a_second_overlapping_export_is_not_double_counted(logged_in: Tm, export: Path, tmp_path: Path) -> None:
    _import(logged_in, str(export))
    later = _write(tmp_path / "later", "endsong_0.json", [*AUDIO[:2], _extended("2025-01-01T00:00:00Z", 100_000)])

    summary = _import(logged_in, str(later))

    assert (summary["stored"], summary["duplicates"]) == (1, 2)
    assert logged_in.rows("SELECT count(*) FROM plays") == [(5,)]


def test_the_zip_imports_like_the_folder(logged_in: Tm, export: Path, tmp_path: Path) -> None:
    archive = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in export.rglob("*.json"):
            zipped.write(file, file.relative_to(export.parent))

    summary = _import(logged_in, str(archive))

    assert (summary["files_imported"], summary["stored"], summary["duplicates"]) == (2, 4, 1)


def test_dry_run_counts_like_a_real_import_and_stores_nothing(logged_in: Tm, export: Path) -> None:
    dry = _import(logged_in, str(export), "--dry-run")

    assert dry["dry_run"] is True
    assert (dry["stored"], dry["duplicates"]) == (4, 1)
    assert logged_in.rows("SELECT count(*) FROM plays") == [(0,)]
    assert logged_in.rows("SELECT count(*) FROM play_sources") == [(0,)]


def test_a_malformed_file_is_reported_and_the_rest_still_imports(logged_in: Tm, export: Path) -> None:
    broken = export / "Spotify Extended Streaming History" / "Streaming_History_Audio_2024_1.json"
    broken.write_text(json.dumps([_extended("2024-05-01T00:00:00Z", 100_000)] * 3)[:-40])  # truncated

    result = logged_in("import", str(export), "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files_malformed"] == 1
    assert summary["stored"] == 4
    assert "Streaming_History_Audio_2024_1.json: invalid JSON" in result.stderr
    assert "nothing from this file was imported" in result.stderr
    assert logged_in.rows("SELECT count(*) FROM plays WHERE played_at LIKE '2024-05%'") == [(0,)]


@pytest.mark.sqlite_only("reads the whole file; PostgreSQL has the same columns")
def test_no_ip_address_country_or_user_agent_is_stored(logged_in: Tm, export: Path) -> None:
    _import(logged_in, str(export))

    with sqlite3.connect(logged_in.db_path) as db:
        dump = "\n".join(db.iterdump())
        columns = {row[1] for row in db.execute("PRAGMA table_info(plays)")}
    assert "203.0.113.7" not in dump
    assert not columns & {"ip_addr", "conn_country", "user_agent", "platform"}


def test_import_table_output_names_the_counts(logged_in: Tm, export: Path) -> None:
    result = logged_in("import", str(export))

    assert result.exit_code == 0, result.output
    assert "plays stored" in result.stdout
    assert "duplicates skipped" in result.stdout


def test_without_a_login_an_export_that_names_nobody_is_filed_under_a_local_listener(tm: Tm, export: Path) -> None:
    (export / "Spotify Account Data" / "Userdata.json").unlink()

    result = tm("import", str(export), "--json")

    assert result.exit_code == 0, result.output
    assert "'local'" in result.stderr
    assert "--user" in result.stderr
    assert tm.rows("SELECT DISTINCT user_id FROM plays") == [("local",)]
    assert json.loads(tm("history", "--month", "2024-01", "--json").stdout)["plays"]["plays"] > 0


def test_without_a_login_the_account_named_in_userdata_gets_the_plays(tm: Tm, tmp_path: Path) -> None:
    write_export(tmp_path / "export", plays=500, seed=2)
    [userdata] = (tmp_path / "export").rglob("Userdata.json")
    account = json.loads(userdata.read_text())["username"]

    result = tm("import", str(tmp_path / "export"))

    assert result.exit_code == 0, result.output
    assert f"under {account}, the account named in " in result.stderr
    assert tm.rows("SELECT DISTINCT user_id FROM plays") == [(account,)]


def test_without_a_login_old_endsong_rows_name_the_account(tm: Tm, tmp_path: Path) -> None:
    folder = tmp_path / "MyData"
    folder.mkdir()
    rows = [_extended("2019-05-01T09:00:00Z", 200_000, username="old.timer"), _extended("2019-05-02T09:00:00Z", 1)]
    (folder / "endsong_0.json").write_text(json.dumps(rows))

    result = tm("import", str(folder))

    assert result.exit_code == 0, result.output
    assert "named in " in result.stderr
    assert "endsong_0.json" in result.stderr
    assert tm.rows("SELECT DISTINCT user_id FROM plays") == [("old.timer",)]


def test_user_chooses_the_listener_and_several_listeners_without_a_login_need_it(tm: Tm, export: Path) -> None:
    (export / "Spotify Account Data" / "Userdata.json").unlink()
    first = tm("import", str(export), "--user", "someone")
    second = tm("import", str(export), "--user", "another")
    refused = tm("import", str(export))

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert refused.exit_code == 2
    assert "several listeners (another, someone)" in refused.stderr
    assert "--user" in error_lines(refused)[1]
    assert tm.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id ORDER BY user_id") == [
        ("another", 4),
        ("someone", 4),
    ]


def test_a_path_that_is_not_an_export_is_a_usage_error(logged_in: Tm, tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")

    result = logged_in("import", str(stray))

    assert result.exit_code == 2
    assert error_lines(result)[0] == f"Error: {stray} is not a zip, a folder or a .json, .jsonl or .csv file."


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_generated_export_imports_with_exactly_the_expected_counts(tm: Tm, tmp_path: Path, as_zip: bool) -> None:
    truth = write_export(tmp_path / "export", plays=6_000, seed=5, rows_per_file=900, malformed_rows=12, as_zip=as_zip)
    target = tmp_path / "export" / "my_spotify_data.zip" if as_zip else tmp_path / "export"

    first = tm("import", str(target), "--user", "listener", "--json")
    second = tm("import", str(target), "--user", "listener", "--json")

    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["files"] == truth.history_files + truth.other_files
    assert summary["files_not_history"] == truth.other_files
    assert (summary["rows"], summary["stored"], summary["duplicates"]) == (truth.rows, truth.stored, truth.duplicates)
    assert summary["skipped"] == {
        "too_short": truth.too_short,
        "not_music": truth.not_music,
        "malformed": truth.malformed,
    }
    assert (summary["first_played_at"], summary["last_played_at"]) == (truth.first_played_at, truth.last_played_at)
    assert json.loads(second.stdout)["stored"] == 0
    assert tm.rows("SELECT count(*) FROM plays") == [(truth.stored,)]


def test_an_interrupted_import_keeps_whole_files_only_and_the_next_run_completes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from music_time_machine.models import User
    from music_time_machine.privacy_export.files import open_export
    from music_time_machine.services.importer import import_history
    from music_time_machine.store import open_store

    truth = write_export(tmp_path / "export", plays=3_000, seed=9, rows_per_file=500)
    with open_export([tmp_path / "export"]) as files:
        store = open_store(tmp_path / "tm.sqlite3")
        user, now = User("listener"), datetime(2026, 1, 1, tzinfo=UTC)
        read = 0

        def interrupt_midway(size: int) -> None:
            nonlocal read
            read += size
            if read > sum(f.size for f in files) // 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            import_history(store, user, files, now, on_progress=interrupt_midway)

        partial = store.db.execute(
            "SELECT count(*) FROM play_sources s "
            "WHERE s.plays_stored != (SELECT count(*) FROM plays WHERE source_id = s.id)"
        ).fetchone()
        assert partial == (0,)  # every recorded file is complete; the interrupted one left nothing
        assert 0 < store.plays.count("listener") < truth.stored
        summary = import_history(store, user, files, now)
        assert store.plays.count("listener") == truth.stored
        assert summary.files_already_imported > 0
