"""One ledger: a Spotify export, a ListenBrainz export and a Last.fm CSV that overlap for two years, imported in any
order, twice; every count is what tests/ledger_sources.py works out from the listening (README "One ledger")."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledger_sources import (
    LASTFM,
    LASTFM_API,
    LISTENBRAINZ,
    RICHNESS,
    SPOTIFY,
    Truth,
    lastfm_scrobbles,
    listening,
    truth,
    write_sources,
)
from music_time_machine.testing.fake_lastfm import API_KEY, FakeLastfm
from test_kept_sums import assert_kept

from conftest import Tm

PLAYS = listening()
TRUTH = truth(PLAYS)


def _sources(tm: Tm) -> dict[str, dict[str, object]]:
    result = tm("sources", "--json")
    assert result.exit_code == 0, result.output
    return {source["kind"]: source for source in json.loads(result.stdout)["sources"]}


def _assert_counts(tm: Tm, expected: Truth, rounds: int, kinds: list[str] = RICHNESS) -> None:
    """After `rounds` imports of each source: files are read again each round (every row then known), the API
    continues where it stopped (nothing more to read)."""
    sources = _sources(tm)
    again = {kind: 0 if kind == LASTFM_API else rounds - 1 for kind in kinds}
    assert {kind: sources[kind]["kept"] for kind in kinds} == {kind: expected.kept[kind] for kind in kinds}
    assert {kind: sources[kind]["recognised"] for kind in kinds} == {
        kind: expected.recognised[kind] + again[kind] * expected.rows[kind] for kind in kinds
    }
    assert {kind: sources[kind]["rows_read"] for kind in kinds} == {
        kind: (again[kind] + 1) * expected.rows[kind] for kind in kinds
    }
    months = Counter(dict(tm.rows("SELECT substr(played_at, 1, 7), count(*) FROM plays GROUP BY 1")))
    assert months == expected.months
    summed = tm.rows("SELECT month, CAST(sum(plays + skips) AS BIGINT) FROM play_months GROUP BY month")
    assert Counter(dict(summed)) == expected.months  # the monthly sums kept as plays were replaced
    assert_kept(tm)  # and tm report's
    _assert_read_by_commands(tm, expected)


def _assert_read_by_commands(tm: Tm, expected: Truth) -> None:
    """history and wrapped count every source's plays (each a full play here)."""
    history = json.loads(tm("history", "--month", "2022-06", "--json").stdout)
    assert history["plays"]["plays"] == expected.months["2022-06"]
    wrapped = json.loads(tm("wrapped", "2021", "--tz", "UTC", "--json").stdout)
    assert wrapped["plays"] == sum(count for month, count in expected.months.items() if month.startswith("2021"))


@pytest.mark.parametrize("order", list(itertools.permutations(RICHNESS)), ids="-".join)
def test_three_overlapping_sources_in_any_order_twice_count_each_play_once(
    tm: Tm, tmp_path: Path, order: tuple[str, ...], database: Path | str
) -> None:
    if not isinstance(database, Path) and order != (LASTFM, SPOTIFY, LISTENBRAINZ):
        pytest.skip("PostgreSQL: one order (the one that replaces most)")
    for round_number, reverse in enumerate((False, True), start=1):
        files = write_sources(PLAYS, tmp_path / f"round{round_number}", reverse=reverse)
        for kind in order:
            result = tm("import", str(files[kind]), "--user", "listener")
            assert result.exit_code == 0, result.output
        _assert_counts(tm, TRUTH, round_number)


API_KINDS = [SPOTIFY, LISTENBRAINZ, LASTFM_API]


@pytest.mark.parametrize("order", list(itertools.permutations(API_KINDS)), ids="-".join)
def test_with_last_fm_through_its_api_any_order_twice_counts_each_play_once(
    tm: Tm, tmp_path: Path, order: tuple[str, ...], database: Path | str
) -> None:
    if not isinstance(database, Path) and order != (LASTFM_API, SPOTIFY, LISTENBRAINZ):
        pytest.skip("PostgreSQL: one order")
    expected = truth(PLAYS, LASTFM_API)
    with FakeLastfm() as lastfm:
        lastfm.seed_scrobbles("someone", lastfm_scrobbles(PLAYS))
        env = {"TM_LASTFM_API_KEY": API_KEY, "TM_LASTFM_API_URL": lastfm.api_url}
        for round_number, reverse in enumerate((False, True), start=1):
            files = write_sources(PLAYS, tmp_path / f"round{round_number}", reverse=reverse)
            for kind in order:
                args = ("import-lastfm", "someone") if kind == LASTFM_API else ("import", str(files[kind]))
                result = tm(*args, "--user", "listener", extra_env=env)
                assert result.exit_code == 0, result.output
            _assert_counts(tm, expected, round_number, API_KINDS)


