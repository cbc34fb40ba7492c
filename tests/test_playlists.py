"""Managed playlist sources: one playlist each, updated in place, bans and pins honoured."""

from __future__ import annotations

import json

import pytest

from music_time_machine.models import parse_track_ref

from conftest import Tm, error_lines

TRACK_ID = "4uLU6hMCjMI75M1A2tKUQC"


def _chart(tm: Tm, month: str, time_range: str = "short_term") -> list[str]:
    tm.fake.month = month
    return [track["uri"] for track in tm.fake.top_tracks(time_range)]


def _writes(tm: Tm) -> list[str]:
    return [f"{r.method} {r.path}" for r in tm.fake.requests if r.method in ("POST", "PUT", "DELETE")]


def test_rotation_is_one_playlist_updated_in_place_and_untouched_when_unchanged(logged_in: Tm) -> None:
    first = logged_in.at("2025-01")("playlist", "rotation", "--json")
    logged_in.fake.clear_requests()
    same_day = logged_in("playlist", "rotation", "--json")
    later = logged_in.at("2025-02")("playlist", "rotation", "--json")

    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["created"] is True
    assert json.loads(same_day.stdout)["written"] is False
    assert [w for w in _writes(logged_in) if "playlists" in w] == [
        f"PUT /v1/playlists/{json.loads(first.stdout)['playlist_id']}/items"
    ]
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.uris == _chart(logged_in, "2025-02")
    assert json.loads(later.stdout)["playlist_id"] == playlist.id


def test_discoveries_are_tracks_never_charted_before(logged_in: Tm) -> None:
    logged_in.at("2025-01")("snapshot")

    result = logged_in.at("2025-02")("playlist", "discoveries")

    assert result.exit_code == 0, result.output
    earlier = {
        *_chart(logged_in, "2025-01"),
        *_chart(logged_in, "2025-01", "medium_term"),
        *_chart(logged_in, "2025-01", "long_term"),
    }
    expected = [uri for uri in _chart(logged_in, "2025-02") if uri not in earlier]
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.uris == expected
    assert playlist.name == "Discoveries"


def test_month_playlist_holds_that_months_charts_each_track_once(logged_in: Tm) -> None:
    logged_in.at("2025-03")("snapshot")

    result = logged_in.at("2025-05")("playlist", "month", "2025-03", "--limit", "60")

    assert result.exit_code == 0, result.output
    ordered = []
    for time_range in ("short_term", "medium_term", "long_term"):
        ordered += [uri for uri in _chart(logged_in, "2025-03", time_range) if uri not in ordered]
    [playlist] = logged_in.fake.playlists.values()
    assert playlist.uris == ordered[:60]
    assert playlist.name == "tm: 2025-03"


