"""Charts from plays (`--source plays`): history, evolution, compare and gems against an oracle computed from the
export files themselves (tests/plays_oracle.py, which imports nothing of tm).

The generator plays ~250 tracks a day from 2016-01-01, so its export is spread out: whole listening day n moves to
LISTENING_DAYS[n] (whole days, so every Account Data copy still falls in its extended row's UTC minute). The days
are placed to make the windows matter: the last day of a 31-day month, a year-long gap, the leap day, the days just
outside and inside 2020-02's windows (a 28-day window is not "February", a 365-day one starting after 2020-02-29 is
not "a year back to 2019-03-01"), and edge plays at the exact first and past-the-last instants of each window.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from music_time_machine.testing.export_generator import write_export
from plays_oracle import RANGE_DAYS, ChartRow, Oracle, month_window, taken_at

from conftest import Tm, login

RANGES = {"short": "short_term", "medium": "medium_term", "long": "long_term"}
SEED, PLAYS, MORE_PLAYS = 7, 6_000, 8_000  # 23 and 31 listening days
FIRST_DAY = date(2016, 1, 1)
LISTENING_DAYS = [
    *(date(2016, 1, 1), date(2016, 1, 20), date(2016, 3, 15), date(2016, 5, 31), date(2016, 8, 10)),
    *(date(2016, 10, 31), date(2017, 1, 5)),  # then nothing for over a year: 2018-01..2018-05 are gaps
    *(date(2018, 6, 10), date(2018, 7, 28), date(2018, 12, 31)),
    *(date(2019, 3, 1), date(2019, 3, 2)),  # 2020-02's year starts on 2019-03-02 (2020 is a leap year)
    *(date(2019, 6, 15), date(2019, 8, 31), date(2019, 9, 1)),  # its 182 days start on 2019-09-01
    *(date(2019, 11, 20), date(2020, 1, 4), date(2020, 2, 1), date(2020, 2, 2)),  # its 28 days on 2020-02-02
    *(date(2020, 2, 29), date(2020, 3, 1), date(2020, 7, 31), date(2021, 1, 10)),
    *(date(2021, 2, 3), date(2021, 2, 20), date(2021, 3, 9), date(2021, 4, 2)),  # the bigger export goes on
    *(date(2021, 4, 30), date(2021, 5, 1), date(2021, 5, 31), date(2021, 6, 15)),
]
EDGE_MONTH = "2020-02"
CHECKED_MONTHS = ["2016-01", "2016-05", "2018-06", "2020-02", "2020-03", "2021-01"]  # first, 31 days, after a gap


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _moved(row: object) -> object:
    """The row with its listening day moved to LISTENING_DAYS (time of day kept)."""
    if not isinstance(row, dict):
        return row
    for field, layout in (("ts", "%Y-%m-%dT%H:%M:%SZ"), ("endTime", "%Y-%m-%d %H:%M")):
        if isinstance(row.get(field), str):
            moment = datetime.strptime(row[field], layout)
            day = moment.date()
            moved = moment + (LISTENING_DAYS[(day - FIRST_DAY).days] - day)
            return {**row, field: moved.strftime(layout)}
    return row


def _extended(ts: str, title: str, uri: str, ms: int = 200_000, **fields: object) -> dict:
    return {
        "ts": ts,
        "ms_played": ms,
        "master_metadata_track_name": title,
        "master_metadata_album_artist_name": fields.pop("artist", "Edge Artist"),
        "master_metadata_album_album_name": "Edges",
        "spotify_track_uri": uri,
        "reason_start": "clickrow",
        "reason_end": fields.pop("reason_end", "trackdone"),
        "shuffle": False,
        "skipped": fields.pop("skipped", False),
        "offline": False,
        **fields,
    }


def _edge_rows() -> list[dict]:
    """Per window of EDGE_MONTH, a track played at its first instant and one a second before it, and two at its
    end (a second before, and the instant it ends); each with 30 more full plays mid-month, so all chart high."""
    rows = []
    end = datetime.fromisoformat(month_window(EDGE_MONTH, "short_term")[1])
    edges = {"end": end, **{name: end - timedelta(days=RANGE_DAYS[name]) for name in RANGE_DAYS}}
    for number, (name, instant) in enumerate(edges.items()):
        for side, moment in (("at", instant), ("before", instant - timedelta(seconds=1))):
            title, uri = f"Edge {side} {name}", f"spotify:track:edge{side}{number}"
            rows.append(_extended(_iso(moment), title, uri))
            mid_month = datetime(2020, 2, 10 + number, 2 if side == "at" else 3, tzinfo=UTC)
            rows.extend(_extended(_iso(mid_month + timedelta(minutes=i)), title, uri) for i in range(30))
    return rows


def _spread_export(directory: Path, plays: int) -> Path:
    raw, spread = directory / "raw", directory / "export"
    write_export(raw, plays=plays, seed=SEED)
    spread.mkdir(parents=True)
    for path in sorted(raw.glob("*.json")):
        rows = json.loads(path.read_text(encoding="utf-8"))
        moved = [_moved(row) for row in rows] if isinstance(rows, list) else rows
        (spread / path.name).write_text(json.dumps(moved, ensure_ascii=False), encoding="utf-8")
    (spread / "Streaming_History_Audio_edges.json").write_text(json.dumps(_edge_rows()), encoding="utf-8")
    return spread


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _spread_export(tmp_path_factory.mktemp("plays"), PLAYS)


@pytest.fixture(scope="module")
def bigger_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same listener's later export: the same timeline, 2,000 plays longer."""
    return _spread_export(tmp_path_factory.mktemp("more-plays"), MORE_PLAYS)


