"""tm import-lastfm against the fake Last.fm on loopback: every scrobble once, resumable, rate limits waited out
visibly, Last.fm's refusals as one line each; the expected plays come from the scrobbles seeded."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from music_time_machine.testing.fake_lastfm import API_KEY, FakeLastfm, Scrobble

from conftest import Tm, error_lines

USER = "Scrobbler"


@pytest.fixture
def lastfm() -> Iterator[FakeLastfm]:
    with FakeLastfm() as fake:
        yield fake


@pytest.fixture
def with_lastfm(tm: Tm, lastfm: FakeLastfm) -> Tm:
    tm.env = {**tm.env, "TM_LASTFM_API_KEY": API_KEY, "TM_LASTFM_API_URL": lastfm.api_url}
    return tm


def _scrobbles(count: int, seed: int = 3) -> list[Scrobble]:
    """`count` scrobbles, three to forty minutes apart, ending a day before the tests' clock."""
    rng, at = random.Random(seed), datetime(2025, 3, 14, tzinfo=UTC)
    found = []
    for number in range(count):
        at -= timedelta(minutes=rng.randint(3, 40))
        found.append(
            (
                int(at.timestamp()),
                f"Artist {number % 13}",
                f"Track {number}",
                f"Album {number % 7}" if number % 3 else None,
            )
        )
    return found


