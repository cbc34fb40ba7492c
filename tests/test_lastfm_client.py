"""LastfmClient against the fake Last.fm on loopback: paging gives exactly the scrobbles seeded, from/to as Last.fm
reads them, now playing left out; every error Last.fm sends ends as the error that says what to do; waits are
visible, injected and bounded; hostile answers end in bounded time; the API key is in no message."""

from __future__ import annotations

import socket
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from music_time_machine.errors import ConfigError, NetworkError, TmError, UsageError
from music_time_machine.lastfm.client import (
    API_KEY_PAGE,
    BACKOFF_SECONDS,
    MAX_ATTEMPTS,
    RATE_LIMIT_WAIT,
    LastfmClient,
    LastfmError,
    LastfmRateLimited,
)
from music_time_machine.lastfm.parse import RecentTracksPage
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.testing.fake_core import Response, json_response
from music_time_machine.testing.fake_hostile import drip_answer, giant_answer
from music_time_machine.testing.fake_lastfm import API_KEY, FakeLastfm, Scrobble
from strategies import json_values, stored

from conftest import Tm

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
USER = "scrobbler"
MAX_WAIT = 60
SECRET_KEY = "0123456789abcdef0123456789abcdef"  # the shape of a real key: 32 hex digits


@pytest.fixture
def lastfm() -> Iterator[FakeLastfm]:
    with FakeLastfm(api_keys={API_KEY, SECRET_KEY}) as fake:
        yield fake


class Waits(list[tuple[float, str]]):
    def __call__(self, seconds: float, reason: str) -> None:
        self.append((seconds, reason))


@pytest.fixture
def waits() -> Waits:
    return Waits()


def _client(fake: FakeLastfm, waits: Waits, key: str = SECRET_KEY, **bounds: float) -> LastfmClient:
    return LastfmClient(key, fake.api_url, wait=waits, clock=lambda: NOW, max_retry_wait=MAX_WAIT, **bounds)


@pytest.fixture
def client(lastfm: FakeLastfm, waits: Waits) -> LastfmClient:
    return _client(lastfm, waits)


def _history(count: int, newest: int = int(NOW.timestamp()) - 3_600) -> list[Scrobble]:
    """`count` scrobbles three minutes apart, newest first, every fifth without an album."""
    return [
        (newest - 180 * number, f"Artist {number % 17}", f"Track {number}", None if number % 5 == 0 else "Album")
        for number in range(count)
    ]


def _listen(scrobble: Scrobble) -> Listen:
    uts, artist, track, album = scrobble
    return Listen(stored(datetime.fromtimestamp(uts, UTC)), artist, track, album, None, None)


def _all_pages(client: LastfmClient, since: int | None = None, until: int | None = None) -> list[Listen | SkipReason]:
    first = client.recent_tracks(USER, 1, since=since, until=until)
    rest = [client.recent_tracks(USER, page, since=since, until=until) for page in range(2, first.total_pages + 1)]
    return [listen for page in (first, *rest) for listen in page.listens]


# --- paging and the window ----------------------------------------------------------------------------------


def test_paging_through_a_thousand_scrobbles_gives_exactly_those(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits
) -> None:
    seeded = _history(1_000)
    lastfm.seed_scrobbles(USER, seeded)

    first = client.recent_tracks(USER, 1, since=None, until=None)
    listens = _all_pages(client)

    assert (first.page, first.total_pages, first.total, len(first.listens)) == (1, 5, 1_000, 200)
    assert listens == [_listen(scrobble) for scrobble in seeded]
    assert waits == []
    asked = lastfm.requests[-1].query
    assert {name: values[0] for name, values in asked.items()} == {
        "method": "user.getrecenttracks",
        "user": USER,
        "page": "5",
        "limit": "200",
        "api_key": SECRET_KEY,
        "format": "json",
    }


