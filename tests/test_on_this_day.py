"""`tm on-this-day`: what you played around this date N years ago."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Tm, error_lines


def _play(ts: str, uri: str, name: str, artist: str = "Artist") -> dict:
    return {
        "ts": ts,
        "ms_played": 180_000,
        "spotify_track_uri": uri,
        "master_metadata_track_name": name,
        "master_metadata_album_artist_name": artist,
        "reason_end": "trackdone",
    }


@pytest.fixture
def history(logged_in: Tm, tmp_path: Path) -> Tm:
    catalog = logged_in.fake.top_tracks("long_term")
    a, b, c = (track["uri"] for track in catalog[:3])
    rows = [
        _play("2024-03-14T20:00:00Z", a, "One Year Ago"),
        _play("2024-03-16T20:00:00Z", a, "One Year Ago"),
        _play("2024-03-30T20:00:00Z", b, "Too Late In The Month"),
        _play("2020-03-15T08:00:00Z", c, "Five Years Ago"),
    ]
    export = tmp_path / "Streaming_History_Audio_2020-2024_0.json"
    export.write_text(json.dumps(rows))
    assert logged_in("import", str(export)).exit_code == 0
    return logged_in


def test_on_this_day_finds_the_plays_around_the_date_each_year(history: Tm) -> None:
    result = history("on-this-day", "--date", "2025-03-15", "--years", "1,5,10", "--json")

    assert result.exit_code == 0, result.output
    found = {entry["years_ago"]: entry for entry in json.loads(result.stdout)}
    assert (found[1]["from"], found[1]["to"]) == ("2024-03-12", "2024-03-18")
    assert [(t["name"], t["plays"]) for t in found[1]["top_tracks"]] == [("One Year Ago", 2)]
    assert [t["name"] for t in found[5]["top_tracks"]] == ["Five Years Ago"]
    assert found[10]["plays"] == 0


def test_on_this_day_table_says_when_a_year_has_no_plays(history: Tm) -> None:
    result = history("on-this-day", "--date", "2025-03-15", "--years", "1,10")

    assert result.exit_code == 0, result.output
    assert "1 year ago (2024-03-12 … 2024-03-18)" in result.stdout
    assert "10 years ago (2015-03-12 … 2015-03-18): no plays." in result.stderr


def test_on_this_day_playlist_holds_the_tracks_of_every_year(history: Tm) -> None:
    result = history("on-this-day", "--date", "2025-03-15", "--years", "1,5", "--create-playlist")

    assert result.exit_code == 0, result.output
    [playlist] = history.fake.playlists.values()
    assert playlist.name == "On This Day"
    catalog = history.fake.top_tracks("long_term")
    assert playlist.uris == [catalog[0]["uri"], catalog[2]["uri"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2025-02-30"], "Error: Invalid date '2025-02-30': use YYYY-MM-DD, for example 2025-03-15."),
        (["--years", "one"], "Error: Invalid years 'one': use whole numbers 1-100 separated by commas, e.g. 1,5,10."),
    ],
)
def test_bad_dates_and_years_are_usage_errors(tm: Tm, args: list[str], message: str) -> None:
    result = tm("on-this-day", *args)

    assert result.exit_code == 2
    assert error_lines(result) == [message]
