"""tm report: a listener's whole time machine, held to numbers this test computes from the export files themselves
(days, hours and years on the zone's clock, one play at a time, with zoneinfo), to the charts the plays oracle
computes, and to what `tm wrapped`, `tm evolution` and `tm gems` say of the same database.

The export is the shipped generator's, 2016-01 to 2019-03, its sessions hours to days apart; more files put plays
on the edges a zone moves: new years (one of them an artist's only play), Berlin's and New York's repeated autumn
hour, and St John's 2007 spring change one minute past a half-hour (UTC 03:31), so that one half-hour holds plays of
two offsets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from music_time_machine.testing.export_generator import Habits, write_export
from plays_oracle import Oracle, Play, ascii_lower, months_between
from test_wrapped import YearOracle, _minutes, _on_clock

from conftest import Tm, error_lines

SEED, PLAYS = 7, 8_000
HABITS = Habits(session_gap=(6 * 3600, 200 * 3600))  # 2016-01 to 2019-03
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns")
EDGES = (  # UTC ends of plays a zone moves to another day, hour or year
    "2007-03-11T03:25:00Z",  # St John's: 23:55 NST on the 10th
    "2007-03-11T03:30:40Z",  # 00:00:40 NST on the 11th, then the clocks go forward at 03:31 UTC
    "2007-03-11T03:31:20Z",  # 01:01:20 NDT
    "2007-03-11T03:59:00Z",  # 01:29 NDT
    "2016-12-31T23:30:00Z",  # 2017 in Berlin
    "2017-01-01T04:30:00Z",  # 2016 in New York
    "2016-12-31T18:40:00Z",  # 2017 in Kolkata (+5:30)
    "2016-12-31T18:20:00Z",  # 2017 in Kathmandu (+5:45), 2016 in Kolkata
    "2017-10-29T00:30:00Z",  # Berlin: 02:30 CEST, then
    "2017-10-29T01:30:00Z",  # 02:30 CET, the same hour again
    "2017-11-05T05:30:00Z",  # New York: 01:30 EDT, then
    "2017-11-05T06:30:00Z",  # 01:30 EST
)
EDGE_PLAY = {
    "spotify_track_uri": "spotify:track:EdgeEdgeEdgeEdgeEdgeEd",
    "master_metadata_track_name": "On The Edge",
    "master_metadata_album_artist_name": "The Boundaries",
    "master_metadata_album_album_name": "Edges",
}

# The one play of its artist: 2018 in Berlin (the hour of a year that is part of December in UTC), 2017 in UTC.
LONE_PLAY = EDGE_PLAY | {
    "spotify_track_uri": "spotify:track:LoneLoneLoneLoneLoneLo",
    "master_metadata_album_artist_name": "Only At Midnight",
    "ts": "2017-12-31T23:30:00Z",
    "ms_played": 200_000,
    "reason_end": "trackdone",
}


def _write_edges(folder: Path, times: Iterable[str] = EDGES) -> Path:
    """One track played at each time, every third play a skip of 5 s, as a file of its own in `folder`."""
    rows = []
    for number, ts in enumerate(times):
        skip = number % 3 == 0
        ms = 5_000 if skip else 190_000 + number
        rows.append(EDGE_PLAY | {"ts": ts, "ms_played": ms, "reason_end": "fwdbtn" if skip else "trackdone"})
        rows[-1]["skipped"] = skip
    path = folder / "Streaming_History_Audio_edges.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's export and the edge plays."""
    folder = tmp_path_factory.mktemp("export")
    write_export(folder, plays=PLAYS, seed=SEED, habits=HABITS)
    _write_edges(folder)
    (folder / "Streaming_History_Audio_lone.json").write_text(json.dumps([LONE_PLAY]), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def oracle(export: Path) -> Oracle:
    return Oracle.from_exports([export])


def _sum_by(plays: Iterable[Play], key: Callable[[Play], Any]) -> dict[Any, list[Play]]:
    groups: dict[Any, list[Play]] = {}
    for play in plays:
        groups.setdefault(key(play), []).append(play)
    return groups


class ReportOracle:
    """What `tm report --json` says of the listening, from the stored plays of the oracle, for `zone` and the
    UTC months `first` to `last`."""

    def __init__(self, oracle: Oracle, zone: str, first: str, last: str) -> None:
        self.oracle, self.zone, self.months = oracle, zone, months_between(first, last)
        self.period = [play for play in oracle.plays if first <= play.played_at[:7] <= last]  # UTC months
        self.on_clock = [play for play in oracle.plays if first <= self.local(play).strftime("%Y-%m") <= last]

    def local(self, play: Play) -> datetime:
        return _on_clock(play.played_at, self.zone)

    def listening(self, first: str, last: str) -> dict[str, Any]:
        """The report's keys of `_listening`."""
        return {
            "tz": self.zone,
            "from": first,
            "to": last,
            "years": self.years(),
            "days": self.days(),
            "clock": self.clock(),
            "months": self.month_minutes(self.period),
            "artists": self.artists(),
        }

    def years(self) -> list[dict[str, Any]]:
        wanted = {self.local(play).year for play in self.on_clock}
        whole = _sum_by((p for p in self.oracle.plays if self.local(p).year in wanted), lambda p: self.local(p).year)
        return [
            {
                "year": year,
                "minutes": _minutes(sum(play.ms_played for play in plays)),
                "plays": sum(play.full for play in plays),
                "skips": sum(not play.full for play in plays),
                "artists": len({ascii_lower(play.artist) for play in plays}),
            }
            | self.year_in_review(year)
            for year, plays in sorted(whole.items())
        ]

    def year_in_review(self, year: int) -> dict[str, Any]:
        """The numbers of each year's section that tm wrapped has too."""
        review = YearOracle(self.oracle, year, self.zone)
        return {
            "top_month": review.busiest(lambda local: local.strftime("%Y-%m"), "month"),
            "busiest_day": review.busiest(lambda local: local.date().isoformat(), "date"),
            "longest_streak": review.streak(),
        }

    def days(self) -> list[dict[str, Any]]:
        days = _sum_by(self.on_clock, lambda play: self.local(play).date().isoformat())
        return [
            {"date": day, "minutes": _minutes(sum(p.ms_played for p in plays)), "plays": sum(p.full for p in plays)}
            for day, plays in sorted(days.items())
        ]

    def clock(self) -> list[list[int]]:
        ms = [[0] * 24 for _ in range(7)]
        for play in self.on_clock:
            ms[self.local(play).weekday()][self.local(play).hour] += play.ms_played
        return [[_minutes(cell) for cell in hours] for hours in ms]

    def month_minutes(self, plays: Iterable[Play]) -> list[dict[str, Any]]:
        ms = dict.fromkeys(self.months, 0)
        for play in plays:
            ms[play.played_at[:7]] += play.ms_played
        return [{"month": month, "minutes": _minutes(total)} for month, total in ms.items()]

    def artists(self) -> list[dict[str, Any]]:
        by_artist = _sum_by(self.period, lambda play: ascii_lower(play.artist))
        top = sorted(by_artist, key=lambda key: (-sum(p.ms_played for p in by_artist[key]), key))[:8]
        return [
            {"artist": min(p.artist for p in by_artist[key]), "months": self.month_minutes(by_artist[key])}
            for key in top
        ]

    def bump(self) -> list[dict[str, Any]]:
        """The 10 tracks with the most points (51 - rank, per month's short-term chart), then best rank, then key."""
        charts = {month: {row.key: row.rank for row in self.oracle.chart(month, "short_term")} for month in self.months}
        points: dict[str, int] = {}
        for ranks in charts.values():
            for key, rank in ranks.items():
                points[key] = points.get(key, 0) + 51 - rank
        best = {key: min(ranks[key] for ranks in charts.values() if key in ranks) for key in points}
        chosen = sorted(points, key=lambda key: (-points[key], best[key], key))[:10]
        return [
            {"key": key, "uri": key if key in self.oracle.uris else None}
            | {"months": [{"month": month, "rank": charts[month].get(key)} for month in self.months]}
            for key in chosen
        ]


def _json(tm: Tm, *args: str) -> Any:
    result = tm(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _imported(tm: Tm, *paths: Path) -> Tm:
    for path in paths:
        result = tm("import", str(path))
        assert result.exit_code == 0, result.output
    return tm


def _listening(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("tz", "from", "to", "years", "days", "clock", "months", "artists")
    return {key: report[key] for key in keys}


def _bump_without_names(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: line[key] for key in ("key", "uri", "months")} for line in report["bump"]]


def test_report_matches_the_export_in_every_zone(tm: Tm, export: Path, oracle: Oracle) -> None:
    _imported(tm, export)
    first, last = "2007-03", "2019-03"
    for zone in ZONES:
        report = _json(tm, "report", "--tz", zone)
        expected = ReportOracle(oracle, zone, first, last)
        assert _listening(report) == expected.listening(first, last), zone
        for year in report["years"]:
            wrapped = _json(tm, "wrapped", str(year["year"]), "--tz", zone)
            keys = ("year", "minutes", "plays", "skips", "top_month", "busiest_day", "longest_streak")
            numbers = {key: wrapped[key] for key in keys}
            assert year == numbers | {"artists": wrapped["distinct"]["artists"]}, (zone, year)
    assert report["source"] == "plays"
    assert _bump_without_names(report) == expected.bump()
    assert all(line["name"] in oracle.names[line["key"]] for line in report["bump"])
    assert report["evolution"] == _json(tm, "evolution", "--since", first, "--until", last)
    assert report["gems"] == _json(tm, "gems", "--source", "plays", "--limit", "30")
    assert report["gems"], "the long-term chart from plays holds tracks the short-term one lacks"


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kathmandu", "America/St_Johns"])
def test_a_period_counts_its_months_and_its_years_whole(tm: Tm, export: Path, oracle: Oracle, zone: str) -> None:
    _imported(tm, export)
    first, last = "2016-12", "2018-01"  # 2016 to 2018 touched, each year counted whole

    report = _json(tm, "report", "--tz", zone, "--since", first, "--until", last)

    expected = ReportOracle(oracle, zone, first, last)
    assert [year["year"] for year in report["years"]] == [2016, 2017, 2018]
    assert _listening(report) == expected.listening(first, last)
    assert _bump_without_names(report) == expected.bump()
    assert report["evolution"] == _json(tm, "evolution", "--since", first, "--until", last)


def test_half_an_hour_of_two_offsets_puts_each_play_on_its_own_hour(tm: Tm, tmp_path: Path) -> None:
    _imported(tm, _write_edges(tmp_path, EDGES[:4]))

    report = _json(tm, "report", "--tz", "America/St_Johns")

    saturday, sunday = report["clock"][5], report["clock"][6]
    assert (saturday[23], sunday[0], sunday[1]) == (0, 3, 3)  # skips of 5 s at 23:55 and 01:29; 00:00:40; 01:01
    assert report["days"] == [
        {"date": "2007-03-10", "minutes": 0, "plays": 0},
        {"date": "2007-03-11", "minutes": 6, "plays": 2},
    ]


def _charts_of(tm: Tm, months: Iterable[str]) -> dict[str, list[str]]:
    """Take a snapshot in each month; what the fake's short-term chart was then."""
    charts = {}
    for month in months:
        assert tm.at(month)("snapshot").exit_code == 0
        charts[month] = [track["uri"] for track in tm.fake.top_tracks("short_term")]
    return charts


def test_a_listener_with_snapshots_and_no_plays(logged_in: Tm) -> None:
    charts = _charts_of(logged_in, ["2025-01", "2025-02", "2025-04"])  # March: a gap

    report = _json(logged_in, "report", "--tz", "UTC")

    months = months_between("2025-01", "2025-04")
    assert _listening(report) == {
        "tz": "UTC",
        "from": "2025-01",
        "to": "2025-04",
        "years": [],
        "days": [],
        "clock": [[0] * 24 for _ in range(7)],
        "months": [{"month": month, "minutes": 0} for month in months],
        "artists": [],
    }
    assert report["source"] == "spotify"
    points = {}
    for chart in charts.values():
        for rank, uri in enumerate(chart, start=1):
            points[uri] = points.get(uri, 0) + 51 - rank
    best = {uri: min(chart.index(uri) for chart in charts.values() if uri in chart) for uri in points}
    chosen = sorted(points, key=lambda uri: (-points[uri], best[uri], uri))[:10]
    ranks = {month: {uri: rank for rank, uri in enumerate(chart, start=1)} for month, chart in charts.items()}
    assert _bump_without_names(report) == [
        {"key": uri, "uri": uri, "months": [{"month": m, "rank": ranks.get(m, {}).get(uri)} for m in months]}
        for uri in chosen
    ]
    assert report["evolution"] == _json(logged_in, "evolution")
    assert report["gems"] == _json(logged_in, "gems", "--from-history", "--limit", "30")
    assert report["gems"]  # the charts moved: something left the short-term chart


def test_a_listener_with_nothing_stored_gets_an_empty_report(logged_in: Tm) -> None:
    report = _json(logged_in, "report", "--tz", "UTC")

    assert report == {
        "tz": "UTC",
        "source": "plays",
        "from": None,
        "to": None,
        **{"years": [], "days": [], "clock": [[0] * 24 for _ in range(7)], "months": [], "bump": [], "artists": []},
        **{"evolution": None, "gems": None},
    }
    shown = logged_in("report", "--tz", "UTC")
    assert (shown.exit_code, shown.stdout) == (0, "")
    assert "Nothing stored yet" in shown.stderr


@pytest.fixture
def edges(tm: Tm, tmp_path: Path) -> Tm:
    return _imported(tm, _write_edges(tmp_path, EDGES[4:]))


def test_a_range_without_data_is_empty(edges: Tm) -> None:
    report = _json(edges, "report", "--tz", "UTC", "--since", "2030-01", "--until", "2030-02")

    assert report | {"gems": None} == {
        "tz": "UTC",
        "source": "plays",
        "from": "2030-01",
        "to": "2030-02",
        **{"years": [], "days": [], "clock": [[0] * 24 for _ in range(7)], "bump": [], "artists": []},
        "months": [{"month": "2030-01", "minutes": 0}, {"month": "2030-02", "minutes": 0}],
        **{"evolution": None, "gems": None},
    }


month_texts = st.builds(lambda year, month: f"{year}-{month:02d}", st.integers(2015, 2019), st.integers(1, 12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=month_texts | st.none(), until=month_texts | st.none())
@example(since="2017-06", until="2017-05")
@example(since="2030-01", until=None)  # after the last month with plays: that month alone
@example(since=None, until="2010-01")  # before the first: that month alone
def test_the_period_is_since_to_until_and_refused_backwards(edges: Tm, since: str | None, until: str | None) -> None:
    options = [*(["--since", since] if since else []), *(["--until", until] if until else [])]

    result = edges("report", "--tz", "UTC", *options, "--json")

    if since and until and since > until:
        assert result.exit_code == 2, result.output
        assert error_lines(result) == [f"Error: --since {since} is after --until {until}."]
        return
    assert result.exit_code == 0, result.output
    first = since or min("2016-12", until or "2016-12")
    last = until or max("2017-11", first)
    assert [month["month"] for month in json.loads(result.stdout)["months"]] == months_between(first, last)


@pytest.mark.parametrize("option", ["--since=2017-13", "--until=17-01", "--since=2017-1", "--tz=Mars/Olympus_Mons"])
def test_a_bad_month_or_zone_is_one_usage_error(edges: Tm, option: str) -> None:
    result = edges("report", "--tz=UTC", option, "--json")  # the last --tz counts

    assert result.exit_code == 2, result.output
    assert error_lines(result)[0].startswith(("Error: Invalid month", "Error: Unknown time zone"))
    assert "Traceback" not in result.output


def test_a_period_of_more_than_a_century_is_refused(edges: Tm) -> None:
    result = edges("report", "--tz", "UTC", "--since", "2006-01", "--until", "2106-01")

    assert result.exit_code == 2
    assert error_lines(result)[0] == "Error: 2006-01 to 2106-01 is more than 100 years."


def test_the_terminal_shows_each_year_and_the_busiest_day(edges: Tm) -> None:
    result = edges("report", "--tz", "Europe/Berlin")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Your time machine, 2016-12 to 2017-11 (Europe/Berlin)"
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    assert [row for row in rows if len(row) == 5] == [
        ["2016", "3", "1", "1", "1"],  # 19:20 and 19:40 CET on New Year's Eve
        ["2017", "13", "4", "2", "1"],  # from 00:30 CET on New Year's Day
    ]
    bump = _json(edges, "report", "--tz", "Europe/Berlin")["bump"]
    assert [row for row in rows if len(row) == 4] == [
        [
            line["name"],
            line["artist"],
            str(min(m["rank"] for m in line["months"] if m["rank"])),
            str(sum(1 for m in line["months"] if m["rank"])),
        ]
        for line in bump
    ]
    assert bump, "the edge plays make charts"
    assert lines[-1] == "Busiest day: 2017-10-29 (6 min, 2 plays)"
    assert "Charts computed from your stored plays" in result.stderr
    assert result.stderr.splitlines()[-1] == "Wrote your report to tm-report.html"


def test_help_shows_examples() -> None:
    from typer.testing import CliRunner

    from music_time_machine.cli import app

    result = CliRunner().invoke(app, ["report", "--help"])

    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "tm report --since 2019-01 --until 2020-12 --tz Europe/Berlin" in result.stdout


def test_days_hours_and_years_follow_the_period_on_the_zones_clock(tm: Tm, tmp_path: Path) -> None:
    """20:00 UTC on New Year's Eve is 05:00 on New Year's Day in Tokyo: a January play there, never December's."""
    times = ["2020-06-10T12:00:00Z", "2020-12-31T20:00:00Z", "2021-06-10T12:00:00Z"]
    assert tm("import", str(_write_edges(tmp_path, times))).exit_code == 0

    until = _json(tm, "report", "--tz", "Asia/Tokyo", "--until", "2020-12")
    since = _json(tm, "report", "--tz", "Asia/Tokyo", "--since", "2021-01")

    assert [day["date"] for day in until["days"]] == ["2020-06-10"]
    assert [year["year"] for year in until["years"]] == [2020]
    assert [day["date"] for day in since["days"]] == ["2021-01-01", "2021-06-10"]
    assert [year["year"] for year in since["years"]] == [2021]
    months = {month["month"]: month["minutes"] for month in until["months"]}
    assert months["2020-12"] == 3, "UTC's December holds the play (190 s) for charts and the artists' stream"
