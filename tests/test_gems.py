"""`tm gems`: long-term minus short-term, and one managed playlist updated in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from music_time_machine.models import Artist, Track
from music_time_machine.services.gems import find_gems

from conftest import Tm, login

ITEMS = "/v1/playlists/"


def _track(letter: str) -> Track:
    return Track(uri=f"spotify:track:{letter}", name=letter, artists=(Artist("spotify:artist:x", "X"),))


def test_find_gems_keeps_long_term_order_and_drops_recent_tracks() -> None:
    a, b, c, d = map(_track, "abcd")

    gems = find_gems([a, b, c, d], [c, a], limit=None)

    assert [(gem.track.uri, gem.long_term_rank) for gem in gems] == [
        ("spotify:track:b", 2),
        ("spotify:track:d", 4),
    ]
    assert find_gems([a, b, c, d], [c, a], limit=1)[0].track == b
    assert find_gems([], [a]) == []


def _expected_gem_uris(tm: Tm) -> list[str]:
    recent = {track["uri"] for track in tm.fake.top_tracks("short_term")}
    return [track["uri"] for track in tm.fake.top_tracks("long_term") if track["uri"] not in recent]


def test_gems_lists_the_set_difference_and_records_todays_snapshot(logged_in: Tm) -> None:
    result = logged_in("gems", "--json")

    assert result.exit_code == 0, result.output
    gems = json.loads(result.stdout)
    assert [gem["uri"] for gem in gems] == _expected_gem_uris(logged_in)
    assert set(gems[0]) == {"uri", "name", "artists", "album", "long_term_rank", "source"}
    assert {gem["source"] for gem in gems} == {"spotify"}
    assert logged_in.rows("SELECT time_range FROM snapshots ORDER BY 1") == [("long_term",), ("short_term",)]


def test_gems_table_shows_track_names(logged_in: Tm) -> None:
    result = logged_in("gems", "--limit", "3")

    assert result.exit_code == 0, result.output
    first = next(t for t in logged_in.fake.top_tracks("long_term") if t["uri"] == _expected_gem_uris(logged_in)[0])
    assert first["name"] in result.stdout


def test_create_playlist_makes_one_private_playlist_with_the_gems(logged_in: Tm) -> None:
    result = logged_in("gems", "--create-playlist")

    assert result.exit_code == 0, result.output
    assert "Created playlist 'Forgotten Gems'" in result.stderr
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.name == "Forgotten Gems"
    assert playlist.public is False
    assert playlist.uris == _expected_gem_uris(logged_in)
    assert logged_in.rows("SELECT kind, playlist_id FROM managed_playlists") == [("gems", playlist.id)]


def test_second_gems_run_with_no_change_writes_nothing(logged_in: Tm) -> None:
    logged_in("gems", "--create-playlist")
    logged_in.fake.clear_requests()

    result = logged_in("gems", "--create-playlist")

    assert result.exit_code == 0, result.output
    assert "already up to date" in result.stderr
    writes = [r for r in logged_in.fake.requests if r.method in ("POST", "PUT", "DELETE")]
    assert writes == []
    assert len(logged_in.fake.playlists) == 1


def test_gems_playlist_is_updated_in_place_across_months(logged_in: Tm) -> None:
    logged_in.at("2025-03")("gems", "--create-playlist")
    [playlist_id] = logged_in.fake.playlists
    logged_in.fake.clear_requests()

    result = logged_in.at("2025-08")("gems", "--create-playlist")

    assert result.exit_code == 0, result.output
    assert "Updated playlist 'Forgotten Gems' in place" in result.stderr
    assert list(logged_in.fake.playlists) == [playlist_id]
    assert logged_in.fake.playlists[playlist_id].uris == _expected_gem_uris(logged_in)
    assert logged_in.fake.count("POST", "/v1/me/playlists") == 0
    assert logged_in.fake.count("PUT", f"{ITEMS}{playlist_id}/items") == 1


def test_dry_run_prints_the_diff_and_writes_nothing(logged_in: Tm) -> None:
    logged_in.at("2025-03")("gems", "--create-playlist")
    logged_in.fake.clear_requests()

    result = logged_in.at("2025-08")("gems", "--create-playlist", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Dry run: would update" in result.stderr
    assert "  + " in result.stderr
    assert "  - " in result.stderr
    writes = [
        r
        for r in logged_in.fake.requests
        if r.method in ("PUT", "DELETE") or (r.method == "POST" and "/top/" not in r.path)
    ]
    assert writes == []


def test_gems_offline_from_todays_snapshot_needs_no_login(logged_in: Tm) -> None:
    logged_in("snapshot")
    logged_in("logout")
    logged_in.fake.clear_requests()

    result = logged_in("gems", "--json")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == len(_expected_gem_uris(logged_in))
    assert logged_in.fake.requests == []


def test_top_create_playlist_keeps_one_playlist_per_range(logged_in: Tm) -> None:
    first = logged_in("top", "--range", "medium", "--create-playlist")
    second = logged_in("top", "--range", "medium", "--create-playlist")

    assert first.exit_code == 0, first.output
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.name == "Top tracks (last 6 months)"
    assert playlist.uris == [track["uri"] for track in logged_in.fake.top_tracks("medium_term")]
    assert "already up to date" in second.stderr
    assert logged_in.rows("SELECT kind FROM managed_playlists") == [("top-medium_term",)]


def test_another_listeners_database_is_not_mixed_with_your_login(logged_in: Tm) -> None:
    logged_in("snapshot")
    logged_in.fake.add_user("someone-else", "Someone Else")
    logged_in.fake.login_as("someone-else")
    login(logged_in)
    logged_in.now = logged_in.now.replace(day=16)  # no snapshot today: gems would have to fetch

    refused = logged_in("gems")
    logged_in("snapshot")
    own = logged_in("gems", "--json")

    assert refused.exit_code == 2
    assert "holds Fake Listener (fake-listener)'s data, but you are logged in as Someone Else" in refused.stderr
    assert own.exit_code == 0, own.output
    assert logged_in.rows("SELECT DISTINCT user_id FROM snapshots ORDER BY 1") == [
        ("fake-listener",),
        ("someone-else",),
    ]


@pytest.mark.parametrize("removal", ["unfollow_playlist", "delete_playlist"])
def test_a_gems_playlist_the_user_deleted_or_that_is_gone_is_created_again(logged_in: Tm, removal: str) -> None:
    logged_in("gems", "--create-playlist")
    [old_id] = logged_in.fake.playlists
    getattr(logged_in.fake, removal)(old_id)  # "delete" in the app unfollows; gone entirely answers 404

    result = logged_in("gems", "--create-playlist")

    assert result.exit_code == 0, result.output
    assert "Created playlist" in result.stderr
    new_id = next(pid for pid in logged_in.fake.playlists if pid != old_id)
    assert logged_in.rows("SELECT playlist_id FROM managed_playlists") == [(new_id,)]
    assert logged_in.fake.playlists[new_id].uris == _expected_gem_uris(logged_in)


def test_a_failed_item_write_does_not_orphan_the_new_playlist(logged_in: Tm) -> None:
    logged_in.fake.fail_next("/v1/playlists/", 502, method="PUT", times=4)

    failed = logged_in("gems", "--create-playlist")
    retried = logged_in("gems", "--create-playlist")

    assert failed.exit_code == 1
    assert retried.exit_code == 0, retried.output
    [playlist] = logged_in.fake.playlists.values()  # the same playlist, filled on the second run
    assert playlist.uris == _expected_gem_uris(logged_in)
    assert logged_in.rows("SELECT playlist_id FROM managed_playlists") == [(playlist.id,)]


def test_a_new_name_renames_the_managed_playlist(logged_in: Tm) -> None:
    logged_in("gems", "--create-playlist")

    result = logged_in("gems", "--create-playlist", "--name", "Lost & Found")

    assert result.exit_code == 0, result.output
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.name == "Lost & Found"
    assert "Updated playlist 'Lost & Found' in place" in result.stderr


def _export_of(tm: Tm, tmp_path: Path, plays: list[tuple[int, str, int, bool]]) -> Path:
    """(catalog index, ts, ms played, skipped) rows as an extended-history file."""
    catalog = tm.fake.top_tracks("long_term")
    rows = [
        {
            "ts": ts,
            "ms_played": ms,
            "spotify_track_uri": catalog[index]["uri"],
            "master_metadata_track_name": catalog[index]["name"],
            "master_metadata_album_artist_name": catalog[index]["artists"][0]["name"],
            "skipped": skipped,
            "reason_end": "fwdbtn" if skipped else "trackdone",
        }
        for index, ts, ms, skipped in plays
    ]
    path = tmp_path / "Streaming_History_Audio_2024_0.json"
    path.write_text(json.dumps(rows))
    return path


def test_gems_from_history_are_loved_unskipped_and_not_played_lately(logged_in: Tm, tmp_path: Path) -> None:
    loved = [(0, f"2024-06-0{day}T10:00:00Z", 200_000, False) for day in range(1, 7)]  # 6 plays, long ago
    skipped_a_lot = [(1, f"2024-06-1{day}T10:00:00Z", 200_000, False) for day in range(0, 6)]
    skipped_a_lot += [(1, f"2024-07-0{day}T10:00:00Z", 4_000, True) for day in range(1, 4)]  # 3 skips of 9
    still_played = [(2, f"2024-06-2{day}T10:00:00Z", 200_000, False) for day in range(0, 6)]
    still_played += [(2, "2025-03-10T10:00:00Z", 200_000, False)]  # played five days ago
    rarely = [(3, "2024-05-01T10:00:00Z", 200_000, False)]
    export = _export_of(logged_in, tmp_path, loved + skipped_a_lot + still_played + rarely)
    logged_in("import", str(export))
    logged_in.fake.clear_requests()

    result = logged_in("gems", "--from-history", "--json")

    assert result.exit_code == 0, result.output
    gems = json.loads(result.stdout)
    assert [gem["uri"] for gem in gems] == [logged_in.fake.top_tracks("long_term")[0]["uri"]]
    assert gems[0]["reason"] == "played 6 times (0 skips), last on 2024-06-06"
    assert logged_in.fake.requests == []  # offline: plays only, no chart needed


def test_gems_from_history_can_fill_the_gems_playlist(logged_in: Tm, tmp_path: Path) -> None:
    loved = [(4, f"2024-06-0{day}T10:00:00Z", 200_000, False) for day in range(1, 6)]
    logged_in("import", str(_export_of(logged_in, tmp_path, loved)))

    result = logged_in("gems", "--from-history", "--create-playlist")

    assert result.exit_code == 0, result.output
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.uris == [logged_in.fake.top_tracks("long_term")[4]["uri"]]


def test_gems_from_history_without_plays_or_snapshots_explains_what_to_do(logged_in: Tm) -> None:
    result = logged_in("gems", "--from-history")

    assert result.exit_code == 1
    assert "No snapshots or plays yet" in result.stderr
    assert "tm import" in result.stderr


def test_chart_gems_by_hand() -> None:
    from music_time_machine.models import Month
    from music_time_machine.services.evolution import MonthChart
    from music_time_machine.services.gems import chart_gems

    def charts(*months: str) -> list[MonthChart]:
        return [MonthChart(Month(2025, n + 1), [_track(x) for x in letters]) for n, letters in enumerate(months)]

    gems = chart_gems(charts("abc", "abd", "aed"), charts("bx", "cx", "ay"))

    assert [(g.track.name, g.snapshots, g.best_rank, g.reason) for g in gems] == [
        ("b", 2, 2, "in your long/medium-term charts in 2 snapshots, best #2, absent from short term since 2025-02"),
        ("d", 2, 3, "in your long/medium-term charts in 2 snapshots, best #3, never in your short-term chart"),
        ("e", 1, 2, "in your long/medium-term charts in 1 snapshots, best #2, never in your short-term chart"),
        ("c", 1, 3, "in your long/medium-term charts in 1 snapshots, best #3, absent from short term since 2025-03"),
    ]  # a is still in the latest short-term chart


def test_gems_from_history_uses_snapshots_when_there_are_no_plays(logged_in: Tm) -> None:
    for month in ("2025-01", "2025-02", "2025-03"):
        logged_in.at(month)("snapshot")

    result = logged_in("gems", "--from-history", "--json", "--limit", "5")

    assert result.exit_code == 0, result.output
    gems = json.loads(result.stdout)
    assert len(gems) == 5
    assert set(gems[0]) >= {"uri", "snapshots", "best_rank", "absent_since", "reason"}
    assert gems[0]["uri"] not in {t["uri"] for t in logged_in.fake.top_tracks("short_term")}
