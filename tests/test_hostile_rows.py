"""Issue 15, group 1: one bad row never poisons the store or stops the routine.

A play's end time is a real ISO time in ASCII digits from Spotify's founding (2006-04-23) to a day after now,
whether an export or Spotify says it; ms played is 0 to a day; names are text, cut at 1,000 characters. Rows
outside that are malformed (counted, and the summary says what malformed means). `tm sync` starts after the newest
synced play that is a real time not after now, so no row, imported or left by an older tm, stops it; no month or
sum an older tm left in the database makes a read fail.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from music_time_machine.models import PlayRow
from music_time_machine.privacy_export.rows import SkipReason, account_play, extended_play
from music_time_machine.spotify.parse import parse_played_at
from strategies import TimeText, account_times, extended_rows, extended_times, real_times, stored

from conftest import SCHEMA_5, Tm

FOUNDED = "2006-04-23T00:00:00Z"  # Spotify AB's founding: the earliest end a play can have
DAY_MS = 24 * 60 * 60 * 1000
clocks = st.datetimes(datetime(2008, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC))


def _latest(now: datetime) -> str:
    return stored(now + timedelta(days=1))


def _row(ts: object, **fields: object) -> dict[str, object]:
    return {
        "ts": ts,
        "ms_played": 200_000,
        "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "master_metadata_track_name": "Song",
        "master_metadata_album_artist_name": "Artist",
        "master_metadata_album_album_name": "Album",
        "reason_end": "trackdone",
        **fields,
    }


# --- the parsers: exactly the real, in-range ASCII times pass ------------------------------------------------


def _is_play_at(play: PlayRow | SkipReason, time: TimeText, now: datetime) -> None:
    """A play at the time the text denotes when that is a time from Spotify's founding to tomorrow, else malformed."""
    if time.utc is not None and FOUNDED <= time.utc <= _latest(now):
        assert not isinstance(play, SkipReason)
        assert play.played_at == time.utc
    else:
        assert play is SkipReason.MALFORMED