def test_from_includes_its_second_and_to_does_not(client: LastfmClient, lastfm: FakeLastfm) -> None:
    seeded = _history(600)
    lastfm.seed_scrobbles(USER, seeded)
    since, until = seeded[450][0], seeded[40][0]  # both the start of a scrobble: the edges are tested

    windowed = _all_pages(client, since=since, until=until)

    assert windowed == [_listen(s) for s in seeded if since <= s[0] < until]
    assert len(windowed) == 410
    assert _all_pages(client, since=since) == [_listen(s) for s in seeded if s[0] >= since]
    assert _all_pages(client, until=until) == [_listen(s) for s in seeded if s[0] < until]
    assert {(r.query["from"][0], r.query["to"][0]) for r in lastfm.requests[:3]} == {(str(since), str(until))}


def test_the_track_playing_now_is_no_scrobble(client: LastfmClient, lastfm: FakeLastfm) -> None:
    seeded = _history(250)
    lastfm.seed_scrobbles(USER, seeded)
    lastfm.set_now_playing(USER, "Artist 1", "Playing now")

    first = client.recent_tracks(USER, 1, since=None, until=None)

    assert (len(first.listens), first.total) == (200, 250)
    assert first.listens == [_listen(scrobble) for scrobble in seeded[:200]]
    assert _all_pages(client) == [_listen(scrobble) for scrobble in seeded]


def test_one_scrobble_and_none_and_a_page_beyond_the_last(client: LastfmClient, lastfm: FakeLastfm) -> None:
    lastfm.seed_scrobbles(USER, _history(1))
    lastfm.seed_scrobbles("silent", [])

    assert client.recent_tracks(USER, 1, since=None, until=None) == RecentTracksPage([_listen(_history(1)[0])], 1, 1, 1)
    assert client.recent_tracks(USER, 7, since=None, until=None) == RecentTracksPage([], 7, 1, 1)
    assert client.recent_tracks("silent", 1, since=None, until=None) == RecentTracksPage([], 1, 0, 0)


def test_the_fake_answers_in_last_fms_shapes(lastfm: FakeLastfm) -> None:
    """Seen by a client that is not tm's: one track as an object; `extended=1` names the artist and says loved."""
    lastfm.seed_scrobbles(USER, _history(2))
    lastfm.seed_scrobbles("single", _history(1))
    asked = {"method": "user.getrecenttracks", "user": USER, "api_key": API_KEY, "format": "json"}

    extended = requests.get(lastfm.api_url, params=asked | {"extended": "1"}, timeout=10).json()
    single = requests.get(lastfm.api_url, params=asked | {"user": "single"}, timeout=10).json()

    tracks = extended["recenttracks"]["track"]
    assert [(entry["artist"]["name"], entry["loved"]) for entry in tracks] == [("Artist 0", "0"), ("Artist 1", "0")]
    assert single["recenttracks"]["track"]["name"] == "Track 0"
    assert single["recenttracks"]["@attr"] | {"user": ""} == {
        "user": "",
        "page": "1",
        "perPage": "50",
        "totalPages": "1",
        "total": "1",
    }


# --- Last.fm's refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message", "error_class", "words"),
    [
        (6, "User not found", UsageError, f"Last.fm has no user '{USER}'."),
        (17, "Login: User required to be logged in", UsageError, f"Last.fm keeps {USER}'s listening private."),
        (10, "Invalid API key - You must be granted a valid key by last.fm", ConfigError, "refused the API key"),
        (26, "Suspended API key - Access for your account has been suspended", ConfigError, "refused the API key"),
        (6, "Invalid parameters - Your request is missing a required parameter", LastfmError, "error 6: Invalid"),
        (2, "Invalid service - This service does not exist", LastfmError, "does not answer user.getRecentTracks"),
        (3, "Invalid Method - No method with that name in this package", LastfmError, "does not answer"),
        (4, "Authentication Failed - You do not have permissions", LastfmError, "error 4: Authentication Failed"),
        (13, "Invalid method signature supplied", LastfmError, "error 13: Invalid method signature"),
    ],
)
@pytest.mark.parametrize("status", [200, 400, 403])  # Last.fm's statuses do not always match its errors
def test_each_refusal_is_the_error_that_says_what_to_do(
    client: LastfmClient,
    lastfm: FakeLastfm,
    waits: Waits,
    code: int,
    message: str,
    error_class: type[TmError],
    words: str,
    status: int,
) -> None:
    lastfm.seed_scrobbles(USER, _history(3))
    lastfm.answer_next(json_response(status, {"error": code, "message": message}))

    with pytest.raises(error_class) as refused:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert type(refused.value) is error_class
    assert words in refused.value.message
    assert (len(lastfm.requests), waits) == (1, [])  # not retried