def test_boomerangs_come_from_the_stored_history(logged_in: Tm) -> None:
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"):
        logged_in.at(month)("snapshot", "--range", "short")

    result = logged_in("playlist", "boomerangs", "--json")

    assert result.exit_code == 0, result.output
    charts = [set(_chart(logged_in, m)) for m in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")]
    [playlist] = logged_in.fake.playlists.values()
    expected = _came_back(charts)
    assert expected
    assert len(expected) <= 50  # so the playlist holds all of them
    assert set(playlist.uris) == expected


def _came_back(charts: list[set[str]]) -> set[str]:
    """Reference: in a chart, then missing from a later one, then in a later one again."""
    found = set()
    for uri in set().union(*charts):
        present = [uri in chart for chart in charts]
        after_first = present[present.index(True) :]
        if any(not p and any(after_first[k + 1 :]) for k, p in enumerate(after_first)):
            found.add(uri)
    return found


def test_a_banned_track_leaves_every_playlist_and_a_pinned_one_stays(logged_in: Tm) -> None:
    logged_in("playlist", "rotation")
    top = _chart(logged_in, "2025-03")
    outsider = _chart(logged_in, "2025-03", "long_term")[-1]

    banned = logged_in("ban", top[0])
    pinned = logged_in(
        "pin", f"https://open.spotify.com/intl-de/track/{outsider.split(':')[-1]}?si=x", "--source", "rotation"
    )
    logged_in("playlist", "rotation")

    assert banned.exit_code == 0, banned.output
    assert pinned.exit_code == 0, pinned.output
    [playlist] = logged_in.fake.playlists.values()
    assert top[0] not in playlist.uris
    assert outsider in playlist.uris
    logged_in("unban", top[0])
    logged_in("unpin", outsider, "--source", "rotation")
    logged_in("playlist", "rotation")
    assert logged_in.fake.playlists[playlist.id].uris == top


def test_gems_honours_bans_too(logged_in: Tm) -> None:
    gems = json.loads(logged_in("gems", "--json").stdout)
    logged_in("ban", gems[0]["uri"])

    logged_in("gems", "--create-playlist")

    [playlist] = logged_in.fake.playlists.values()
    assert gems[0]["uri"] not in playlist.uris
    assert len(playlist.uris) == len(gems) - 1


def test_playlist_list_shows_every_managed_playlist(logged_in: Tm) -> None:
    logged_in("playlist", "rotation")
    logged_in("gems", "--create-playlist")

    result = logged_in("playlist", "list", "--json")

    assert result.exit_code == 0, result.output
    assert [p["kind"] for p in json.loads(result.stdout)] == ["gems", "rotation"]


@pytest.mark.parametrize(
    "text",
    [
        f"spotify:track:{TRACK_ID}",
        TRACK_ID,
        f"https://open.spotify.com/track/{TRACK_ID}",
        f"https://open.spotify.com/intl-pt/track/{TRACK_ID}?si=abc",
    ],
)
def test_track_references_in_every_form(text: str) -> None:
    assert parse_track_ref(text) == f"spotify:track:{TRACK_ID}"


@pytest.mark.parametrize("text", ["spotify:album:4uLU6hMCjMI75M1A2tKUQC", "abc", "https://example.com/track/x"])
def test_a_bad_track_reference_is_a_usage_error(logged_in: Tm, text: str) -> None:
    result = logged_in("ban", text)

    assert result.exit_code == 2
    assert error_lines(result)[0].startswith("Error: Not a track:")


def test_the_sql_views_answer_the_readme_queries(logged_in: Tm) -> None:
    logged_in.at("2025-01")("snapshot")
    logged_in.at("2025-02")("snapshot")

    rows = logged_in.rows(
        "SELECT month, track_uri FROM v_monthly_top WHERE time_range = 'long_term' AND rank = 1 ORDER BY month"
    )

    assert rows == [
        ("2025-01", _chart(logged_in, "2025-01", "long_term")[0]),
        ("2025-02", _chart(logged_in, "2025-02", "long_term")[0]),
    ]


def test_a_lost_database_finds_its_playlist_again_by_the_description_marker(logged_in: Tm) -> None:
    logged_in("playlist", "rotation")
    [playlist_id] = logged_in.fake.playlists
    with logged_in.db() as db:
        db.execute("DELETE FROM managed_playlists")  # as if the database were lost

    result = logged_in("playlist", "rotation", "--json")

    assert result.exit_code == 0, result.output
    assert list(logged_in.fake.playlists) == [playlist_id]  # adopted, not duplicated
    assert json.loads(result.stdout)["written"] is False
    assert logged_in.rows("SELECT playlist_id FROM managed_playlists") == [(playlist_id,)]


@pytest.mark.parametrize("source", ["gems", "rotation", "discoveries", "boomerangs"])
def test_every_source_is_created_once_and_untouched_when_unchanged(logged_in: Tm, source: str) -> None:
    for month in ("2025-01", "2025-02", "2025-03"):
        logged_in.at(month)("snapshot")
    first = logged_in(*["playlist", source])
    logged_in.fake.clear_requests()

    again = logged_in(*["playlist", source])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert len(logged_in.fake.playlists) == 1
    assert _writes(logged_in) == []