@settings(max_examples=300)
@given(extended_times(), clocks)
@example(TimeText("\uff12\uff10\uff12\uff15-03-15T12:00:00Z", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("2025-03-1\u0663T12:00:00Z", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("2025-02-29T12:00:00Z", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("2025-W11-6", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("2025-03-15", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("0001-01-01T00:00:00+01:00", None), datetime(2026, 1, 1, tzinfo=UTC))
def test_an_export_ts_is_a_play_time_exactly_when_it_is_a_real_time_from_spotifys_founding_to_tomorrow(
    ts: TimeText, now: datetime
) -> None:
    _is_play_at(extended_play(_row(ts.text), "listener", 1, _latest(now)), ts, now)


@settings(max_examples=200)
@given(account_times(), clocks)
@example(TimeText("2025-03-1\uff13 12:00", None), datetime(2026, 1, 1, tzinfo=UTC))
@example(TimeText("2024-02-29 23:59", "2024-02-29T23:59:00Z"), datetime(2026, 1, 1, tzinfo=UTC))
def test_an_account_end_time_is_a_play_time_exactly_when_it_is_a_real_minute_from_spotifys_founding_to_tomorrow(
    end: TimeText, now: datetime
) -> None:
    row = {"endTime": end.text, "msPlayed": 200_000, "trackName": "Song", "artistName": "Artist"}

    _is_play_at(account_play(row, "listener", 1, _latest(now)), end, now)


@settings(max_examples=200)
@given(extended_times())
@example(TimeText("2025-03-15T12:00:00.123Z", "2025-03-15T12:00:00Z"))
@example(TimeText("20250315T120000", None))
def test_spotifys_played_at_is_read_exactly_when_it_is_a_real_time_after_spotifys_founding(
    played_at: TimeText,
) -> None:
    expected = played_at.utc if played_at.utc is not None and played_at.utc >= FOUNDED else None

    assert parse_played_at(played_at.text) == expected


@given(st.data())
def test_the_time_bounds_are_inclusive_to_the_second(data: st.DataObject) -> None:
    now = data.draw(clocks).replace(microsecond=0)
    tomorrow = now + timedelta(days=1)
    edges = {
        "2006-04-22T23:59:59Z": False,
        FOUNDED: True,
        stored(tomorrow): True,
        stored(tomorrow + timedelta(seconds=1)): False,
    }
    inside = data.draw(real_times(datetime(2006, 4, 23, tzinfo=UTC), tomorrow))
    edges[inside.text] = True

    for ts, accepted in edges.items():
        assert (extended_play(_row(ts), "listener", 1, _latest(now)) is not SkipReason.MALFORMED) is accepted, ts


# --- what a row may carry --------------------------------------------------------------------------------


def _whole_ms(value: object) -> bool:
    return type(value) is int and 0 <= value <= DAY_MS


@settings(max_examples=300)
@given(extended_rows())
def test_a_row_is_a_play_only_with_a_whole_ms_played_up_to_a_day_and_names_that_are_text_cut_at_1000(
    row: dict[str, object],
) -> None:
    play = extended_play(row, "listener", 1, "2040-01-01T00:00:00Z")

    if not _whole_ms(row["ms_played"]):
        assert play is SkipReason.MALFORMED
    if isinstance(play, SkipReason):
        return
    assert play.ms_played == row["ms_played"]
    names = (row["master_metadata_track_name"], row.get("master_metadata_album_artist_name") or "")
    assert (play.track_name, play.artist_name) == tuple(name[:1000] for name in names if isinstance(name, str))
    album = row.get("master_metadata_album_album_name")
    assert play.album_name == (None if album is None else str(album)[:1000])
    for text in (play.track_uri, play.reason_start, play.reason_end):
        assert text is None or (isinstance(text, str) and len(text) <= 100)


def _export(folder: Path, rows: list[object], name: str = "Streaming_History_Audio_2025_0.json") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(rows))
    return path


def test_hostile_rows_are_counted_as_malformed_and_named_and_the_rest_is_stored(tm: Tm, tmp_path: Path) -> None:
    good = [
        _row("2025-03-01T10:00:00Z", master_metadata_track_name="Ordinary"),
        _row("2025-03-02T10:00:00Z", master_metadata_track_name="L" * 50_000),
        _row(
            "2025-03-03T10:00:00Z", master_metadata_track_name="Long Album", master_metadata_album_album_name="A" * 5000
        ),
        _row("2006-04-23T00:00:00Z", master_metadata_track_name="The first day"),
    ]
    hostile = [
        _row("2099-01-01T00:00:00Z"),
        _row("2006-04-22T23:59:59Z"),
        _row("0999-05-01T00:00:00Z"),
        _row("9999-12-31T23:59:59Z"),
        _row("\uff12\uff10\uff12\uff15-03-15T12:00:00Z"),
        _row("2025-02-30T12:00:00Z"),
        _row("2025-13-45T99:99:99Z"),
        _row("2025-03-15T12:00:00Z", ms_played=2**63),
        _row("2025-03-15T12:00:00Z", ms_played=2**62),
        _row("2025-03-15T12:00:00Z", ms_played=DAY_MS + 1),
        _row("2025-03-15T12:00:00Z", master_metadata_track_name={"a": 1}),
        _row("2025-03-15T12:00:00Z", master_metadata_album_artist_name=["x"]),
        _row("2025-03-15T12:00:00Z", reason_end="r" * 5000),
    ]
    account = [
        {"endTime": "2025-03-04 10:00", "msPlayed": 200_000, "trackName": "Account", "artistName": "Artist"},
        {"endTime": "2099-03-04 10:00", "msPlayed": 200_000, "trackName": "Future", "artistName": "Artist"},
        {"endTime": "2025-03-04 10:00", "msPlayed": 2**63, "trackName": "Huge", "artistName": "Artist"},
    ]
    folder = tmp_path / "export"
    _export(folder, [*good, *hostile])
    _export(folder, account, "StreamingHistory_music_0.json")

    table = tm("import", str(folder), "--user", "listener", "--dry-run")
    result = tm("import", str(folder), "--user", "listener", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["skipped"]["malformed"] == len(hostile) + 2
    assert summary["stored"] == len(good) + 1
    assert "note: a row is malformed when" in table.stderr
    assert "before 2006-04-23" in table.stderr
    names = dict(tm.rows("SELECT track_name, coalesce(length(album_name), 0) FROM plays"))
    assert sorted(len(name) for name in names) == sorted([len("Ordinary"), 1000, len("Long Album"), 13, 7])
    assert names["Long Album"] == 1000
    assert tm.rows("SELECT min(played_at), max(played_at) FROM plays") == [(FOUNDED, "2025-03-04T10:00:00Z")]


# --- sync: its cursor comes from synced plays, real and not in the future ------------------------------------


def _sync(tm: Tm) -> dict:
    result = tm("sync", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fake_plays(tm: Tm) -> set[str]:
    """The end times of the plays the fake Spotify holds, to the second (as tm stores them)."""
    return {played_at[:19] + "Z" for _uri, played_at in tm.fake.recent_plays()}


def test_sync_after_an_import_with_a_row_from_2099_stores_the_plays_spotify_has(logged_in: Tm, tmp_path: Path) -> None:
    export = _export(tmp_path / "export", [_row("2099-01-01T00:00:00Z"), _row("2025-03-01T10:00:00Z")])
    assert logged_in("import", str(export)).exit_code == 0
    logged_in.fake.listen(until=logged_in.now - timedelta(minutes=5), plays=8)

    first = _sync(logged_in)
    logged_in.fake.listen(until=logged_in.now + timedelta(minutes=40), plays=3)
    second = _sync(logged_in)

    assert (first["stored"], second["stored"]) == (8, 3)
    synced = {row[0] for row in logged_in.rows("SELECT played_at FROM plays WHERE played_at > '2025-03-02'")}
    assert synced == _fake_plays(logged_in)


def _older_tm_rows(tm: Tm, rows: list[tuple[str, str, int]]) -> None:
    """Rows as an older tm could have left them (played_at, the source kind, ms played), written with sqlite3
    itself, with their play_months rows as that tm summed them, in that tm's schema (5): the next tm migrates it."""
    with sqlite3.connect(tm.db_path) as db:
        db.executescript(";".join([*SCHEMA_5, "PRAGMA user_version = 5;"]))
        [user_id] = db.execute("SELECT id FROM users").fetchone()
        for kind in ("recently-played", "extended"):
            db.execute(
                "INSERT INTO play_sources (user_id, kind, name, sha256, imported_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (user_id, kind, kind, None if kind == "recently-played" else "older", "2020-01-01T00:00:00Z"),
            )
        sources = dict(db.execute("SELECT kind, min(id) FROM play_sources GROUP BY kind").fetchall())
        for number, (played_at, kind, ms) in enumerate(rows):
            db.execute(
                """INSERT INTO plays (user_id, played_at, track_uri, track_name, artist_name, ms_played, source_id)
                   VALUES (?, ?, NULL, ?, 'Old Artist', ?, ?)""",
                (user_id, played_at, f"Old {number}", ms, sources[kind]),
            )
            db.execute(
                """INSERT INTO play_months (user_id, month, track_uri, artist_key, title_key, track_name, artist_name,
                   plays, skips, ms_played, full_ms, last_full_at) VALUES (?, ?, NULL, 'old artist', ?, ?, 'Old Artist',
                   1, 0, ?, ?, ?)""",
                (user_id, played_at[:7], f"old {number}", f"Old {number}", ms, ms, played_at),
            )


HOSTILE_TIMES = [
    ("2099-01-01T00:00:00Z", "recently-played"),
    ("2025-13-45T99:99:99Z", "recently-played"),
    ("2025-03-15T11:61:00Z", "recently-played"),  # before the clock (12:00), after the last real sync
    ("2025-03-1\u0663T12:00:00Z", "recently-played"),
    ("9999-12-31T23:59:59Z", "extended"),
    ("0999-05-01T00:00:00Z", "extended"),
    ("\uff12\uff10\uff12\uff15-01-01T00:00:00Z", "extended"),
    ("2025-00-10T00:00:00Z", "extended"),
]


@pytest.mark.sqlite_only
def test_sync_is_not_stopped_by_times_an_older_tm_left_in_the_database(logged_in: Tm) -> None:
    logged_in.fake.listen(until=logged_in.now - timedelta(hours=3), plays=4)
    _sync(logged_in)
    _older_tm_rows(logged_in, [(played_at, kind, 200_000) for played_at, kind in HOSTILE_TIMES])
    logged_in.fake.listen(until=logged_in.now - timedelta(minutes=5), plays=6)

    result = _sync(logged_in)

    assert (result["fetched"], result["stored"]) == (6, 6)  # asked for the plays after the 4 synced before
    assert _fake_plays(logged_in) <= {row[0] for row in logged_in.rows("SELECT played_at FROM plays")}


def test_plays_spotify_dates_after_tomorrow_are_counted_and_not_stored(logged_in: Tm) -> None:
    uris = logged_in.fake.listen(until=logged_in.now - timedelta(minutes=5), plays=3)
    logged_in.fake.record_play(uris[0], datetime(2099, 1, 1, tzinfo=UTC))
    logged_in.fake.record_play(uris[1], logged_in.now + timedelta(days=1, seconds=1))

    runs = [logged_in("sync"), logged_in("sync")]

    for run in runs:
        assert run.exit_code == 0, run.output
        assert "warning: 2 plays Spotify sent are dated after tomorrow; they were not stored." in run.stderr
    assert "Synced 0 new plays (0 already stored)" in runs[1].stderr  # asked for plays after the newest real one
    assert logged_in.rows("SELECT count(*), max(played_at) < ? FROM plays", stored(logged_in.now)) == [(3, 1)]


# --- reads of a database an older tm wrote ---------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize("month", ["2024-06", "2025-01", "2025-02", "2027-06"])
def test_history_of_any_month_reads_past_impossible_months_an_older_tm_stored(
    tm: Tm, tmp_path: Path, month: str
) -> None:
    export = _export(tmp_path / "export", [_row("2025-01-10T10:00:00Z"), _row("2025-02-10T10:00:00Z")])
    assert tm("import", str(export), "--user", "listener").exit_code == 0
    _older_tm_rows(tm, [(played_at, kind, 200_000) for played_at, kind in HOSTILE_TIMES])

    table = tm("history", "--month", month)
    as_json = tm("history", "--month", month, "--json", "--source", "plays")

    assert (table.exit_code, as_json.exit_code) == (0, 0), table.output + as_json.output
    if month in ("2024-06", "2027-06"):  # no plays, and no chart from plays reaches them
        nearest = "2025-01" if month == "2024-06" else "2025-03, 2099-01"  # 2025-03 from "2025-03-1\u0663…"
        assert f"Nearest months with data: {nearest}." in " ".join(table.stderr.split())
    else:
        assert json.loads(as_json.stdout)["plays"]["plays"] == 1


@pytest.mark.sqlite_only
def test_huge_ms_played_an_older_tm_stored_count_as_a_day_and_no_sum_overflows(tm: Tm, tmp_path: Path) -> None:
    export = _export(tmp_path / "export", [_row("2025-01-10T10:00:00Z")])
    assert tm("import", str(export), "--user", "listener").exit_code == 0
    _older_tm_rows(tm, [("2025-01-11T10:00:00Z", "extended", 2**62), ("2025-01-12T10:00:00Z", "extended", 2**62)])
    with sqlite3.connect(tm.db_path) as db:  # a sum at the very top: the next play of the track would overflow it
        db.execute("UPDATE play_months SET ms_played = ?, full_ms = ? WHERE title_key = 'old 0'", (2**63 - 1,) * 2)
    same_track = {"endTime": "2025-01-20 10:00", "msPlayed": 200_000, "trackName": "Old 0", "artistName": "Old Artist"}

    imported = tm("import", str(_export(tmp_path / "more", [same_track], "StreamingHistory_music_0.json")))
    history = tm("history", "--month", "2025-01", "--json", "--source", "plays")
    evolution = tm("evolution", "--source", "plays", "--json")

    assert (imported.exit_code, history.exit_code, evolution.exit_code) == (0, 0, 0), history.output
    plays = json.loads(history.stdout)["plays"]
    assert plays["plays"] == 4
    assert plays["minutes"] == pytest.approx((2 * 200_000 + 2 * DAY_MS) / 60_000, abs=0.1)


@pytest.mark.sqlite_only
def test_report_reads_past_impossible_months_an_older_tm_stored(tm: Tm, tmp_path: Path) -> None:
    export = _export(tmp_path / "export", [_row("2025-01-10T10:00:00Z"), _row("2025-02-10T10:00:00Z")])
    assert tm("import", str(export), "--user", "listener").exit_code == 0
    _older_tm_rows(tm, [(played_at, kind, 200_000) for played_at, kind in HOSTILE_TIMES])

    result = tm("report", "--tz", "UTC", "--since", "2025-01", "--until", "2026-01", "--json")  # 2025-13 between

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [month["month"] for month in report["months"]] == [f"2025-{n:02d}" for n in range(1, 13)] + ["2026-01"]
    # 11:61 is read by its hour, as tm wrapped reads it; the other unreal times are in no day
    assert [day["date"] for day in report["days"]] == ["2025-01-10", "2025-02-10", "2025-03-15"]
    assert all(len(artist["months"]) == 13 for artist in report["artists"])