@pytest.fixture(scope="module")
def oracle(export: Path) -> Oracle:
    return Oracle.from_exports([export])


@pytest.fixture
def imported(tm: Tm, export: Path) -> Tm:
    result = tm("import", str(export), "--json")
    assert result.exit_code == 0, result.output
    return tm


def _json(tm: Tm, *args: str) -> object:
    result = tm(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _history(tm: Tm, month: str) -> dict:
    return _json(tm, "history", "--month", month, "--source", "plays")


def _rows(history: dict, time_range: str) -> list[dict]:
    return [row for row in history["charts"] if row["time_range"] == time_range]


def _ranks(rows: list[dict]) -> list[tuple[int, str | None]]:
    return [(row["rank"], row["uri"]) for row in rows]


def _expected_ranks(chart: list[ChartRow]) -> list[tuple[int, str | None]]:
    return [(row.rank, row.uri) for row in chart]


def _assert_chart(history: dict, time_range: str, expected: list[ChartRow]) -> None:
    rows = _rows(history, time_range)
    assert _ranks(rows) == _expected_ranks(expected), f"{history['month']} {time_range}"
    misnamed = [(row["rank"], row["name"], sorted(want.names)) for row, want in zip(rows, expected, strict=True)]
    assert [entry for entry in misnamed if entry[1] not in entry[2]] == []
    stamps = {(row["taken_at"], row["source"]) for row in rows}
    assert stamps == ({(taken_at(history["month"]), "plays")} if rows else set())


def test_the_fixture_is_sensitive_to_every_window_edge(oracle: Oracle) -> None:
    """Charts differ between months (and ranges), and moving any edge of a 2020-02 window by a second changes it:
    so the tests below fail for a window that is off by one second, one day, or a calendar month."""
    charts = {(month, name): oracle.chart(month, name) for month in CHECKED_MONTHS for name in RANGE_DAYS}
    assert [key for key, chart in charts.items() if len(chart) < 50] == [("2020-03", "short_term")]  # 03-04 on
    for name in RANGE_DAYS:
        keys = [tuple(row.key for row in charts[month, name]) for month in CHECKED_MONTHS]
        assert len(set(keys)) == len(CHECKED_MONTHS), f"{name}: every month's chart is its own"
    assert len({tuple(row.key for row in charts[EDGE_MONTH, name]) for name in RANGE_DAYS}) == len(RANGE_DAYS)
    for name in RANGE_DAYS:
        start, end = month_window(EDGE_MONTH, name)
        moment = datetime.fromisoformat(start)
        right = oracle.chart_between(start, end)
        assert oracle.chart_between(_iso(moment + timedelta(seconds=1)), end) != right
        assert oracle.chart_between(_iso(moment - timedelta(seconds=1)), end) != right
        assert oracle.chart_between(start, end, inclusive_end=True) != right
    naive_year = oracle.chart_between("2019-03-01T00:00:00Z", month_window(EDGE_MONTH, "long_term")[1])
    assert naive_year != oracle.chart(EDGE_MONTH, "long_term")


def test_history_from_plays_is_the_chart_of_each_window(imported: Tm, oracle: Oracle) -> None:
    for month in CHECKED_MONTHS:
        history = _history(imported, month)
        assert history["month"] == month
        for name in RANGE_DAYS:
            _assert_chart(history, name, oracle.chart(month, name))


def test_a_month_whose_windows_hold_no_plays_has_no_charts(imported: Tm, oracle: Oracle) -> None:
    assert [oracle.chart("2018-03", name) for name in RANGE_DAYS] == [[], [], []]
    assert _history(imported, "2018-03")["charts"] == []


def test_without_snapshots_history_uses_plays_and_says_so(imported: Tm, oracle: Oracle) -> None:
    result = imported("history", "--month", EDGE_MONTH, "--json")
    assert result.exit_code == 0, result.output
    assert "plays" in result.stderr
    _assert_chart(json.loads(result.stdout), "long_term", oracle.chart(EDGE_MONTH, "long_term"))


@pytest.mark.parametrize("option", list(RANGES))
def test_evolution_from_plays_follows_the_monthly_charts(imported: Tm, oracle: Oracle, option: str) -> None:
    first, last = oracle.months()[0], oracle.months()[-1]
    evolution = _json(imported, "evolution", "--source", "plays", "--range", option, "--since", first, "--until", last)
    expected = oracle.evolution(RANGES[option], first, last)
    assert (evolution["source"], evolution["time_range"], evolution["top"]) == ("plays", RANGES[option], 50)
    assert [month["month"] for month in evolution["months"]] == [change.month for change in expected]
    assert [month["snapshot"] for month in evolution["months"]] == [change.snapshot for change in expected]
    assert any(not change.snapshot for change in expected), "the span has gaps"
    assert any(change.turnover for change in expected), "and months with new tracks"
    for month, change in zip(evolution["months"], expected, strict=True):
        if change.turnover is None:
            assert month["turnover"] is None, month["month"]
        else:
            assert month["turnover"] == pytest.approx(change.turnover, abs=1e-4), month["month"]
        assert [entry["uri"] for entry in month["entries"]] == change.entries, month["month"]
        assert [exit["uri"] for exit in month["exits"]] == change.exits, month["month"]


@pytest.mark.parametrize(("a", "b", "option"), [("2019-06", EDGE_MONTH, "long"), ("2020-01", EDGE_MONTH, "short")])
def test_compare_from_plays_splits_the_two_charts(imported: Tm, oracle: Oracle, a: str, b: str, option: str) -> None:
    compared = _json(imported, "compare", a, b, "--source", "plays", "--range", option)
    expected = oracle.compare(a, b, RANGES[option])
    assert all(expected.values()), "new, gone and stayed tracks all exist"
    assert (compared["source"], compared["a"], compared["b"]) == ("plays", a, b)
    assert {kind: sorted(row["key"] for row in rows) for kind, rows in compared["tracks"].items()} == {
        kind: sorted(keys) for kind, keys in expected.items()
    }
    rank_a = {row.key: row.rank for row in oracle.chart(a, RANGES[option])}
    rank_b = {row.key: row.rank for row in oracle.chart(b, RANGES[option])}
    stayed = {row["key"]: (row["rank_a"], row["rank_b"]) for row in compared["tracks"]["stayed"]}
    assert stayed == {key: (rank_a[key], rank_b[key]) for key in expected["stayed"]}


def test_gems_from_plays_are_the_last_months_long_term_chart_minus_its_short_term(imported: Tm, oracle: Oracle) -> None:
    gems = _json(imported, "gems", "--source", "plays")
    expected = oracle.gems(imported.now.strftime("%Y-%m"))
    assert oracle.last_month_with_plays() == "2021-01"
    assert 0 < len(expected) < 50
    assert [(gem["long_term_rank"], gem["uri"]) for gem in gems] == [(row.rank, row.uri) for row in expected]


def test_reimporting_and_a_later_overlapping_export_keep_the_charts_exact(
    imported: Tm, oracle: Oracle, export: Path, bigger_export: Path
) -> None:
    months = ["2016-05", EDGE_MONTH, "2021-01"]
    before = {month: _history(imported, month)["charts"] for month in months}
    again = imported("import", str(export), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["stored"] == 0
    assert {month: _history(imported, month)["charts"] for month in months} == before

    later = imported("import", str(bigger_export), "--json")
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)["stored"] > 0
    union = Oracle.from_exports([export], [bigger_export])
    assert union.chart("2021-01", "short_term") != oracle.chart("2021-01", "short_term")
    for month in [*months, "2021-05"]:
        history = _history(imported, month)
        for name in RANGE_DAYS:
            _assert_chart(history, name, union.chart(month, name))


def _dry_run(tm: Tm, *args: str) -> dict:
    """`tm playlist …` on a dry run (the fake's catalog knows none of the generated tracks, so nothing is written)."""
    result = tm("playlist", *args, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert "from your stored plays" in result.stderr
    found = json.loads(result.stdout)
    assert found["chart_source"] == "plays"
    return found


def _uris_once(*charts: list[ChartRow]) -> list[str]:
    """The charts' tracks that have a URI (the only ones a playlist can hold), in order, each once."""
    return list(dict.fromkeys(row.uri for chart in charts for row in chart if row.uri))


@pytest.fixture
def listener(tm: Tm, export: Path) -> Tm:
    """The export imported for the fake's listener, logged in (playlists are written to Spotify)."""
    result = tm("import", str(export), "--user", "fake-listener")
    assert result.exit_code == 0, result.output
    login(tm)
    return tm


def test_month_playlist_from_plays_holds_that_months_three_charts(listener: Tm, oracle: Oracle) -> None:
    found = _dry_run(listener, "month", EDGE_MONTH)  # no snapshot in the month: from plays without asking
    expected = _uris_once(*(oracle.chart(EDGE_MONTH, name) for name in ("short_term", "medium_term", "long_term")))
    assert len(expected) > 50  # the three charts differ, so their order and each-once matter
    assert (found["added"], found["chart_month"]) == (expected, EDGE_MONTH)


def test_rotation_and_discoveries_from_plays_are_of_the_last_month_with_plays(listener: Tm, oracle: Oracle) -> None:
    last = oracle.last_month_with_plays()
    rotation = _dry_run(listener, "rotation", "--source", "plays")
    assert (rotation["added"], rotation["chart_month"]) == (_uris_once(oracle.chart(last, "short_term")), last)

    earlier = {
        row.key for month in oracle.months() if month < last for name in RANGE_DAYS for row in oracle.chart(month, name)
    }
    new = [row.uri for row in oracle.chart(last, "short_term") if row.key not in earlier and row.uri]
    assert 0 < len(new) < len(rotation["added"])
    assert _dry_run(listener, "discoveries")["added"] == new  # plays and no snapshot: from plays


def _returns(charts: list[list[ChartRow]]) -> dict[str, int]:
    """Reference: how often each track came back to the chart after missing from one or more charted months."""
    returns: dict[str, int] = {}
    for key in {row.key for chart in charts for row in chart}:
        present = [any(row.key == key for row in chart) for chart in charts]
        returns[key] = sum(1 for before, now in itertools.pairwise(present) if now and not before)
        returns[key] -= 0 if present[0] else 1  # the first entry is not a return
    return {key: count for key, count in returns.items() if count > 0}


def test_boomerangs_from_plays_are_the_tracks_that_came_back_most(listener: Tm, oracle: Oracle) -> None:
    charted = [chart for month in oracle.months() if (chart := oracle.chart(month, "short_term"))]
    uri_of = {row.key: row.uri for chart in charted for row in chart}
    returns = _returns(charted)
    found = _dry_run(listener, "boomerangs")["added"]
    assert len(returns) > 50 >= len(found) > 0  # more came back than the playlist holds: the most returns win
    kept = {key: count for key, count in returns.items() if uri_of[key] in found}
    assert len(kept) == len(found)
    assert min(kept.values()) >= max(count for key, count in returns.items() if key not in kept)


def test_export_of_plays_charts_has_every_months_charts(imported: Tm, oracle: Oracle) -> None:
    result = imported("export", "snapshots", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "from your stored plays" in result.stderr
    exported: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
    for row in json.loads(result.stdout):
        exported.setdefault((row["taken_at"], row["time_range"]), []).append((row["rank"], row["track_uri"]))
    expected = {
        (taken_at(month), name): _expected_ranks(chart)
        for month in oracle.months()
        for name in RANGE_DAYS
        if (chart := oracle.chart(month, name))
    }
    assert len(expected) > 100  # every month and range that has plays in its window
    assert exported == expected


def _month_totals(oracle: Oracle) -> dict[str, tuple[int, int]]:
    totals: dict[str, list[int]] = {}
    for play in oracle.plays:
        totals.setdefault(play.played_at[:7], [0, 0])[0 if play.full else 1] += 1
    return {month: (plays, skips) for month, (plays, skips) in totals.items()}


def test_adopting_an_export_listener_merges_the_plays_without_counting_any_twice(
    tm: Tm, export: Path, tmp_path: Path
) -> None:
    """Half the export filed under the name it gives, the other half (overlapping it) under the logged-in listener:
    adopting leaves one listener with the plays of both, each once, and the charts of both together."""
    old, new = tmp_path / "old", tmp_path / "new"  # old: endsong and Account Data (copies of extended plays)
    old.mkdir()
    new.mkdir()
    for path in export.glob("*.json"):
        in_old = path.name.startswith(("endsong_", "StreamingHistory_music_", "Streaming_History_Audio_edges"))
        ((old if in_old else new) / path.name).write_bytes(path.read_bytes())
    assert tm("import", str(old)).exit_code == 0  # filed under the export's synthetic_listener
    login(tm)
    assert tm("import", str(new), "--user", "fake-listener").exit_code == 0
    assert tm("snapshot").exit_code == 0
    union, own = Oracle.from_exports([new], [old]), Oracle.from_exports([new])
    assert 0 < len(own.plays) < len(union.plays) < len(own.plays) + len(Oracle.from_exports([old]).plays)

    result = tm("db", "adopt", "synthetic_listener", "--into", "fake-listener", "--json")

    assert result.exit_code == 0, result.output
    adoption = json.loads(result.stdout)
    assert adoption["plays"] == len(union.plays) - len(own.plays)
    assert adoption["plays"] + adoption["duplicates"] == len(Oracle.from_exports([old]).plays)
    assert tm.rows("SELECT id FROM users") == [("fake-listener",)]
    assert tm.rows("SELECT count(*) FROM plays") == [(len(union.plays),)]
    stored = {
        month: (row["plays"]["plays"], row["plays"]["skips"])
        for month in union.months()
        if (row := _history(tm, month))
    }
    assert {month: totals for month, totals in stored.items() if totals != (0, 0)} == _month_totals(union)
    for month in (EDGE_MONTH, "2021-01"):
        history = _history(tm, month)
        for name in RANGE_DAYS:
            _assert_chart(history, name, union.chart(month, name))
    again = tm("import", str(old), "--json")  # the adopted files are the listener's own now
    assert (again.exit_code, json.loads(again.stdout)["stored"]) == (0, 0)


def _account(end_time: str, artist: str, title: str, ms: int = 200_000) -> dict:
    return {"endTime": end_time, "artistName": artist, "trackName": title, "msPlayed": ms}


def _track(title: str, artist: str, uri: str) -> dict[str, str]:
    return {"title": title, "uri": uri, "artist": artist}


SONG_A, CAFE = _track("Song A", "Artist A", "spotify:track:AAA"), _track("Café", "Artist C", "spotify:track:CCC")
SONG_B2, SONG_B1 = _track("Song B", "The Band", "spotify:track:Bb"), _track("Song B", "The Band", "spotify:track:BB")
LONG_SKIPS, STEADY = (
    _track("Long Skips", "Artist M", "spotify:track:M1"),
    _track("Steady", "Artist M", "spotify:track:M2"),
)
RECENT, EARLIER = _track("Recent", "Artist R", "spotify:track:R1"), _track("Earlier", "Artist R", "spotify:track:R2")
EDGE_CASES, ONLY_SKIPPED = (
    _track("Edge Cases", "Artist F", "spotify:track:F1"),
    _track("Skipped", "S", "spotify:track:S1"),
)
TIE_LOWER, TIE_UPPER = (
    _track("Tie Lower", "Artist T", "spotify:track:Ta"),
    _track("Tie Upper", "Artist T", "spotify:track:TB"),
)


def _plays_of(track: dict[str, str], *times: str, **fields: object) -> list[dict]:
    return [_extended(ts, track["title"], track["uri"], artist=track["artist"], **fields) for ts in times]


HANDMADE_EXTENDED = [
    *_plays_of(SONG_A, "2023-05-10T10:00:30Z", "2023-05-11T10:00:30Z", "2023-06-10T10:00:30Z"),
    *_plays_of(CAFE, "2023-05-10T11:00:30Z", "2023-05-11T11:00:30Z", "2023-05-12T11:00:30Z"),
    *_plays_of(SONG_B2, "2023-05-10T12:00:30Z"),
    *_plays_of(SONG_B1, "2023-05-10T12:30:30Z", ms=10_000, skipped=True, reason_end="fwdbtn"),  # a skip only
    *_plays_of(LONG_SKIPS, *(f"2023-05-13T0{hour}:00:30Z" for hour in range(4)), ms=100_000),
    *_plays_of(LONG_SKIPS, "2023-05-13T05:00:30Z", ms=300_000, skipped=True),  # its ms never count
    *_plays_of(STEADY, *(f"2023-05-14T0{hour}:00:30Z" for hour in range(4)), ms=150_000),
    *_plays_of(RECENT, "2023-05-18T09:00:00Z", "2023-05-19T09:00:00Z", "2023-05-20T09:00:00Z", ms=180_000),
    *_plays_of(EARLIER, "2023-05-17T10:00:00Z", "2023-05-18T10:00:00Z", "2023-05-19T10:00:00Z", ms=180_000),
    *_plays_of(EDGE_CASES, "2023-05-16T01:00:00Z", ms=30_000),  # full: exactly 30 s
    *_plays_of(EDGE_CASES, "2023-05-16T02:00:00Z", ms=40_000, skipped=None),  # full: null is not a skip
    *_plays_of(EDGE_CASES, "2023-05-16T03:00:00Z", ms=60_000, reason_end="fwdbtn"),  # full: not marked skipped
    *_plays_of(EDGE_CASES, "2023-05-16T04:00:00Z", ms=29_999, skipped=True),  # skips
    *_plays_of(EDGE_CASES, "2023-05-16T05:00:00Z", ms=200_000, skipped=True),
    *_plays_of(ONLY_SKIPPED, "2023-05-15T08:00:30Z", skipped=True),
    *_plays_of(TIE_LOWER, "2023-05-15T12:00:00Z", ms=210_000),  # four tracks alike but for their keys
    *_plays_of(TIE_UPPER, "2023-05-15T12:00:00Z", ms=210_000),
]
HANDMADE_ACCOUNT = [
    *(_account(f"2023-05-{day} 10:00", "ARTIST A", "song a") for day in (20, 21, 22)),  # Song A's
    _account("2023-05-10 10:00", "Artist A", "Song A"),  # the account copy of an extended play: one play
    *(_account(f"2023-05-{day} 11:00", "Artist C", "CAFÉ") for day in (10, 20, 21)),  # not Café: É is not ASCII
    *(_account(f"2023-05-{day} 12:00", "the band", "Song B") for day in (20, 21)),  # the smaller URI's ("BB")
    _account("2023-05-20 13:00", "Ghost", "Mystery"),  # never seen with a URI: one track keyed by its names
    _account("2023-05-21 13:00", "ghost", "MYSTERY"),
    _account("2023-05-20 14:00", "Nobody", "Never Seen", ms=250_000),
    _account("2023-05-15 12:00", "Abba", "First", ms=210_000),  # key "abba\tfirst": before spotify:…
    _account("2023-05-15 12:00", "Zed", "Last", ms=210_000),  # "zed\tlast": after them
    *(_account(f"2023-06-{day} 14:00", "Nobody", "Other Unknown") for day in (10, 11, 12)),
    *(_account(f"2023-06-{day} 15:00", "Nobody", "Never Seen") for day in (10, 11)),
]
HANDMADE_MAY_SHORT_TERM = [  # written out by hand: ranked by full plays, their ms, the latest, the key
    ("spotify:track:AAA", {"Song A"}),  # 2 plays with its URI + 3 account plays
    ("spotify:track:M2", {"Steady"}),  # 4 plays, 600 s
    ("spotify:track:M1", {"Long Skips"}),  # 4 plays, 400 s (its 300 s skip does not count)
    (None, {"CAFÉ"}),  # 3 plays, 600 s, last 05-21 (one in the minute of a Café play: another song, kept)
    ("spotify:track:CCC", {"Café"}),  # 3 plays, 600 s, last 05-12
    ("spotify:track:R1", {"Recent"}),  # 3 plays, 540 s, last on the 20th
    ("spotify:track:R2", {"Earlier"}),  # the same, last on the 19th
    ("spotify:track:F1", {"Edge Cases"}),  # 3 full plays of 5
    (None, {"Mystery", "MYSTERY"}),  # 2 plays, 400 s, last 05-21 13:00
    ("spotify:track:BB", {"Song B"}),  # 2 account plays, 05-21 12:00 (and a skip with its URI)
    (None, {"Never Seen"}),  # 1 play, 250 s
    (None, {"First"}),  # 1 play, 210 s, at 05-15 12:00:00, like the next three: by key
    ("spotify:track:TB", {"Tie Upper"}),  # "B" < "a"
    ("spotify:track:Ta", {"Tie Lower"}),
    (None, {"Last"}),
    ("spotify:track:Bb", {"Song B"}),  # 1 play, 200 s
]


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    folder = tmp_path / "handmade"
    folder.mkdir()
    (folder / "Streaming_History_Audio_2023_0.json").write_text(json.dumps(HANDMADE_EXTENDED), encoding="utf-8")
    (folder / "StreamingHistory_music_0.json").write_text(
        json.dumps(HANDMADE_ACCOUNT, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def test_plays_without_a_uri_count_for_the_track_of_that_artist_and_title(tm: Tm, handmade: Path) -> None:
    oracle = Oracle.from_exports([handmade])
    chart = oracle.chart("2023-05", "short_term")
    assert [row.uri for row in chart] == [uri for uri, _ in HANDMADE_MAY_SHORT_TERM]
    assert all(names <= row.names for row, (_, names) in zip(chart, HANDMADE_MAY_SHORT_TERM, strict=True))
    assert tm("import", str(handmade)).exit_code == 0

    rows = _rows(_history(tm, "2023-05"), "short_term")
    assert [row["uri"] for row in rows] == [uri for uri, _ in HANDMADE_MAY_SHORT_TERM]
    for month in ("2023-05", "2023-06"):
        for name in RANGE_DAYS:
            _assert_chart(_history(tm, month), name, oracle.chart(month, name))


def test_evolution_tells_apart_tracks_that_have_no_uri(tm: Tm, handmade: Path) -> None:
    """Name-keyed tracks all have uri null, yet each is its own track in turnover, entries and exits."""
    oracle = Oracle.from_exports([handmade])
    assert tm("import", str(handmade)).exit_code == 0
    evolution = _json(
        tm, "evolution", "--source", "plays", "--range", "short", "--since", "2023-05", "--until", "2023-06"
    )
    june = oracle.evolution("short_term", "2023-05", "2023-06")[1]
    assert june.turnover == pytest.approx(1 / 3)
    assert june.entries == ["nobody\tother unknown"]
    assert [month["turnover"] for month in evolution["months"]] == [None, pytest.approx(june.turnover, abs=1e-4)]
    assert [(entry["uri"], entry["name"]) for entry in evolution["months"][1]["entries"]] == [(None, "Other Unknown")]
    exits = [(entry["uri"], entry["name"]) for entry in evolution["months"][1]["exits"]]
    assert len(exits) == len(june.exits) == len(HANDMADE_MAY_SHORT_TERM) - 2
    assert (None, "CAFÉ") in exits


def test_todays_charts_from_plays_are_of_the_last_month_that_is_over(tm: Tm, tmp_path: Path) -> None:
    """On 2025-03-15, March's 28 days (03-04 to 03-31) are mostly ahead: today's charts are February's."""
    played, stopped, today = (
        _track("Played", "Artist P", "spotify:track:P1"),
        _track("Stopped", "Artist S", "spotify:track:S2"),
        _track("Today", "Artist T", "spotify:track:T3"),
    )
    rows = [
        *_plays_of(stopped, "2024-06-10T10:00:00Z", "2024-06-11T10:00:00Z"),
        *_plays_of(played, "2025-02-20T10:00:00Z", "2025-02-21T10:00:00Z", "2025-02-22T10:00:00Z"),
        *_plays_of(today, "2025-03-02T10:00:00Z"),  # in March, before its 28-day window
    ]
    export = tmp_path / "Streaming_History_Audio_2025_0.json"
    export.write_text(json.dumps(rows), encoding="utf-8")
    assert tm("import", str(export)).exit_code == 0

    gems = tm("gems", "--json")

    assert gems.exit_code == 0, gems.output
    assert [gem["uri"] for gem in json.loads(gems.stdout)] == [stopped["uri"]]
    table = tm("gems")
    assert "as of 2025-02" in table.stdout


def test_a_month_without_a_chart_from_plays_names_months_that_have_one(imported: Tm, oracle: Oracle) -> None:
    result = imported("compare", "2018-03", EDGE_MONTH, "--range", "short", "--source", "plays")

    assert result.exit_code == 2, result.output
    charted = [month for month in oracle.months() if oracle.chart(month, "short_term")]
    assert charted[-6:] != oracle.months()[-6:]  # some of the last months with plays have no 28-day chart
    assert f"Months that have one: … {', '.join(charted[-6:])}." in " ".join(result.stderr.split())
