"""`tm history --month`: look back at what was captured; clear answers for empty or malformed months."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import Tm


def test_history_shows_that_months_charts(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01", "2025-03")
    tm.fake.month = "2025-01"
    expected = tm.fake.top_tracks("long_term")[0]["name"]

    result = tm("history", "--month", "2025-01", "--range", "long")

    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert "long_term" in result.stdout
    assert "short_term" not in result.stdout


def test_history_json_rows_have_the_documented_shape(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")

    rows = json.loads(tm("history", "--month", "2025-02", "--json").stdout)["charts"]

    assert len(rows) == 150
    assert set(rows[0]) == {"taken_at", "time_range", "rank", "uri", "name", "artists", "album", "source"}
    assert {row["source"] for row in rows} == {"spotify"}
    assert {row["time_range"] for row in rows} == {"short_term", "medium_term", "long_term"}
    assert [row["rank"] for row in rows if row["time_range"] == "long_term"] == list(range(1, 51))


def test_history_shows_the_latest_snapshot_per_range_unless_all(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")
    tm.now = tm.now.replace(day=20)
    assert tm("snapshot", "--range", "short").exit_code == 0

    latest = json.loads(tm("history", "--month", "2025-02", "--range", "short", "--json").stdout)["charts"]
    every = json.loads(tm("history", "--month", "2025-02", "--range", "short", "--all", "--json").stdout)["charts"]

    assert {row["taken_at"] for row in latest} == {"2025-02-20T12:00:00Z"}
    assert {row["taken_at"] for row in every} == {"2025-02-15T12:00:00Z", "2025-02-20T12:00:00Z"}


def test_month_without_data_names_the_nearest_months(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01", "2025-06")

    table = tm("history", "--month", "2025-03")
    as_json = tm("history", "--month", "2025-03", "--json")

    assert table.exit_code == 0
    assert "No snapshots or plays in 2025-03. Nearest months with data: 2025-01, 2025-06." in table.stderr
    assert as_json.exit_code == 0
    empty_plays = {"plays": 0, "skips": 0, "minutes": 0.0, "top_tracks": [], "top_artists": []}
    assert json.loads(as_json.stdout) == {"month": "2025-03", "charts": [], "plays": empty_plays}


def test_history_works_offline_after_logout(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01")
    tm("logout")
    tm.fake.clear_requests()

    result = tm("history", "--month", "2025-01", "--json")

    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["charts"]) == 150
    assert tm.fake.requests == []


@pytest.mark.parametrize("month", ["2025-13", "March", "2025-3x", "2025-00", "25-03", "", "9999-12", "0000-01"])
def test_malformed_month_is_a_usage_error_on_one_line(tm: Tm, month: str) -> None:
    result = tm("history", "--month", month)

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: Invalid month {month!r}: use YYYY-MM, for example 2025-03."]


def test_names_that_look_like_markup_are_printed_verbatim(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")
    with tm.db() as db:
        db.execute("UPDATE tracks SET name = '[/] Song [Live]'")

    result = tm("history", "--month", "2025-02", "--range", "short")

    assert result.exit_code == 0, result.output
    assert "[/] Song [Live]" in result.stdout


def _plays_export(tmp_path: Path) -> Path:
    def play(ts: str, name: str, artist: str, ms: int = 200_000, skipped: bool = False) -> dict:
        return {
            "ts": ts,
            "ms_played": ms,
            "spotify_track_uri": f"spotify:track:{name.replace(' ', '')}",
            "master_metadata_track_name": name,
            "master_metadata_album_artist_name": artist,
            "skipped": skipped,
            "reason_end": "fwdbtn" if skipped else "trackdone",
        }

    rows = [play(f"2025-02-0{day}T10:00:00Z", "Song A", "Artist A") for day in range(1, 6)]
    rows += [play(f"2025-02-1{day}T10:00:00Z", "Song B", "Artist B") for day in range(1, 3)]
    rows += [play("2025-02-13T10:00:00Z", "Song B", "Artist B", ms=5_000, skipped=True)]
    rows += [play("2025-01-20T10:00:00Z", "Song C", "Artist C")]  # another month
    path = tmp_path / "Streaming_History_Audio_2025_0.json"
    path.write_text(json.dumps(rows))
    return path


def test_history_shows_the_months_plays_beside_its_charts(snapshot_months: Callable[..., Tm], tmp_path: Path) -> None:
    tm = snapshot_months("2025-02")
    assert tm("import", str(_plays_export(tmp_path))).exit_code == 0

    table = tm("history", "--month", "2025-02", "--range", "long")
    data = json.loads(tm("history", "--month", "2025-02", "--json").stdout)

    assert table.exit_code == 0, table.output
    assert "What you played in 2025-02: 7 plays, 1 skips, 23 minutes" in table.stdout
    assert "Most played artists" in table.stdout
    assert len(data["charts"]) == 150
    plays = data["plays"]
    assert (plays["plays"], plays["skips"], plays["minutes"]) == (7, 1, 23.4)
    assert [(t["name"], t["plays"], t["skips"]) for t in plays["top_tracks"]] == [("Song A", 5, 0), ("Song B", 2, 1)]
    assert [(a["artist"], a["plays"]) for a in plays["top_artists"]] == [("Artist A", 5), ("Artist B", 2)]


def test_a_month_with_plays_but_no_snapshot_is_not_empty(logged_in: Tm, tmp_path: Path) -> None:
    logged_in("import", str(_plays_export(tmp_path)))

    result = logged_in("history", "--month", "2025-01")

    assert result.exit_code == 0, result.output
    assert "What you played in 2025-01: 1 plays" in result.stdout
    assert "No snapshots" not in result.stderr


def _table_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line[:1] in "┏┃┡│└"]


def test_tables_fit_the_terminal_and_cut_long_names_only_there(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")
    long_name = "A Very Long Song Title That Goes On And On (Extended Anniversary Remaster)"
    with tm.db() as db:
        db.execute("UPDATE tracks SET name = ?", (long_name,))

    narrow = tm("history", "--month", "2025-02", "--range", "short", extra_env={"COLUMNS": "60"})
    piped = tm("history", "--month", "2025-02", "--range", "short")

    assert narrow.exit_code == 0, narrow.output
    assert {len(line) for line in _table_lines(narrow.stdout)} == {60}
    assert long_name not in narrow.stdout
    assert len(re.findall(r"│ A Very Long[^│]*… │", narrow.stdout)) == 50
    assert piped.stdout.count(long_name) == 50  # in a pipe nothing is cut: grep sees every name whole


def test_wide_names_stay_aligned_and_control_characters_never_reach_the_terminal(
    snapshot_months: Callable[..., Tm],
) -> None:
    tm = snapshot_months("2025-02")
    names = ["東京フラッシュ", "Cafe\u0301 del Mar", "Evil\x1b[2J\nName", "ที่รัก", "C1\x9b2Jcsi"]
    with tm.db() as db:
        for index, (uri,) in enumerate(db.execute("SELECT uri FROM tracks ORDER BY uri").fetchall()):
            db.execute("UPDATE tracks SET name = ? WHERE uri = ?", (names[index % len(names)], uri))

    result = tm("history", "--month", "2025-02", "--range", "short")

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\x9b" not in result.stdout
    assert "Evil\ufffd[2J\ufffdName" in result.stdout
    lines = _table_lines(result.stdout)
    widths = {cell_len(line) for line in lines}  # rich's measure as an independent judge
    assert len(lines) == 54
    assert len(widths) == 1


def test_colour_only_when_asked_for_outside_a_terminal(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")

    plain = tm("history", "--month", "2025-02", "--range", "short")
    forced = tm("history", "--month", "2025-02", "--range", "short", extra_env={"FORCE_COLOR": "1"})

    assert "\x1b[" not in plain.stdout
    assert "\x1b[1m" in forced.stdout
    assert forced.stdout.count("\x1b[0m") > 50