def test_the_fakes_own_refusals_reach_the_listener_as_such(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits
) -> None:
    lastfm.seed_scrobbles("private", [])
    lastfm.hide("private")
    bad_key = _client(lastfm, waits, key="not-a-key")

    with pytest.raises(UsageError, match="no user 'nobody'"):
        client.recent_tracks("nobody", 1, since=None, until=None)
    with pytest.raises(UsageError, match="private") as hidden:
        client.recent_tracks("private", 1, since=None, until=None)
    with pytest.raises(ConfigError) as refused:
        bad_key.recent_tracks("private", 1, since=None, until=None)

    assert "Hide recent listening information" in (hidden.value.hint or "")
    assert API_KEY_PAGE in (refused.value.hint or "")
    assert "TM_LASTFM_API_KEY" in (refused.value.hint or "")


# --- waits: visible, injected, bounded -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected_waits"),
    [
        (lambda fake: fake.rate_limit(2, retry_after=7), [(7, "Last.fm rate limit")] * 2),
        (lambda fake: fake.fail_next(29, status=200, retry_after=3), [(3, "Last.fm rate limit")]),
        (lambda fake: fake.answer_next(Response(429, b"slow down")), [(RATE_LIMIT_WAIT, "Last.fm rate limit")]),
        (lambda fake: fake.fail_next(8, times=2), [(1.0, "Last.fm error 8"), (2.0, "Last.fm error 8")]),
        (lambda fake: fake.fail_next(11, retry_after=5), [(5, "Last.fm error 11")]),
        (lambda fake: fake.fail_next(16, times=3), [(s, "Last.fm error 16") for s in BACKOFF_SECONDS[:3]]),
        (lambda fake: fake.fail_next(0, status=503, times=2), [(s, "Last.fm answered HTTP 503") for s in (1, 2)]),
        (
            lambda fake: fake.answer_next(Response(502, b"<html>", headers={"Retry-After": "9"})),
            [(9, "Last.fm answered HTTP 502")],
        ),
    ],
    ids=["429-retry-after", "29-under-200", "429-bare", "8-backoff", "11-retry-after", "16", "503", "502-html"],
)
def test_a_passing_fault_is_waited_out_visibly_and_the_page_read(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits, fault: object, expected_waits: list
) -> None:
    seeded = _history(5)
    lastfm.seed_scrobbles(USER, seeded)
    fault(lastfm)  # type: ignore[operator]

    page = client.recent_tracks(USER, 1, since=None, until=None)

    assert page.listens == [_listen(scrobble) for scrobble in seeded]
    assert waits == expected_waits
    assert len(lastfm.requests) == len(expected_waits) + 1


@pytest.mark.parametrize(
    ("fault", "error_class", "first_words"),
    [
        (lambda fake: fake.rate_limit(MAX_ATTEMPTS), LastfmRateLimited, "Last.fm kept rate limiting tm"),
        (lambda fake: fake.fail_next(8, times=MAX_ATTEMPTS), LastfmError, "Last.fm kept failing (Last.fm error 8)"),
        (lambda fake: fake.fail_next(0, status=500, times=9), LastfmError, "Last.fm kept failing (Last.fm answered"),
    ],
)
def test_a_lasting_fault_ends_after_bounded_waits(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits, fault: object, error_class: type, first_words: str
) -> None:
    lastfm.seed_scrobbles(USER, _history(5))
    fault(lastfm)  # type: ignore[operator]

    with pytest.raises(error_class) as stopped:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert stopped.value.message.startswith(first_words)
    assert len(lastfm.requests) == MAX_ATTEMPTS
    assert len(waits) == MAX_ATTEMPTS - 1
    assert all(seconds <= MAX_WAIT for seconds, _ in waits)