def test_the_same_files_again_add_and_recognise_nothing(tm: Tm, tmp_path: Path) -> None:
    files = write_sources(PLAYS, tmp_path)
    for _ in range(2):
        result = tm("import", *map(str, files.values()), "--user", "listener", "--json")
        assert result.exit_code == 0, result.output

    again = json.loads(result.stdout)
    assert (again["files_imported"], again["stored"], again["duplicates"]) == (0, 0, 0)
    assert again["files_already_imported"] > 2  # the Spotify file, the CSV, each month of ListenBrainz
    _assert_counts(tm, TRUTH, 1)


def _scrobbles_csv(path: Path, rows: list[tuple[datetime, str, str]]) -> Path:
    lines = ["uts,artist,album,track"] + [f"{int(at.timestamp())},{artist},,{track}" for at, artist, track in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("sync_first", [True, False], ids=["sync-first", "scrobbles-first"])
def test_a_synced_play_and_its_scrobble_are_one_play_kept_as_spotify_has_it(
    logged_in: Tm, tmp_path: Path, sync_first: bool
) -> None:
    track, other = logged_in.fake.top_tracks("short_term")[:2]
    ended = (logged_in.now - timedelta(hours=1)).replace(microsecond=0)
    started = ended - timedelta(milliseconds=track["duration_ms"])
    logged_in.fake.record_play(track["uri"], ended)
    scrobbles = [
        (started + timedelta(seconds=4), track["artists"][0]["name"].upper(), track["name"]),  # the same play
        (started - timedelta(hours=5), other["artists"][0]["name"], other["name"]),  # one Spotify no longer shows
    ]
    csv = _scrobbles_csv(tmp_path / "scrobbles.csv", scrobbles)
    steps = [("sync",), ("import", str(csv), "--explain")]
    for step in steps if sync_first else steps[::-1]:
        result = logged_in(*step)
        assert result.exit_code == 0, result.output

    sources = _sources(logged_in)
    assert (sources["recently-played"]["kept"], sources["recently-played"]["recognised"]) == (1, 0)
    assert (sources["lastfm-csv"]["kept"], sources["lastfm-csv"]["recognised"]) == (1, 1)
    kept = logged_in.rows("SELECT track_uri, track_name FROM plays ORDER BY played_at")
    assert kept == [(None, other["name"]), (track["uri"], track["name"])]
    if sync_first:  # the import came last: its --explain names the match
        assert "row recognised" in result.stdout


def test_explain_names_each_match_and_its_rule(tm: Tm, tmp_path: Path) -> None:
    at = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)
    first = _scrobbles_csv(tmp_path / "a.csv", [(at, "Band", "Song")])
    second = _scrobbles_csv(tmp_path / "b.csv", [(at + timedelta(seconds=50), "BAND", "Song - Remastered 2011")])
    assert tm("import", str(first), "--user", "listener").exit_code == 0

    result = tm("import", str(second), "--user", "listener", "--explain")

    assert result.exit_code == 0, result.output
    assert "starts 50 s apart (within 105 s)" in result.stdout
    assert "Band - Song" in result.stdout
    assert "BAND - Song - Remastered 2011" in result.stdout
    assert "near starts: 1" in result.stderr


def test_sources_tells_each_source_and_what_its_times_meant(tm: Tm, tmp_path: Path) -> None:
    files = write_sources(PLAYS, tmp_path)
    for kind in RICHNESS:
        assert tm("import", str(files[kind]), "--user", "listener").exit_code == 0

    result = tm("sources")

    assert result.exit_code == 0, result.output
    table = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 3}
    for label, kind in [("Spotify extended history", SPOTIFY), ("ListenBrainz", LISTENBRAINZ), ("Last.fm CSV", LASTFM)]:
        assert f"{TRUTH.kept[kind]:,}" in table[label]
        assert f"{TRUTH.recognised[kind]:,}" in table[label]
    assert f"{sum(TRUTH.kept.values()):,} plays" in result.stdout
    assert "ListenBrainz and Last.fm when it started" in result.stderr
