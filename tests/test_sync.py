"""`tm sync`: recent plays beside the imported history, never counted twice, with a warning for gaps."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from music_time_machine.models import utc_iso

from conftest import Tm, error_lines


def _sync(tm: Tm) -> dict:
    result = tm("sync", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sync_stores_recent_plays_once(logged_in: Tm) -> None:
    uris = logged_in.fake.listen(until=logged_in.now - timedelta(minutes=5), plays=10)

    first = _sync(logged_in)
    second = _sync(logged_in)

    assert (first["fetched"], first["stored"]) == (10, 10)
    assert (second["fetched"], second["stored"]) == (0, 0)  # asked only for plays after the newest stored one
    stored = logged_in.rows("SELECT track_uri FROM plays ORDER BY played_at")
    assert [row[0] for row in stored] == uris
    assert first["missed_since"] is None


def test_sync_asks_spotify_only_for_plays_after_the_newest_stored_one(logged_in: Tm) -> None:
    logged_in.fake.listen(until=logged_in.now - timedelta(hours=2), plays=5)
    _sync(logged_in)
    newer = logged_in.fake.listen(until=logged_in.now - timedelta(minutes=1), plays=3)

    result = _sync(logged_in)

    assert (result["fetched"], result["stored"]) == (3, 3)
    assert logged_in.rows("SELECT count(*) FROM plays") == [(8,)]
    request = [r for r in logged_in.fake.requests if r.path == "/v1/me/player/recently-played"][-1]
    assert "after" in request.query
    assert newer[-1] in {row[0] for row in logged_in.rows("SELECT track_uri FROM plays")}


def test_sync_warns_when_plays_were_probably_missed(logged_in: Tm) -> None:
    logged_in.fake.listen(until=logged_in.now - timedelta(days=3), plays=5)
    _sync(logged_in)
    logged_in.fake.listen(until=logged_in.now - timedelta(minutes=1), plays=60)  # more than Spotify keeps

    result = logged_in("sync")

    assert result.exit_code == 0, result.output
    assert "were probably missed: Spotify keeps only your last 50" in result.stderr
    assert logged_in.rows("SELECT count(*) FROM plays") == [(55,)]


def test_a_synced_play_already_imported_is_not_stored_again(logged_in: Tm, tmp_path: Path) -> None:
    [uri] = logged_in.fake.listen(until=logged_in.now - timedelta(minutes=30), plays=1)
    track = next(t for t in logged_in.fake.top_tracks("short_term") if t["uri"] == uri)
    played_at = datetime.fromisoformat(logged_in.fake.recent_plays()[0][1])
    export = tmp_path / "Streaming_History_Audio_2025_0.json"
    ts = utc_iso(played_at - timedelta(seconds=70))  # the export's end time differs by seconds, across a minute
    export.write_text(
        json.dumps(
            [
                {
                    "ts": ts,
                    "ms_played": 200000,
                    "spotify_track_uri": uri,
                    "master_metadata_track_name": track["name"],
                    "master_metadata_album_artist_name": track["artists"][0]["name"],
                    "reason_end": "trackdone",
                }
            ]
        )
    )
    assert logged_in("import", str(export)).exit_code == 0

    result = _sync(logged_in)

    assert (result["fetched"], result["stored"], result["known"]) == (1, 0, 1)
    assert logged_in.rows("SELECT count(*) FROM plays") == [(1,)]


def test_an_import_after_a_sync_keeps_the_richer_imported_copy(logged_in: Tm, tmp_path: Path) -> None:
    [uri] = logged_in.fake.listen(until=logged_in.now - timedelta(minutes=30), plays=1)
    _sync(logged_in)
    track = next(t for t in logged_in.fake.top_tracks("short_term") if t["uri"] == uri)
    synced_at = logged_in.rows("SELECT played_at FROM plays")[0][0]
    export = tmp_path / "Streaming_History_Audio_2025_0.json"
    export.write_text(
        json.dumps(
            [
                {
                    "ts": synced_at[:17] + "59Z",
                    "ms_played": 123456,
                    "spotify_track_uri": uri,
                    "master_metadata_track_name": track["name"],
                    "master_metadata_album_artist_name": track["artists"][0]["name"],
                    "reason_end": "trackdone",
                }
            ]
        )
    )

    summary = json.loads(logged_in("import", str(export), "--json").stdout)

    assert (summary["stored"], summary["duplicates"]) == (0, 1)
    assert logged_in.rows("SELECT ms_played FROM plays") == [(123456,)]


def test_sync_needs_a_login(tm: Tm) -> None:
    result = tm("sync")

    assert result.exit_code == 1
    assert error_lines(result)[0] == "Error: You are not logged in to Spotify."
