"""tm wrapped YEAR: a year in review, held to numbers this test computes from the export files themselves.

The export is the shipped generator's, its sessions spread out (hours to days apart, 2016-01 to 2019-08) so that
years have gaps, streaks and every hour of the week; one more file puts plays of one track on the edges that a time
zone moves: the new year in Berlin, New York, Auckland and Kolkata (+5:30, so no hour is whole), both halves of
Berlin's and New York's repeated autumn hour and the hour after their spring gap. The oracle below reads the plays
with tests/plays_oracle.py (its format rules, dedupe and track keys), puts each on the zone's clock with zoneinfo,
one play at a time, and re-implements README's rules for each number.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from music_time_machine.testing.export_generator import Habits, write_export
from plays_oracle import Oracle, Play, _ranked, ascii_lower

from conftest import Tm, error_lines

SEED, PLAYS = 5, 20_000
HABITS = Habits(session_gap=(3 * 3600, 90 * 3600))  # a session every 3 to 90 hours: 2016-01 to 2019-08
YEARS = (2016, 2017, 2018, 2019)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata")
EDGES = (  # UTC ends of plays that a zone moves to another day, hour or year (E: Europe/Berlin, A: New York)
    "2016-12-31T23:30:00Z",  # 2017 in Berlin, 2016 in UTC
    "2017-01-01T04:30:00Z",  # 2016 in New York
    "2016-12-31T11:10:00Z",  # 2017 in Auckland (+13)
    "2016-12-31T18:40:00Z",  # 2017 in Kolkata (+5:30)
    "2017-03-26T01:30:00Z",  # Berlin: 03:30 CEST, the hour after the gap
    "2017-10-29T00:30:00Z",  # Berlin: 02:30 CEST, then
    "2017-10-29T01:30:00Z",  # 02:30 CET, the same hour again
    "2017-11-05T05:30:00Z",  # New York: 01:30 EDT, then
    "2017-11-05T06:30:00Z",  # 01:30 EST
    "2018-03-11T07:10:00Z",  # New York: 03:10 EDT
)
EDGE_TRACK = ("spotify:track:EdgeEdgeEdgeEdgeEdgeEd", "On The Edge", "The Boundaries", "Edges")


def _edge_rows() -> list[dict[str, Any]]:
    """One track played at each edge; every third play a skip, so that it is among the most skipped; the second
    play lasts 2.5 minutes (rounded up, where Python's round() would give 2)."""
    uri, title, artist, album = EDGE_TRACK
    return [
        {
            "ts": ts,
            "ms_played": 5_000 if number % 3 == 0 else 150_000 if number == 1 else 190_000 + number,
            "master_metadata_track_name": title,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": album,
            "spotify_track_uri": uri,
            "reason_start": "clickrow",
            "reason_end": "fwdbtn" if number % 3 == 0 else "trackdone",
            "skipped": number % 3 == 0,
        }
        for number, ts in enumerate(EDGES)
    ]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_export(folder, plays=PLAYS, seed=SEED, habits=HABITS)
    (folder / "Streaming_History_Audio_edges.json").write_text(json.dumps(_edge_rows()), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def oracle(export: Path) -> Oracle:
    return Oracle.from_exports([export])


@functools.cache
def _on_clock(played_at: str, zone: str) -> datetime:
    """A play's end on the zone's clock, one play at a time (no cache per hour, no year bounds in UTC)."""
    return datetime.strptime(played_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def _minutes(ms: int) -> int:
    return (ms + 30_000) // 60_000  # to the nearest minute, half a minute up


@dataclass
class _Sums:
    """What the oracle counts of one track, artist, album or period: full_plays, full_ms and last_full_play are
    the names plays_oracle's ranking reads."""

    full_plays: int = 0
    full_ms: int = 0
    last_full_play: str = ""
    skips: int = 0
    ms: int = 0
    stored: int = 0
    shown: tuple[str, str] | None = None  # the smallest (name, artist) spelling among the plays

    def count(self, play: Play, shown: tuple[str, str] = ("", "")) -> None:
        self.shown = shown if self.shown is None else min(self.shown, shown)
        self.stored += 1
        self.ms += play.ms_played
        if play.full:
            self.full_plays += 1
            self.full_ms += play.ms_played
            self.last_full_play = max(self.last_full_play, play.played_at)
        else:
            self.skips += 1


class YearOracle:
    """The year `year` on `zone`'s clock, from the stored plays."""

    def __init__(self, oracle: Oracle, year: int, zone: str) -> None:
        self.oracle, self.year, self.zone = oracle, year, ZoneInfo(zone)
        self.local = {play: _on_clock(play.played_at, zone) for play in oracle.plays}
        self.plays = [play for play in oracle.plays if self.local[play].year == year]
        self.earlier = [play for play in oracle.plays if self.local[play].year == year - 1]

    def _sums(self, plays: Iterable[Play], key_of: Any, shown_of: Any = lambda play: ("", "")) -> dict[Any, _Sums]:
        sums: dict[Any, _Sums] = {}
        for play in plays:
            sums.setdefault(key_of(play), _Sums()).count(play, shown_of(play))
        return sums

    def _top(self, sums: dict[Any, _Sums], size: int = 10) -> list[tuple[Any, _Sums]]:
        return _ranked([(key, tally) for key, tally in sums.items() if tally.full_plays])[:size]

    def _track(self, key: str, tally: _Sums) -> dict[str, Any]:
        own = [play for play in self.plays if self.oracle.key_of[play] == key]
        name, artist = min((play.title, play.artist) for play in own)
        albums = [play.album for play in own if play.album]
        return {
            "uri": key if key in self.oracle.uris else None,
            "name": name,
            "artist": artist,
            "album": max(albums) if albums else None,
            "plays": tally.full_plays,
            "minutes": _minutes(tally.full_ms),
            "last_played_at": tally.last_full_play,
        }

    def _tracks(self, sums: dict[str, _Sums]) -> list[dict[str, Any]]:
        return [{"rank": n, **self._track(k, t)} for n, (k, t) in enumerate(self._top(sums), start=1)]

    def expected(self) -> dict[str, Any]:
        key_of = self.oracle.key_of
        tracks = self._sums(self.plays, key_of.__getitem__)
        everything = _Sums()
        for play in self.plays:
            everything.count(play)
        before = _Sums()
        for play in self.earlier:
            before.count(play)
        return {
            "year": self.year,
            "tz": self.zone.key,
            "minutes": _minutes(everything.ms),
            "plays": everything.full_plays,
            "skips": everything.skips,
            "distinct": {
                "tracks": len(tracks),
                "artists": len({ascii_lower(play.artist) for play in self.plays}),
                "albums": len({(ascii_lower(p.artist), ascii_lower(p.album)) for p in self.plays if p.album}),
            },
            "top_tracks": self._tracks(tracks),
            "top_artists": self._artists(),
            "top_albums": self._albums(),
            "discoveries": self._discoveries(tracks),
            "most_skipped": self._most_skipped(tracks),
            "top_month": self.busiest(lambda local: local.strftime("%Y-%m"), "month"),
            "busiest_day": self.busiest(lambda local: local.date().isoformat(), "date"),
            "longest_streak": self.streak(),
            "days": self._days(),
            "clock": self._clock_minutes(),
            "months": self._months(),
            "previous": self._previous(everything, before),
        }

    def _artists(self) -> list[dict[str, Any]]:
        sums = self._sums(self.plays, lambda play: ascii_lower(play.artist), lambda play: (play.artist, ""))
        return [
            {
                "rank": rank,
                "artist": tally.shown[0] if tally.shown else None,
                "plays": tally.full_plays,
                "minutes": _minutes(tally.full_ms),
                "last_played_at": tally.last_full_play,
            }
            for rank, (key, tally) in enumerate(self._top(sums), start=1)
        ]

    def _albums(self) -> list[dict[str, Any]]:
        def album_key(play: Play) -> str:
            return f"{ascii_lower(play.artist)}\t{ascii_lower(play.album or '')}"

        sums = self._sums((play for play in self.plays if play.album), album_key, lambda p: (p.album, p.artist))
        top = []
        for rank, (_key, tally) in enumerate(self._top(sums), start=1):
            album, artist = tally.shown or ("", "")
            top.append({"rank": rank, "name": album, "artist": artist, "plays": tally.full_plays})
            top[-1] |= {"minutes": _minutes(tally.full_ms), "last_played_at": tally.last_full_play}
        return top

    def _discoveries(self, tracks: dict[str, _Sums]) -> list[dict[str, Any]]:
        first: dict[str, Play] = {}
        for play in self.oracle.plays:  # in time order
            first.setdefault(self.oracle.key_of[play], play)
        new = {key: tally for key, tally in tracks.items() if self.local[first[key]].year == self.year}
        return [
            {"rank": rank, **self._track(key, tally), "first_played_at": first[key].played_at}
            for rank, (key, tally) in enumerate(self._top(new), start=1)
        ]

    def _most_skipped(self, tracks: dict[str, _Sums]) -> list[dict[str, Any]]:
        skipped = [(key, tally) for key, tally in tracks.items() if tally.skips >= 3]
        skipped.sort(key=lambda item: (-item[1].skips, -item[1].skips / item[1].stored, item[0]))
        shown = []
        for rank, (key, tally) in enumerate(skipped[:10], start=1):
            track = self._track(key, tally)
            shown.append({"rank": rank, "uri": track["uri"], "name": track["name"], "artist": track["artist"]})
            shown[-1] |= {"skips": tally.skips, "plays": tally.full_plays}
            shown[-1]["skip_share"] = round(tally.skips / tally.stored, 3)
        return shown

    def busiest(self, label_of: Any, label: str) -> dict[str, Any] | None:
        sums = self._sums(self.plays, lambda play: label_of(self.local[play]))
        if not sums:
            return None
        name, tally = min(sums.items(), key=lambda item: (-item[1].ms, item[0]))
        return {label: name, "minutes": _minutes(tally.ms), "plays": tally.full_plays}

    def _days(self) -> list[dict[str, Any]]:
        sums = self._sums(self.plays, lambda play: self.local[play].date().isoformat())
        return [{"date": day, "minutes": _minutes(t.ms), "plays": t.full_plays} for day, t in sorted(sums.items())]

    def streak(self) -> dict[str, Any]:
        days = {self.local[play].date() for play in self.plays if play.full}
        best: dict[str, Any] = {"days": 0, "from": None, "to": None}
        for day in sorted(days):
            if day - timedelta(days=1) in days:
                continue  # not the first day of a run
            end = day
            while end + timedelta(days=1) in days:
                end += timedelta(days=1)
            if (end - day).days + 1 > best["days"]:
                best = {"days": (end - day).days + 1, "from": day.isoformat(), "to": end.isoformat()}
        return best

    def _clock_minutes(self) -> list[list[int]]:
        ms = [[0] * 24 for _ in range(7)]
        for play in self.plays:
            local = self.local[play]
            ms[local.weekday()][local.hour] += play.ms_played
        return [[_minutes(cell) for cell in day] for day in ms]

    def _months(self) -> list[dict[str, Any]]:
        months = []
        for number in range(1, 13):
            plays = [play for play in self.plays if self.local[play].month == number]
            tracks = self._sums(plays, self.oracle.key_of.__getitem__)
            top = self._top(tracks, 1)
            song = None
            if top:
                key, tally = top[0]
                song = self._track(key, tally)  # named by the year's plays, counted by the month's
            month = {"month": f"{self.year}-{number:02d}", "minutes": _minutes(sum(p.ms_played for p in plays))}
            months.append(month | {"plays": sum(p.full for p in plays), "top_track": song})
        return months

    def _previous(self, now: _Sums, before: _Sums) -> dict[str, Any] | None:
        if not before.stored:
            return None
        minutes, earlier = _minutes(now.ms), _minutes(before.ms)

        def change(a: int, b: int) -> float | None:
            return round((a - b) / b * 100, 1) if b else None

        return {
            "minutes": earlier,
            "plays": before.full_plays,
            "minutes_change": change(minutes, earlier),
            "plays_change": change(now.full_plays, before.full_plays),
        }


def _wrapped(tm: Tm, *args: str) -> Any:
    result = tm("wrapped", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_wrapped_matches_the_export_in_every_year_and_zone(tm: Tm, export: Path, oracle: Oracle) -> None:
    assert tm("import", str(export)).exit_code == 0
    for zone in ZONES:
        for year in YEARS:
            expected = YearOracle(oracle, year, zone).expected()
            assert _wrapped(tm, str(year), "--tz", zone) == expected, (year, zone)


HOSTILE = "Evil\x1b]52;c;aGk=\x07 \u202eTrack"  # an OSC 52 clipboard write and a bidi override


@pytest.fixture
def edges(tmp_path: Path) -> Path:
    """A small export: the edge plays (2016-12-31 to 2018-03-11 in UTC) and three plays of a hostile name."""
    rows = _edge_rows()
    hostile = {"master_metadata_track_name": HOSTILE, "spotify_track_uri": "spotify:track:EvilEvilEvilEvilEvilEv"}
    rows += [rows[1] | hostile | {"ts": f"2017-06-0{day}T12:00:00Z"} for day in (1, 2, 3)]
    path = tmp_path / "Streaming_History_Audio_edges.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def _imported(tm: Tm, path: Path) -> Tm:
    result = tm("import", str(path))
    assert result.exit_code == 0, result.output
    return tm


@pytest.fixture
def with_edges(tm: Tm, edges: Path) -> Tm:
    return _imported(tm, edges)


BEFORE_2019 = {"minutes": 0, "plays": 0, "minutes_change": None, "plays_change": None}  # one 5-second skip


@pytest.mark.parametrize(
    ("year", "zone", "years", "previous"),
    [
        ("2015", "UTC", "2016, 2017, 2018", None),
        ("2016", "Pacific/Auckland", "2017, 2018", None),  # its 2016 plays ended on 31 December after 11:00 UTC
        ("2019", "America/New_York", "2016, 2017, 2018", BEFORE_2019),
    ],
)
def test_a_year_without_plays_says_so_and_names_the_years_with_plays(
    tm: Tm, edges: Path, year: str, zone: str, years: str, previous: dict | None
) -> None:
    _imported(tm, edges)

    shown = tm("wrapped", year, "--tz", zone)
    assert (shown.exit_code, shown.stdout) == (0, "")
    assert shown.stderr == f"No plays stored for {year} ({zone}). Years with plays: {years}.\n"
    as_json = tm("wrapped", year, "--tz", zone, "--json")
    assert as_json.exit_code == 0
    assert as_json.stderr == shown.stderr
    assert json.loads(as_json.stdout) == {
        "year": int(year),
        "tz": zone,
        **{"minutes": 0, "plays": 0, "skips": 0, "distinct": {"tracks": 0, "artists": 0, "albums": 0}},
        **{key: [] for key in ("top_tracks", "top_artists", "top_albums", "discoveries", "most_skipped", "days")},
        **{"top_month": None, "busiest_day": None, "longest_streak": {"days": 0, "from": None, "to": None}},
        "clock": [[0] * 24 for _ in range(7)],
        "months": [{"month": f"{year}-{n:02d}", "minutes": 0, "plays": 0, "top_track": None} for n in range(1, 13)],
        "previous": previous,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=40) | st.sampled_from(sorted(__import__("zoneinfo").available_timezones())))
@example(name="Mars/Olympus_Mons")
@example(name="../../../etc/passwd")
@example(name="/etc/localtime")
@example(name="")
@example(name="Europe/Berlin/")
@example(name="zone.tab")  # a file of the zone database that is not a zone
@example(name="x" * 5_000)
@example(name="UTC\x00")
def test_any_time_zone_name_is_used_or_refused_in_one_line(with_edges: Tm, name: str) -> None:
    result = with_edges("wrapped", "2017", f"--tz={name}", "--json")

    if result.exit_code == 0:
        assert json.loads(result.stdout)["tz"] == name
    else:
        assert result.exit_code == 2, result.output
        assert error_lines(result)[0].startswith("Error: Unknown time zone ")
        assert len(result.stderr.splitlines()) == 2, result.stderr  # Error: and Hint:, no traceback


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=8) | st.integers(-10, 20_000).map(str))
@example(text="\uff12\uff10\uff11\uff17")  # 2017 in full-width digits
@example(text="2005")
@example(text="9999")
@example(text=" 2017")
def test_a_year_is_four_ascii_digits_from_2002(with_edges: Tm, text: str) -> None:
    result = with_edges("wrapped", "--tz", "UTC", "--", text)

    valid = len(text) == 4 and all(char in "0123456789" for char in text) and 2002 <= int(text) <= 9998
    if valid:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2, result.output
        assert error_lines(result)[0].startswith("Error: Not a year tm can show: ")
        assert len(result.stderr.splitlines()) == 2, result.stderr


def test_the_zone_is_this_machines_when_not_given(tm: Tm, edges: Path) -> None:
    _imported(tm, edges)

    result = tm("wrapped", "2017", "--json", extra_env={"TZ": "America/New_York"})

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tz"] == "America/New_York"


def test_the_tm_tz_setting_names_the_zone_and_tz_overrides_it(tm: Tm, edges: Path) -> None:
    _imported(tm, edges)
    auckland, utc = _wrapped(tm, "2017", "--tz", "Pacific/Auckland"), _wrapped(tm, "2017", "--tz", "UTC")
    assert auckland != utc, "the edge plays straddle the new year, so the zone must change the numbers"
    setting = {"TZ": "America/New_York", "TM_TZ": "Pacific/Auckland"}

    by_setting = tm("wrapped", "2017", "--json", extra_env=setting)
    overridden = tm("wrapped", "2017", "--json", "--tz", "UTC", extra_env=setting)
    bad = tm("wrapped", "2017", extra_env={"TM_TZ": "Mars/Olympus_Mons"})

    assert json.loads(by_setting.stdout) == auckland
    assert json.loads(overridden.stdout) == utc
    assert bad.exit_code == 2
    assert error_lines(bad)[0] == "Error: Unknown time zone 'Mars/Olympus_Mons'."


def test_the_terminal_view_shows_the_year_safely(tm: Tm, edges: Path) -> None:
    _imported(tm, edges)

    result = tm("wrapped", "2017", "--tz", "Europe/Berlin")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Your 2017 in music (Europe/Berlin)"
    assert lines[1] == "23 minutes · 8 plays · 2 skips · 2 tracks · 1 artists · 1 albums"
    assert lines[2] == "Against 2016: +666.7% minutes, +700.0% plays"  # 2016 in Berlin: 3 minutes, 1 play
    assert lines[3].split(" · ") == [
        "Top month 2017-06 (8 min)",
        "busiest day 2017-11-05 (6 min)",  # two plays: more than any day in June
        "longest streak 3 days (2017-06-01 … 2017-06-03)",
    ]
    assert any("On The Edge" in line for line in lines)
    clock = lines[-8:-1]
    assert [line[:5] for line in clock] == ["Mon  ", "Tue  ", "Wed  ", "Thu  ", "Fri  ", "Sat  ", "Sun  "]
    assert all(len(line) == 5 + 48 and set(line[5:]) <= set(" ░▒▓█") for line in clock)
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "Evil" in result.stdout


def test_wrapped_works_for_the_logged_in_listener(logged_in: Tm, edges: Path) -> None:
    _imported(logged_in, edges)

    shown = _wrapped(logged_in, "2017", "--tz", "UTC")

    assert (shown["plays"], shown["top_tracks"][0]["name"]) == (8, "On The Edge")
    assert shown["clock"][6][4] == 3  # Sunday 2017-01-01 04:30 UTC: the 2.5 minutes of the second play alone


def test_help_shows_examples() -> None:
    from typer.testing import CliRunner

    from music_time_machine.cli import app

    result = CliRunner().invoke(app, ["wrapped", "--help"])

    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "tm wrapped 2019 --tz Europe/Berlin" in result.stdout