@pytest.mark.parametrize(
    ("fault", "busy"),
    [
        (lambda fake: fake.rate_limit(1, retry_after=3_600), "Last.fm is rate limiting tm"),
        (lambda fake: fake.fail_next(16, retry_after=MAX_WAIT + 1), "Last.fm is unavailable"),
    ],
)
def test_a_wait_longer_than_tm_max_retry_wait_fails_at_once_with_the_time_to_retry(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits, fault: object, busy: str
) -> None:
    lastfm.seed_scrobbles(USER, _history(5))
    fault(lastfm)  # type: ignore[operator]

    with pytest.raises(LastfmRateLimited) as stopped:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert stopped.value.message.startswith(f"{busy}: retry after ")
    assert f"TM_MAX_RETRY_WAIT={MAX_WAIT}s" in (stopped.value.hint or "")
    assert waits == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_server_that_is_not_there_is_retried_then_told(waits: Waits) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/2.0/"
    client = LastfmClient(SECRET_KEY, url, wait=waits, clock=lambda: NOW, max_retry_wait=MAX_WAIT)

    with pytest.raises(NetworkError, match=r"Cannot reach Last\.fm") as unreachable:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert waits == [(seconds, "Last.fm did not answer") for seconds in BACKOFF_SECONDS]
    assert SECRET_KEY not in _told(unreachable.value)


# --- hostile answers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (Response(200, b"<html>not json</html>", content_type="text/html"), "HTTP 200 without a page"),
        (Response(404, b""), "HTTP 404 without a page"),
        (Response(301, b"", headers={"Location": "http://elsewhere.invalid/"}), "HTTP 301 without a page"),
        (json_response(200, {"recenttracks": {"track": []}}), "not a page of scrobbles"),
        (json_response(200, {"error": 10**40, "message": "huge"}), "not a page of scrobbles"),
        (Response(200, b"[" * 100_000 + b"]" * 100_000), "HTTP 200 without a page"),
        (Response(200, b"not gzip at all", headers={"Content-Encoding": "gzip"}), "sent a broken answer"),
        (giant_answer(5 * 2**20, declare_length=True), "larger than 4 MB"),
        (giant_answer(5 * 2**20, declare_length=False), "larger than 4 MB"),
    ],
    ids=["html", "404", "redirect", "no-attr", "huge-code", "deep", "bad-gzip", "giant", "giant-unannounced"],
)
def test_a_hostile_answer_is_one_clear_error(
    client: LastfmClient, lastfm: FakeLastfm, waits: Waits, response: Response, words: str
) -> None:
    lastfm.seed_scrobbles(USER, _history(5))
    lastfm.answer_next(response)

    with pytest.raises(LastfmError) as refused:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert words in refused.value.message
    assert (len(lastfm.requests), waits) == (1, [])


def test_an_answer_that_drips_ends_at_the_deadline(lastfm: FakeLastfm, waits: Waits) -> None:
    lastfm.seed_scrobbles(USER, _history(5))
    lastfm.answer_next(drip_answer(0.05, body_only=True, size=1_000))
    client = _client(lastfm, waits, deadline=0.5)

    started = time.monotonic()
    with pytest.raises(LastfmError, match=r"longer than 0\.5 s"):
        client.recent_tracks(USER, 1, since=None, until=None)

    assert time.monotonic() - started < 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=json_values, status=st.sampled_from([200, 400, 403, 404, 429, 500]))
