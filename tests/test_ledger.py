"""One ledger: a Spotify export, a ListenBrainz export and a Last.fm CSV that overlap for two years, imported in any
order, twice; every count is what tests/ledger_sources.py works out from the listening (README "One ledger")."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from ledger_sources import LASTFM, LISTENBRAINZ, RICHNESS, SPOTIFY, Truth, listening, truth, write_sources

from conftest import Tm

PLAYS = listening()
TRUTH = truth(PLAYS)


def _sources(tm: Tm) -> dict[str, dict[str, object]]:
    result = tm("sources", "--json")
    assert result.exit_code == 0, result.output
    return {source["kind"]: source for source in json.loads(result.stdout)["sources"]}


def _assert_counts(tm: Tm, expected: Truth, rounds: int) -> None:
    sources = _sources(tm)
    assert {kind: sources[kind]["kept"] for kind in RICHNESS} == {kind: expected.kept[kind] for kind in RICHNESS}
    extra = {kind: (rounds - 1) * expected.rows[kind] for kind in RICHNESS}  # the later rounds: every row known
    assert {kind: sources[kind]["recognised"] for kind in RICHNESS} == {
        kind: expected.recognised[kind] + extra[kind] for kind in RICHNESS
    }
    assert {kind: sources[kind]["rows_read"] for kind in RICHNESS} == {
        kind: rounds * expected.rows[kind] for kind in RICHNESS
    }
    months = Counter(dict(tm.rows("SELECT substr(played_at, 1, 7), count(*) FROM plays GROUP BY 1")))
    assert months == expected.months


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


def test_the_same_files_again_add_and_recognise_nothing(tm: Tm, tmp_path: Path) -> None:
    files = write_sources(PLAYS, tmp_path)
    for _ in range(2):
        result = tm("import", *map(str, files.values()), "--user", "listener", "--json")
        assert result.exit_code == 0, result.output

    again = json.loads(result.stdout)
    assert (again["files_imported"], again["stored"], again["duplicates"]) == (0, 0, 0)
    assert again["files_already_imported"] > 2  # the Spotify file, the CSV, each month of ListenBrainz
    _assert_counts(tm, TRUTH, 1)