def _stored_end(uts: int) -> str:
    return (datetime.fromtimestamp(uts, UTC) + timedelta(seconds=210)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(tm: Tm, *args: str) -> dict:
    result = tm("import-lastfm", USER, "--user", "listener", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _plays(tm: Tm) -> set[tuple]:
    return set(tm.rows("SELECT played_at, artist_name, track_name, album_name, ms_played FROM plays"))


def test_every_scrobble_is_stored_once_and_now_playing_is_left_out(with_lastfm: Tm, lastfm: FakeLastfm) -> None:
    seeded = _scrobbles(1_000)
    lastfm.seed_scrobbles(USER, seeded)
    lastfm.set_now_playing(USER, "Artist 1", "Playing now")

    summary = _run(with_lastfm)

    assert _plays(with_lastfm) == {
        (_stored_end(uts), artist, track, album, 210_000) for uts, artist, track, album in seeded
    }
    assert (summary["pages"], summary["rows"], summary["stored"], summary["recognised"]) == (5, 1_000, 1_000, 0)
    assert len(lastfm.requests) == 5  # the newest page, then the rest oldest first: each page once
    assert {request.query["limit"][0] for request in lastfm.requests} == {"200"}


def test_a_second_run_reads_only_what_was_scrobbled_since(with_lastfm: Tm, lastfm: FakeLastfm) -> None:
    older = _scrobbles(450)
    lastfm.seed_scrobbles(USER, older)
    assert _run(with_lastfm)["stored"] == 450
    newer = [
        (int((with_lastfm.now - timedelta(hours=hours)).timestamp()), "New", f"Song {hours}", None)
        for hours in (5, 3, 1)
    ]
    lastfm.seed_scrobbles(USER, newer)
    lastfm.clear_requests()

    again = _run(with_lastfm)

    assert (again["rows"], again["stored"], again["resumed_after"]) == (3, 3, max_start(older))
    assert [request.query["from"][0] for request in lastfm.requests] == [str(max(uts for uts, *_ in older) + 1)]
    assert len(_plays(with_lastfm)) == 453


def max_start(scrobbles: list[Scrobble]) -> str:
    return datetime.fromtimestamp(max(uts for uts, *_ in scrobbles), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_interrupted_import_keeps_its_pages_and_the_next_run_finishes_it(
    with_lastfm: Tm, lastfm: FakeLastfm
) -> None:
    seeded = _scrobbles(1_000)
    lastfm.seed_scrobbles(USER, seeded)
    lastfm.rate_limit(1, retry_after=3_600, after=3)  # page 1, then the oldest two: then an hour's rate limit

    stopped = with_lastfm("import-lastfm", USER, "--user", "listener")

    assert stopped.exit_code == 1
    assert "Last.fm is rate limiting tm" in error_lines(stopped)[0]
    assert len(_plays(with_lastfm)) == 400  # the two oldest pages, stored before the limit hit
    finished = _run(with_lastfm)
    assert (finished["stored"], finished["recognised"]) == (600, 0)
    assert _plays(with_lastfm) == {(_stored_end(uts), a, t, al, 210_000) for uts, a, t, al in seeded}


def test_a_short_rate_limit_is_waited_out_visibly(with_lastfm: Tm, lastfm: FakeLastfm) -> None:
    lastfm.seed_scrobbles(USER, _scrobbles(10))
    lastfm.rate_limit(2, retry_after=7)

    result = with_lastfm("import-lastfm", USER, "--user", "listener")

    assert result.exit_code == 0, result.output
    assert sum(with_lastfm.sleeps) == 14
    assert result.stderr.count("Last.fm rate limit; waiting 7s") == 2


@pytest.mark.parametrize(
    ("setup", "exit_code", "first_line"),
    [
        (lambda fake: None, 2, "Error: Last.fm has no user 'scrobbler'."),
        (
            lambda fake: (fake.seed_scrobbles(USER, []), fake.hide(USER)),
            2,
            "Error: Last.fm keeps scrobbler's listening private.",
        ),
        (
            lambda fake: (fake.seed_scrobbles(USER, []), fake.fail_next(10)),
            2,
            "Error: Last.fm refused the API key (invalid or suspended).",
        ),
        (
            lambda fake: (fake.seed_scrobbles(USER, []), fake.fail_next(8, times=5)),
            1,
            "Error: Last.fm kept failing (Last.fm error 8); giving up.",
        ),
    ],
    ids=["unknown-user", "hidden", "bad-key", "failing"],
)
def test_last_fm_refusals_are_one_line_and_never_show_the_key(
    with_lastfm: Tm, lastfm: FakeLastfm, setup: object, exit_code: int, first_line: str
) -> None:
    setup(lastfm)  # type: ignore[operator]

    result = with_lastfm("import-lastfm", USER, "--user", "listener")

    assert (result.exit_code, error_lines(result)[0]) == (exit_code, first_line)
    assert API_KEY not in result.output


def test_without_an_api_key_nothing_is_asked_of_last_fm(tm: Tm, lastfm: FakeLastfm) -> None:
    result = tm("import-lastfm", USER, extra_env={"TM_LASTFM_API_URL": lastfm.api_url})

    assert (result.exit_code, error_lines(result)[0]) == (2, "Error: TM_LASTFM_API_KEY is not set.")
    assert lastfm.requests == []


def test_scrobbles_from_the_api_and_from_a_csv_of_the_same_account_count_once(
    with_lastfm: Tm, lastfm: FakeLastfm, tmp_path: Path
) -> None:
    seeded = _scrobbles(300)
    lastfm.seed_scrobbles(USER, seeded)
    csv = tmp_path / "scrobbles.csv"
    csv.write_text("uts,artist,album,track\n" + "".join(f"{u},{a},{al or ''},{t}\n" for u, a, t, al in seeded))
    assert with_lastfm("import", str(csv), "--user", "listener").exit_code == 0

    summary = _run(with_lastfm)

    assert (summary["stored"], summary["recognised"]) == (0, 300)
    assert len(_plays(with_lastfm)) == 300


def test_the_fake_takes_from_s_second_and_not_to_s_and_pages_newest_first(lastfm: FakeLastfm) -> None:
    from music_time_machine.lastfm.client import LastfmClient

    starts = [1_700_000_000 + 600 * number for number in range(7)]
    lastfm.seed_scrobbles(USER, [(start, "A", f"T{start}", None) for start in starts])
    client = LastfmClient(
        API_KEY, lastfm.api_url, wait=lambda seconds, why: None, clock=lambda: datetime.now(UTC), max_retry_wait=0
    )

    first = client.recent_tracks(USER, 1, since=starts[1], until=starts[5], limit=3)
    last = client.recent_tracks(USER, 2, since=starts[1], until=starts[5], limit=3)

    assert (first.total, first.total_pages) == (4, 2)
    assert [listen.track_name for listen in first.listens] == [f"T{starts[4]}", f"T{starts[3]}", f"T{starts[2]}"]
    assert [listen.track_name for listen in last.listens] == [f"T{starts[1]}"]
