"""Evolution and compare: hand-checked numbers on tiny charts, then the CLI on 24 months from the fake."""

from __future__ import annotations

import json

import pytest

from music_time_machine.models import Artist, Month, Track
from music_time_machine.services.compare import compare
from music_time_machine.services.evolution import MonthChart, evolution, rank_biased_overlap

from conftest import Tm

ARTIST_OF = {"a": "X", "b": "X", "c": "Y", "d": "Z", "e": "Z"}


def _t(letter: str) -> Track:
    artist = ARTIST_OF[letter]
    return Track(
        f"spotify:track:{letter}",
        f"Song {letter}",
        (Artist(f"spotify:artist:{artist}", artist),),
        album_uri=f"spotify:album:{letter}",
        album_name=f"Album {letter}",
    )


def _chart(month: str, letters: str | None) -> MonthChart:
    return MonthChart(Month.parse(month), None if letters is None else [_t(x) for x in letters])


# M1 abc, M2 bad, M3 no snapshot, M4 dce, M5 ade
CHARTS = [
    _chart("2025-01", "abc"),
    _chart("2025-02", "bad"),
    _chart("2025-03", None),
    _chart("2025-04", "dce"),
    _chart("2025-05", "ade"),
]


def test_rank_biased_overlap_by_hand() -> None:
    assert rank_biased_overlap(list("abc"), list("abc")) == pytest.approx(1.0)
    assert rank_biased_overlap(list("abc"), list("xyz")) == 0.0
    # X1=0, X2=2, X3=2: 2/3*0.9^3 + (0.1/0.9)*(0 + 2/2*0.81 + 2/3*0.729) = 0.486 + 0.144
    assert rank_biased_overlap(list("abc"), list("bad")) == pytest.approx(0.63)


def test_month_changes_turnover_and_gaps() -> None:
    changes = evolution(CHARTS).changes

    summary = [
        (str(c.month), c.taken, c.turnover, c.overlap, [t.uri[-1] for t in c.entries], [t.uri[-1] for t in c.exits])
        for c in changes
    ]
    assert summary == [
        ("2025-01", True, None, None, [], []),  # first month: nothing to compare with
        ("2025-02", True, 0.3333, 0.63, ["d"], ["c"]),
        ("2025-03", False, None, None, [], []),  # a gap, not interpolated
        ("2025-04", True, None, None, [], []),  # after a gap: nothing to compare with either
        ("2025-05", True, 0.3333, 0.585, ["a"], ["c"]),  # 2/3*0.729 + (0.1/0.9)*(0.405 + 0.486)
    ]


def test_returning_items_count_absence_only_in_snapshot_months() -> None:
    result = evolution(CHARTS)

    assert [(r.name, r.returns, r.gaps) for r in result.returning_tracks] == [("Song a", 1, [2]), ("Song c", 1, [2])]
    assert [(r.name, r.returns, r.gaps) for r in result.returning_artists] == [("X", 1, [2]), ("Y", 1, [2])]
    assert [r.name for r in result.returning_albums] == ["Album a", "Album c"]  # d skipped only a gap month


def test_longest_staying_and_artist_shifts() -> None:
    result = evolution(CHARTS)

    assert [(s.track.name, s.months, s.longest_run) for s in result.longest_staying] == [
        ("Song d", 3, 3),
        ("Song a", 3, 2),
        ("Song b", 2, 2),
        ("Song e", 2, 2),
        ("Song c", 2, 1),
    ]
    assert [(s.artist, s.before, s.after) for s in result.artist_shifts] == [("Z", 0, 2), ("X", 2, 1), ("Y", 1, 0)]


def test_one_snapshot_only_is_handled() -> None:
    result = evolution([_chart("2025-01", "abc")])

    assert [(c.turnover, c.overlap) for c in result.changes] == [(None, None)]
    assert result.artist_shifts == []
    assert result.returning_tracks == []


def test_compare_new_gone_stayed_with_rank_moves() -> None:
    result = compare([_t(x) for x in "abc"], [_t(x) for x in "bad"])

    tracks = result["tracks"]
    assert [(m.name, m.rank_b) for m in tracks.new] == [("Song d", 3)]
    assert [(m.name, m.rank_a) for m in tracks.gone] == [("Song c", 3)]
    assert [(m.name, m.rank_a, m.rank_b, m.change) for m in tracks.stayed] == [
        ("Song b", 2, 1, 1),
        ("Song a", 1, 2, -1),
    ]
    assert [m.name for m in result["artists"].new] == ["Z"]
    assert [m.name for m in result["artists"].gone] == ["Y"]


MONTHS = [str(Month(2024, 1).shift(n)) for n in range(24)]


@pytest.fixture
def two_years(logged_in: Tm) -> Tm:
    for month in MONTHS:
        if month != "2024-07":  # one month without a snapshot
            assert logged_in.at(month)("snapshot", "--range", "short").exit_code == 0
    return logged_in


def _fake_chart(tm: Tm, month: str) -> list[str]:
    tm.fake.month = month
    return [track["uri"] for track in tm.fake.top_tracks("short_term")]


def test_evolution_json_matches_the_fakes_charts_month_by_month(two_years: Tm) -> None:
    result = two_years("evolution", "--json")

    assert result.exit_code == 0, result.output
    months = json.loads(result.stdout)["months"]
    assert [m["month"] for m in months] == MONTHS
    by_month = {m["month"]: m for m in months}
    assert by_month["2024-07"]["snapshot"] is False
    assert by_month["2024-08"]["turnover"] is None
    for earlier, later in [("2024-01", "2024-02"), ("2025-05", "2025-06")]:
        before, after = _fake_chart(two_years, earlier), _fake_chart(two_years, later)
        expected = [uri for uri in after if uri not in before]
        assert [entry["uri"] for entry in by_month[later]["entries"]] == expected
        assert by_month[later]["turnover"] == round(len(expected) / 50, 4)
        assert by_month[later]["overlap"] == round(rank_biased_overlap(before, after), 4)


def test_compare_json_matches_set_differences_of_the_fakes_charts(two_years: Tm) -> None:
    result = two_years("compare", "2024-02", "2025-11", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    a, b = _fake_chart(two_years, "2024-02"), _fake_chart(two_years, "2025-11")
    assert {m["key"] for m in data["tracks"]["new"]} == set(b) - set(a)
    assert {m["key"] for m in data["tracks"]["gone"]} == set(a) - set(b)
    for moved in data["tracks"]["stayed"]:
        assert (moved["rank_a"], moved["rank_b"]) == (a.index(moved["key"]) + 1, b.index(moved["key"]) + 1)


def test_evolution_of_one_artist_over_time_shows_gaps(two_years: Tm) -> None:
    two_years.fake.month = "2024-01"
    artist = two_years.fake.top_tracks("short_term")[0]["artists"][0]["name"]

    result = two_years("evolution", "--artist", artist, "--json")

    months = json.loads(result.stdout)["months"]
    assert months[0]["rank"] == 1
    assert {"month": "2024-07", "snapshot": False, "rank": None} in months


def test_compare_a_month_without_snapshot_is_a_clear_usage_error(two_years: Tm) -> None:
    result = two_years("compare", "2024-07", "2024-08", "--source", "spotify")

    assert result.exit_code == 2
    assert "No short_term snapshot in 2024-07" in result.stderr


def test_evolution_tables_render(two_years: Tm) -> None:
    result = two_years("evolution", "--since", "2024-05", "--until", "2024-10")

    assert result.exit_code == 0, result.output
    assert "no snapshot" in result.stdout
    assert "Longest-staying tracks" in result.stdout
