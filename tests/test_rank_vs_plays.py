"""`tm rank-vs-plays`: the chart next to what you actually played in its window."""

from __future__ import annotations

import json
from pathlib import Path

from music_time_machine.models import Artist, PlayCount, Track
from music_time_machine.services.rank_vs_plays import compare

from conftest import Tm


def _track(letter: str) -> Track:
    return Track(f"spotify:track:{letter}", f"Song {letter}", (Artist(f"spotify:artist:{letter}", f"Artist {letter}"),))


def _count(letter: str, plays: int, uri: bool = True) -> PlayCount:
    return PlayCount(
        f"spotify:track:{letter}" if uri else None,
        f"Song {letter}",
        f"Artist {letter}",
        None,
        plays,
        0,
        plays * 180_000,
        "2025-01-01T00:00:00Z",
    )


def test_compare_matches_by_uri_or_by_name_and_flags_the_biggest_gaps() -> None:
    chart = [_track(letter) for letter in "abcdefg"]
    counts = [_count("g", 30), _count("a", 20), _count("z", 15), _count("b", 10, uri=False)]

    rows, missing = compare(chart, counts)

    assert [(row.rank, row.plays, row.play_rank) for row in rows[:3]] == [(1, 20, 2), (2, 10, 4), (3, 0, None)]
    assert rows[6].play_rank == 1  # chart #7 is what you played most
    assert {row.rank for row in rows if row.flagged} == {3, 4, 5, 6, 7}  # never played, and #7 played most
    assert [count.name for count in missing] == ["Song z"]


def test_rank_vs_plays_compares_the_latest_chart_with_the_plays_in_its_window(logged_in: Tm, tmp_path: Path) -> None:
    logged_in("snapshot")
    chart = logged_in.fake.top_tracks("short_term")
    rows = [
        {
            "ts": f"2025-03-0{day}T10:00:00Z",
            "ms_played": 200_000,
            "spotify_track_uri": chart[4]["uri"],
            "master_metadata_track_name": chart[4]["name"],
            "master_metadata_album_artist_name": chart[4]["artists"][0]["name"],
            "reason_end": "trackdone",
        }
        for day in range(1, 4)
    ] + [
        {  # a play of #1 in 2024: outside the 4-week window
            "ts": "2024-01-01T10:00:00Z",
            "ms_played": 200_000,
            "spotify_track_uri": chart[0]["uri"],
            "master_metadata_track_name": chart[0]["name"],
            "master_metadata_album_artist_name": chart[0]["artists"][0]["name"],
            "reason_end": "trackdone",
        }
    ]
    export = tmp_path / "Streaming_History_Audio_2024-2025_0.json"
    export.write_text(json.dumps(rows))
    logged_in("import", str(export))

    result = logged_in("rank-vs-plays", "--range", "short", "--json")
    table = logged_in("rank-vs-plays", "--range", "short")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["time_range"], data["from"]) == ("short_term", "2025-02-15T12:00:00Z")
    # the 2024 play of #1 is outside the 4-week window
    assert [(row["rank"], row["plays"], row["play_rank"]) for row in data["charted"][:5]] == [
        (1, 0, None),
        (2, 0, None),
        (3, 0, None),
        (4, 0, None),
        (5, 3, 1),
    ]
    assert table.exit_code == 0
    assert "disagree" in table.stdout


def test_rank_vs_plays_without_a_snapshot_says_what_to_do(logged_in: Tm) -> None:
    result = logged_in("rank-vs-plays")

    assert result.exit_code == 1
    assert "No long_term snapshot yet" in result.stderr
