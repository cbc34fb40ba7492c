"""Issue 14, done when: a listener who has only their privacy export (README "Only have your data export?") gets
every chart from their plays with no app, login or .env, and keeps exactly those numbers through a second import,
`tm login` and `tm sync`.

All through the CLI on a real database, held to charts that the independent oracle (tests/plays_oracle.py) computes
from the export files themselves. The export is the shipped generator's: it plays ~255 tracks a day from 2016-01-01
and has no knob for fewer plays a day or a longer span, so its 43 listening days are moved, whole (times of day
kept, so every Account Data copy stays in its extended row's UTC minute), to LISTENING_DAYS: ten years from 2015-01
to 2024-12, with runs of consecutive months (so the 28-day charts have turnover), long gaps, leap days and the first
and last days of 2018-03 and 2024-03. Its Extended Streaming History stops at EXTENDED_UNTIL, as an export requested
in the autumn would: the last four listening days come from Account Data only (no URIs, minute precision), so their
plays take the URI of the same artist and title played before, or have none. One more file holds four tracks tied
on plays and milliseconds, so that the tie-breaks decide (see _tied_rows).

The export names nobody (newer Extended Streaming History alone), so its plays are a local listener's until the
first `tm login` adopts them; with its Userdata.json it names the account, whose later login finds them as its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from music_time_machine.config import SETTING_NAMES
from music_time_machine.testing.export_generator import write_export
from music_time_machine.testing.fake_spotify import FakeSpotify
from plays_oracle import RANGE_DAYS, ChartRow, Oracle, Play, months_between, taken_at

from conftest import Tm

SEED, PLAYS = 7, 11_200  # 43 listening days (the last one ends at 21:07)
FIRST_DAY = date(2016, 1, 1)
LISTENING_DAYS = [
    *(date(2015, 1, 15), date(2015, 4, 10), date(2015, 7, 20), date(2015, 10, 31)),
    *(date(2016, 2, 29), date(2016, 6, 15), date(2016, 9, 30), date(2017, 1, 5), date(2017, 5, 20)),
    *(date(2017, 11, 11), date(2018, 1, 20), date(2018, 2, 14), date(2018, 3, 1), date(2018, 3, 31)),
    *(date(2018, 4, 15), date(2018, 5, 31), date(2018, 6, 20)),
    *(date(2019, 3, 10), date(2019, 4, 12), date(2019, 5, 1), date(2019, 5, 31), date(2019, 6, 15)),
    *(date(2019, 7, 4), date(2020, 2, 29), date(2020, 8, 8), date(2021, 3, 3), date(2021, 12, 31)),
    *(date(2022, 6, 21), date(2023, 1, 1), date(2023, 9, 9)),
    *(date(2024, 1, 10), date(2024, 2, 10), date(2024, 3, 1), date(2024, 3, 15), date(2024, 3, 31)),
    *(date(2024, 4, 20), date(2024, 5, 5), date(2024, 6, 30), date(2024, 8, 15)),
    *(date(2024, 10, 5), date(2024, 11, 11), date(2024, 12, 1), date(2024, 12, 28)),  # Account Data only
]
EXTENDED_UNTIL = "2024-10-01"
FIRST_MONTH, LAST_MONTH = "2015-01", "2024-12"
COMPARED = ("2018-03", "2024-03")
HISTORY_MONTH = "2019-05"
TIED_IN = {"2019-05": 10, "2024-03": 5}  # the month and first day of twelve days of tied plays (see _tied_rows)
TIED = {  # title: (URI, the hour of each play); all by one artist, in the order their ties must be broken
    "Later": ("spotify:track:TieLaterTieLaterTieLat", 12),
    "Key B": ("spotify:track:TieBTieBTieBTieBTieBTi", 11),  # "B" sorts before "a": plain string order
    "Key a": ("spotify:track:TieaTieaTieaTieaTieaTi", 11),
    "Earlier": ("spotify:track:TieEarlierTieEarlierTi", 10),
}
SYNC_MONTH, SYNCED = "2025-03", 20  # the conftest clock's month (so gems are of the month before), after the export
TM = str(Path(sys.executable).with_name("tm"))


def _moved(row: object) -> object | None:
    """The row on its listening day, naming nobody; None for an extended row from EXTENDED_UNTIL on."""
    if not isinstance(row, dict):
        return row
    moved = {key: value for key, value in row.items() if key != "username"}  # endsong rows name the account
    for field, layout in (("ts", "%Y-%m-%dT%H:%M:%SZ"), ("endTime", "%Y-%m-%d %H:%M")):
        if isinstance(row.get(field), str):
            moment = datetime.strptime(row[field], layout)
            day = LISTENING_DAYS[(moment.date() - FIRST_DAY).days]
            moved[field] = datetime.combine(day, moment.time()).strftime(layout)
            if field == "ts" and moved[field] >= EXTENDED_UNTIL:
                return None
    return moved


def _tied_rows() -> list[dict]:
    """Four tracks with the same full plays and milliseconds in each month of TIED_IN, so that only the tie-breaks
    order them: "Later" played last, "Earlier" first, "Key B" and "Key a" alike to the second but for their keys.
    (The generator's tracks never tie: their lengths are random to the millisecond.)"""
    return [
        {
            "ts": f"{month}-{day:02d}T{hour}:20:00Z",
            "ms_played": 200_000,
            "master_metadata_track_name": title,
            "master_metadata_album_artist_name": "The Tie Breakers",
            "master_metadata_album_album_name": "Ties",
            "spotify_track_uri": uri,
            "reason_start": "clickrow",
            "reason_end": "trackdone",
            "skipped": False,
        }
        for month, first_day in TIED_IN.items()
        for day in range(first_day, first_day + 12)
        for title, (uri, hour) in TIED.items()
    ]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The generated export spread over ten years, naming nobody; and the generator's Userdata.json, kept apart."""
    raw, export = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("export")
    write_export(raw, plays=PLAYS, seed=SEED)
    for path in sorted(raw.glob("*.json")):
        if path.name != "Userdata.json":
            rows = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(rows, list):
                rows = [moved for row in rows if (moved := _moved(row)) is not None]
            (export / path.name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (export / "Streaming_History_Audio_ties.json").write_text(json.dumps(_tied_rows()), encoding="utf-8")
    return export, raw / "Userdata.json"


@pytest.fixture(scope="module")
def export(generated: tuple[Path, Path]) -> Path:
    """An export that names no account (newer Extended Streaming History alone): a local listener's plays."""
    return generated[0]


@pytest.fixture
def named_export(generated: tuple[Path, Path], tmp_path: Path) -> Path:
    """The same export with its Account Data's Userdata.json, which names the account."""
    export, userdata = generated
    named = shutil.copytree(export, tmp_path / "named-export")
    shutil.copy(userdata, named)
    return named


@pytest.fixture(scope="module")
def oracle(export: Path) -> Oracle:
    return Oracle.from_exports([export])


def _json(tm: Tm, *args: str) -> Any:
    result = tm(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@dataclass
class Seen:
    """What the read commands say, each run without --source; and who holds how many plays."""

    listeners: list[tuple[str, int]]  # every listener in the database, with its plays
    months: dict[str, dict]  # `tm history --month M --json`
    evolution: dict
    compare: dict
    gems: list[dict]


def _read_all(tm: Tm, months: list[str]) -> Seen:
    return Seen(
        listeners=tm.rows(
            "SELECT users.id, count(plays.user_id) FROM users LEFT JOIN plays ON plays.user_id = users.id"
            " GROUP BY users.id ORDER BY users.id"
        ),
        months={month: _json(tm, "history", "--month", month) for month in months},
        evolution=_json(tm, "evolution"),
        compare=_json(tm, "compare", *COMPARED),
        gems=_json(tm, "gems"),
    )


def _uri_and_name(oracle: Oracle, key: str) -> tuple[str | None, str]:
    """How a track key shows in JSON: its URI (null for a track known by artist and title) and smallest name."""
    return (key if key in oracle.uris else None), min(oracle.names[key])


def _chart_rows(chart: list[ChartRow]) -> list[tuple[int, str | None, str]]:
    return [(row.rank, row.uri, min(row.names)) for row in chart]


def _assert_history(history: dict, oracle: Oracle) -> None:
    month = history["month"]
    totals = oracle.month_totals().get(month, (0, 0))
    assert (history["plays"]["plays"], history["plays"]["skips"]) == totals, month
    assert {(row["taken_at"], row["source"]) for row in history["charts"]} <= {(taken_at(month), "plays")}
    charted = month in oracle.months()  # the charts from plays run from the first month with plays to the last
    for name in RANGE_DAYS:
        shown = [(row["rank"], row["uri"], row["name"]) for row in history["charts"] if row["time_range"] == name]
        assert shown == (_chart_rows(oracle.chart(month, name)) if charted else []), f"{month} {name}"


def _assert_evolution(evolution: dict, oracle: Oracle, last_month: str) -> None:
    """Every month from the first with plays to the last, each against the oracle's short-term charts."""
    expected = oracle.evolution("short_term", FIRST_MONTH, last_month)
    assert (evolution["source"], evolution["time_range"], evolution["top"]) == ("plays", "short_term", 50)
    assert [month["month"] for month in evolution["months"]] == months_between(FIRST_MONTH, last_month)
    for shown, change in zip(evolution["months"], expected, strict=True):
        assert shown["snapshot"] == change.snapshot, change.month
        assert shown["turnover"] == (None if change.turnover is None else pytest.approx(change.turnover, abs=1e-4))
        assert [(entry["uri"], entry["name"]) for entry in shown["entries"]] == [
            _uri_and_name(oracle, key) for key in change.entries
        ], change.month
        assert [(exit["uri"], exit["name"]) for exit in shown["exits"]] == [
            _uri_and_name(oracle, key) for key in change.exits
        ], change.month


def _assert_compare(compared: dict, oracle: Oracle) -> None:
    a, b = COMPARED
    assert (compared["source"], compared["a"], compared["b"], compared["time_range"]) == ("plays", a, b, "short_term")
    expected = oracle.compare(a, b, "short_term")
    assert {kind: [row["key"] for row in rows] for kind, rows in compared["tracks"].items()} == expected
    rank_a = {row.key: row.rank for row in oracle.chart(a, "short_term")}
    rank_b = {row.key: row.rank for row in oracle.chart(b, "short_term")}
    assert [(row["rank_a"], row["rank_b"]) for row in compared["tracks"]["stayed"]] == [
        (rank_a[key], rank_b[key]) for key in expected["stayed"]
    ]


def _assert_gems(gems: list[dict], oracle: Oracle) -> None:
    assert {gem["source"] for gem in gems} == {"plays"}
    shown = [(gem["long_term_rank"], gem["uri"], gem["name"]) for gem in gems]
    assert shown == _chart_rows(oracle.gems(SYNC_MONTH))


def _assert_matches(seen: Seen, oracle: Oracle, last_month: str) -> None:
    for history in seen.months.values():
        _assert_history(history, oracle)
    _assert_evolution(seen.evolution, oracle, last_month)
    _assert_compare(seen.compare, oracle)
    _assert_gems(seen.gems, oracle)


def _log_in(tm: Tm) -> str:
    """The installed `tm login --no-browser`, the fake's consent followed as a browser would; its stderr."""
    environment = {name: value for name, value in os.environ.items() if name not in SETTING_NAMES} | tm.env
    with subprocess.Popen(
        [TM, "login", "--no-browser"], env=environment, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        requests.get(process.stdout.readline().strip(), timeout=10).raise_for_status()
        _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    return stderr


def _synced_plays(fake: FakeSpotify) -> list[Play]:
    """The plays the fake serves from /me/player/recently-played, as tm stores them (whole seconds, full length)."""
    plays = []
    for uri, played_at in fake.recent_plays():
        track = fake.catalog.track(uri)
        assert track is not None
        plays.append(
            Play(played_at[:19] + "Z", uri, track["name"], track["artists"][0]["name"], track["duration_ms"], None)
        )
    return plays


def test_the_fixture_covers_ten_years_with_the_months_the_readme_names(oracle: Oracle) -> None:
    """So the test below reads charts that exist, from both kinds of play, with gaps and turnover."""
    totals = oracle.month_totals()
    assert (oracle.months()[0], oracle.months()[-1]) == (FIRST_MONTH, LAST_MONTH)
    assert {day.strftime("%Y-%m") for day in LISTENING_DAYS} == set(totals)
    for month in (*COMPARED, HISTORY_MONTH):
        assert all(oracle.chart(month, name) for name in RANGE_DAYS), month
    assert len(oracle.chart(HISTORY_MONTH, "long_term")) == 50
    uriless = {oracle.key_of[play] for play in oracle.plays if play.uri is None}
    late = {row.key for month in ("2024-10", "2024-11", LAST_MONTH) for row in oracle.chart(month, "short_term")}
    assert late & uriless & oracle.uris, "Account Data plays charted under the URI of the same artist and title"
    assert late & (uriless - oracle.uris), "and some by artist and title, with no URI"
    tied = [uri for uri, _hour in TIED.values()]
    for month in (*TIED_IN, LAST_MONTH):  # and the last month's long-term chart, so among the gems
        for name in RANGE_DAYS if month != LAST_MONTH else ["long_term"]:
            keys = [row.key for row in oracle.chart(month, name)]
            first = keys.index(tied[0])
            assert keys[first : first + len(tied)] == tied, f"{month} {name}: tied next to each other"
    evolution = oracle.evolution("short_term", FIRST_MONTH, LAST_MONTH)
    assert sum(not change.snapshot for change in evolution) > 30, "gaps"
    assert sum(bool(change.turnover) for change in evolution) >= 10, "months with new tracks"
    assert all(oracle.compare(*COMPARED, "short_term").values()), "new, gone and stayed tracks"
    assert 0 < len(oracle.gems(SYNC_MONTH)) < 50


def test_a_listener_with_only_their_export_gets_every_chart_and_keeps_it_through_login_and_sync(
    tm: Tm, export: Path, oracle: Oracle, tmp_path: Path
) -> None:
    every_month, some_months = [*oracle.month_totals(), SYNC_MONTH], [*COMPARED, HISTORY_MONTH]
    offline = replace(tm, env={"TM_HOME": str(tm.home), "TM_DB": str(tm.database)})  # no app, no login, no .env

    imported = _json(offline, "import", str(export))
    assert imported["stored"] == len(oracle.plays)
    seen = _read_all(offline, every_month)
    assert seen.listeners == [("local", len(oracle.plays))]
    _assert_matches(seen, oracle, LAST_MONTH)

    again = _json(offline, "import", str(export))
    assert (again["stored"], again["files_already_imported"]) == (0, imported["files_imported"])
    assert _read_all(offline, every_month) == seen
    assert not tm.tokens.path.exists()
    assert _json(offline, "doctor", "--offline")["ok"] is True  # nothing to fail without an app or a login

    assert "are now Fake Listener (fake-listener)'s" in _log_in(tm)
    after_login = _read_all(tm, every_month)
    assert after_login == replace(seen, listeners=[("fake-listener", len(oracle.plays))])

    assert _json(tm, "import", str(export))["stored"] == 0  # logged in now: the same files, the same listener
    assert _read_all(tm, some_months) == replace(after_login, months={m: seen.months[m] for m in some_months})

    tm.fake.listen(until=tm.now - timedelta(minutes=5), plays=SYNCED)
    synced = _json(tm, "sync")
    assert (synced["fetched"], synced["stored"], synced["known"], synced["missed_since"]) == (SYNCED, SYNCED, 0, None)
    after_sync = _read_all(tm, every_month)
    with_synced = Oracle([*oracle.plays, *_synced_plays(tm.fake)])
    assert after_sync.listeners == [("fake-listener", len(oracle.plays) + SYNCED)]
    assert [month for month in every_month if after_sync.months[month] != seen.months[month]] == [SYNC_MONTH]
    assert with_synced.month_totals()[SYNC_MONTH] == (SYNCED, 0)
    assert after_sync.evolution["months"][: len(seen.evolution["months"])] == seen.evolution["months"]
    assert after_sync.compare == seen.compare
    _assert_matches(after_sync, with_synced, SYNC_MONTH)

    assert _json(tm, "sync")["stored"] == 0
    assert _read_all(tm, some_months) == replace(after_sync, months={m: after_sync.months[m] for m in some_months})
    copied = _json(tm, "db", "copy", "--to", str(tmp_path / "copy.sqlite3"))  # the listeners as tm counts them
    assert list(copied["counts"]) == ["fake-listener"]
    plays = len(oracle.plays) + SYNCED
    assert copied["counts"]["fake-listener"]["plays"] == {"source": plays, "target": plays}


def test_a_later_login_as_the_account_the_export_names_finds_the_plays_as_its_own(
    tm: Tm, named_export: Path, oracle: Oracle
) -> None:
    months = [*COMPARED, HISTORY_MONTH]
    offline = replace(tm, env={"TM_HOME": str(tm.home), "TM_DB": str(tm.database)})
    account = json.loads((named_export / "Userdata.json").read_text(encoding="utf-8"))["username"]

    result = offline("import", str(named_export))
    assert result.exit_code == 0, result.output
    assert f"under {account}, the account named in " in result.stderr
    seen = _read_all(offline, months)
    assert seen.listeners == [(account, len(oracle.plays))]
    _assert_matches(seen, oracle, LAST_MONTH)

    tm.fake.add_user(account, "Synthetic Listener")
    tm.fake.login_as(account)
    assert "are now" not in _log_in(tm)  # nothing to adopt: the plays were this account's from the start
    assert _read_all(tm, months) == seen
