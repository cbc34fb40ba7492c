"""API economy: exact request counts on the fake's log. Spotify's rate limit is shared by everything a listener
runs from cron, so an extra call per run, or one call per track, is a regression these tests catch."""

from __future__ import annotations

import json
from math import ceil
from pathlib import Path

import pytest

from conftest import Tm

TOP = "GET /v1/me/top/tracks"


def _calls(tm: Tm) -> list[str]:
    return sorted(f"{r.method} {r.path}" for r in tm.fake.requests)


def test_a_snapshot_is_three_chart_calls_and_nothing_else(logged_in: Tm) -> None:
    logged_in.fake.clear_requests()

    assert logged_in("snapshot").exit_code == 0

    assert _calls(logged_in) == [TOP] * 3


def test_a_due_token_refresh_is_the_only_extra_call(logged_in: Tm) -> None:
    info = logged_in.tokens.token_info()
    assert info is not None
    logged_in.tokens.save_token_info({**info, "expires_at": 0})  # the access token is due for a refresh
    logged_in.fake.clear_requests()

    assert logged_in("snapshot").exit_code == 0

    assert _calls(logged_in) == sorted([TOP] * 3 + ["POST /api/token"])


def _loved_long_ago(tm: Tm, tmp_path: Path, tracks: int) -> Path:
    """`tracks` distinct catalogue tracks, each played 6 times in 2024: all of them gems from history in 2025."""
    rows = [
        {
            "ts": f"2024-06-0{day}T{index // 60 % 24:02d}:{index % 60:02d}:00Z",
            "ms_played": 200_000,
            "spotify_track_uri": track["uri"],
            "master_metadata_track_name": f"Song {index}",
            "master_metadata_album_artist_name": f"Artist {index}",
            "skipped": False,
            "reason_end": "trackdone",
        }
        for index, track in enumerate(tm.fake.catalog.tracks[:tracks])
        for day in range(1, 7)
    ]
    path = tmp_path / "Streaming_History_Audio_2024_0.json"
    path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("tracks", [1, 100, 101, 250])
def test_a_playlist_of_n_tracks_costs_ceil_n_over_100_writes_and_none_when_unchanged(
    logged_in: Tm, tmp_path: Path, tracks: int
) -> None:
    assert logged_in("import", str(_loved_long_ago(logged_in, tmp_path, tracks))).exit_code == 0
    gems = ("gems", "--from-history", "--limit", "300", "--create-playlist")
    logged_in.fake.clear_requests()

    created = logged_in(*gems)
    first = _calls(logged_in)
    logged_in.fake.clear_requests()
    again = logged_in(*gems)

    assert created.exit_code == 0, created.output
    [playlist] = logged_in.fake.playlists.values()
    assert len(playlist.uris) == tracks
    writes = [call for call in first if call.startswith(("PUT", "POST", "DELETE"))]
    item_writes = [call for call in writes if call.endswith("/items")]
    assert len(item_writes) == ceil(tracks / 100)
    assert writes == sorted(["POST /v1/me/playlists", *item_writes])  # the new playlist, then its items
    assert all(call.startswith("GET /v1/me/playlists") for call in first if call not in writes)  # marker lookup
    assert again.exit_code == 0, again.output
    pages = ceil(tracks / 50)  # still in your library? then its items, 50 a page (2026's maximum); nothing per track
    assert _calls(logged_in) == ["GET /v1/me/library/contains"] + [f"GET /v1/playlists/{playlist.id}/items"] * pages