def test_no_json_answer_crashes_the_client(lastfm: FakeLastfm, answer: object, status: int) -> None:
    waits = Waits()
    lastfm.seed_scrobbles(USER, [])
    lastfm.answer_next(json_response(status, answer))  # once: a retry reads the real (empty) page

    outcome: RecentTracksPage | TmError
    try:
        outcome = _client(lastfm, waits).recent_tracks(USER, 1, since=None, until=None)
    except TmError as error:
        outcome = error
    if isinstance(outcome, TmError):
        assert outcome.message
        assert SECRET_KEY not in _told(outcome)
    else:
        assert isinstance(outcome, RecentTracksPage)
    assert len(waits) <= 1
    assert all(seconds <= MAX_WAIT for seconds, _ in waits)


# --- the key is in no message -------------------------------------------------------------------------------


def _told(error: TmError) -> str:
    """Everything of an error a listener or a --debug traceback (traceback.print_exc) could see."""
    return "".join((error.message, error.hint or "", *traceback.format_exception(error)))


@pytest.mark.parametrize(
    "fault",
    [
        lambda fake: fake.answer_next(json_response(400, {"error": 13, "message": f"bad key {SECRET_KEY}!"})),
        lambda fake: fake.answer_next(json_response(400, {"error": 6, "message": f"no {SECRET_KEY} user"})),
        lambda fake: fake.answer_next(json_response(200, {"recenttracks": SECRET_KEY})),
        lambda fake: fake.fail_next(10),
        lambda fake: fake.fail_next(8, times=MAX_ATTEMPTS),
        lambda fake: fake.rate_limit(1, retry_after=10**6),
        lambda fake: fake.answer_next(giant_answer(5 * 2**20, declare_length=False)),
        lambda fake: fake.answer_next(Response(200, b"not gzip at all", headers={"Content-Encoding": "gzip"})),
    ],
    ids=["echoed-13", "echoed-6", "shape", "10", "8", "long-limit", "giant", "bad-gzip"],
)
def test_the_api_key_is_in_no_error(client: LastfmClient, lastfm: FakeLastfm, fault: object) -> None:
    lastfm.seed_scrobbles(USER, _history(2))
    fault(lastfm)  # type: ignore[operator]

    with pytest.raises(TmError) as failed:
        client.recent_tracks(USER, 1, since=None, until=None)

    assert SECRET_KEY not in _told(failed.value)
    assert SECRET_KEY in lastfm.requests[0].query["api_key"]  # it was sent, where Last.fm wants it


def test_requests_are_recorded_in_order_with_what_they_asked(client: LastfmClient, lastfm: FakeLastfm) -> None:
    lastfm.seed_scrobbles(USER, _history(450))
    since, until = int((NOW - timedelta(days=2)).timestamp()), int(NOW.timestamp())

    for page in (3, 1, 2):
        client.recent_tracks(USER, page, since=since, until=until, limit=150)

    assert [(r.path, r.query["page"], r.query["limit"]) for r in lastfm.requests] == [
        ("/2.0/", ["3"], ["150"]),
        ("/2.0/", ["1"], ["150"]),
        ("/2.0/", ["2"], ["150"]),
    ]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "fault",
    [
        lambda fake: fake.answer_next(json_response(400, {"error": 13, "message": f"bad key {SECRET_KEY}!"})),
        lambda fake: fake.fail_next(8, times=MAX_ATTEMPTS),
        lambda fake: fake.answer_next(Response(200, b"not gzip at all", headers={"Content-Encoding": "gzip"})),
        lambda fake: fake.stop(),
    ],
    ids=["echoed", "failing", "bad-gzip", "gone"],
)
def test_with_debug_the_traceback_shows_no_key(tm: Tm, lastfm: FakeLastfm, fault: object) -> None:
    lastfm.seed_scrobbles(USER, _history(3))
    settings = {"TM_LASTFM_API_KEY": SECRET_KEY, "TM_LASTFM_API_URL": lastfm.api_url, "TM_DEBUG": "1"}
    fault(lastfm)  # type: ignore[operator]

    result = tm("import-lastfm", USER, "--user", "listener", extra_env=settings)

    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert SECRET_KEY not in result.output
