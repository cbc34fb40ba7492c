"""FakeLastfm: a local stand-in for Last.fm's API (ws.audioscrobbler.com/2.0/), as much of it as tm uses:
`user.getRecentTracks`, answered the way Last.fm answers it (tests/data/lastfm/ holds real answers; SOURCES.md).

- Scrobbles newest first, `limit` (at most 200, default 50) to a page, `page` from 1. A page beyond the last is an
  empty list with the same `@attr` counts. A page of one entry holds it as an object, not a list, as Last.fm does.
- `from` and `to` (epoch seconds) keep the scrobbles that started at `from` or later and before `to`: `from`
  included (ListenBrainz's Last.fm importer asks from=newest+1 to not read its newest again), `to` not (the
  answers that lmammino/scrobbles recorded page with to=the oldest start of the page before, and the next page
  starts after it, its `total` down by exactly the page read). Last.fm's own documentation says only "after"
  and "before".
- `extended=1` gives each artist as `{"name", "url", "mbid", "image"}` and each track a `loved` flag.
- The track a user is playing now (`set_now_playing`) heads the first page, with `@attr.nowplaying` and no date,
  on top of the page's `limit` and whatever the window (as in the recorded answers).
- Errors as Last.fm sends them, `{"error": N, "message": …}`: 10 for an API key not in `api_keys` (HTTP 403), 6 for
  an unknown user (404), 17 for a user who hides their recent listening (403), 3 for another method (400), 29 for
  a rate limit (HTTP 429, `rate_limit`), and any error once or more (`fail_next`), or any answer (`answer_next`).
- `requests` records every request, in order, for tests to assert on.

    with FakeLastfm() as fake:
        fake.seed_scrobbles("someone", [(1700000000, "Artist", "Track", "Album")])
        os.environ["TM_LASTFM_API_URL"] = fake.api_url
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from music_time_machine.testing.fake_core import Request, Response, json_response
from music_time_machine.testing.loopback import LoopbackFake

API_KEY = "tm-test-lastfm-key"
MAX_LIMIT = 200
ERROR_STATUS = {3: 400, 6: 404, 10: 403, 17: 403, 26: 403, 29: 429}
MESSAGES = {
    3: "Invalid Method - No method with that name in this package",
    6: "User not found",
    8: "Operation failed - Most likely the backend service failed. Please try again.",
    10: "Invalid API key - You must be granted a valid key by last.fm",
    11: "Service Offline - This service is temporarily offline. Try again later.",
    16: "The service is temporarily unavailable, please try again.",
    17: "Login: User required to be logged in",
    26: "Suspended API key - Access for your account has been suspended, please contact Last.fm",
    29: "Rate Limit Exceeded - Your IP has made too many requests in a short period",
}
Scrobble = tuple[int, str, str, str | None]  # (uts of the start, artist, track, album)


def error_response(code: int, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return json_response(ERROR_STATUS.get(code, 500), {"error": code, "message": MESSAGES.get(code, "")}, headers)


@dataclass
class _Failure:
    passes: int  # requests still let through before this answer
    response: Response


@dataclass
class _LastfmState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    scrobbles: dict[str, list[Scrobble]] = field(default_factory=dict)  # user (lower case) -> newest first
    now_playing: dict[str, tuple[str, str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    api_keys: set[str] = field(default_factory=lambda: {API_KEY})
    failures: list[_Failure] = field(default_factory=list)


def _entry(artist: str, track: str, album: str | None, extended: bool) -> dict[str, object]:
    image = [{"size": "small", "#text": ""}]
    artist_url = f"https://www.last.fm/music/{artist}"
    entry: dict[str, object] = {
        "artist": {"url": artist_url, "mbid": "", "image": image, "name": artist}
        if extended
        else {"mbid": "", "#text": artist},
        "streamable": "0",
        "image": image,
        "mbid": "",
        "album": {"mbid": "", "#text": album or ""},
        "name": track,
        "url": f"{artist_url}/_/{track}",
    }
    return entry | {"loved": "0"} if extended else entry


def _scrobbled(scrobble: Scrobble, extended: bool) -> dict[str, object]:
    uts, artist, track, album = scrobble
    when = datetime.fromtimestamp(uts, UTC).strftime("%d %b %Y, %H:%M")
    return _entry(artist, track, album, extended) | {"date": {"uts": str(uts), "#text": when}}


def _window(request: Request, name: str) -> int | None:
    value = request.arg(name)
    return int(value) if value and value.isdigit() else None


class FakeLastfm(LoopbackFake):
    def __init__(self, api_keys: Iterable[str] = (API_KEY,)) -> None:
        super().__init__("fake-lastfm")
        self._state = _LastfmState(api_keys=set(api_keys))

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/2.0/"

    def seed_scrobbles(self, user: str, scrobbles: list[Scrobble]) -> None:
        """Add scrobbles to `user`'s history (created if new)."""
        with self._state.lock:
            history = self._state.scrobbles.setdefault(user.lower(), [])
            history.extend(scrobbles)
            history.sort(key=lambda scrobble: -scrobble[0])

    def set_now_playing(self, user: str, artist: str, track: str) -> None:
        with self._state.lock:
            self._state.now_playing[user.lower()] = (artist, track)

    def hide(self, user: str) -> None:
        """The user ticked "Hide recent listening information"."""
        with self._state.lock:
            self._state.hidden.add(user.lower())

    def fail_next(
        self, code: int, *, times: int = 1, status: int | None = None, retry_after: int | None = None, after: int = 0
    ) -> None:
        """Answer `times` requests, after letting `after` through, with Last.fm's error `code` (0: an empty answer
        of HTTP `status`; a `status` with a code: that code under this status)."""
        response = error_response(code, retry_after) if code else Response(status or 500)
        if status is not None and code:
            response = Response(status, response.body, headers=response.headers)
        self.answer_next(response, times=times, after=after)

    def answer_next(self, response: Response, *, times: int = 1, after: int = 0) -> None:
        """Answer `times` requests, after letting `after` through, with `response` (any status, body or raw bytes;
        fake_hostile's drip_answer and giant_answer too)."""
        with self._state.lock:
            self._state.failures.extend([_Failure(after, response)] + [_Failure(0, response) for _ in range(times - 1)])

    def rate_limit(self, times: int, retry_after: int | None = None, after: int = 0) -> None:
        self.fail_next(29, times=times, retry_after=retry_after, after=after)

    def _dispatch(self, request: Request) -> Response:
        state = self._state
        with state.lock:
            self._record(request)
            if state.failures and state.failures[0].passes > 0:
                state.failures[0].passes -= 1
            elif state.failures:
                return state.failures.pop(0).response
            if request.path != "/2.0/" or request.arg("method") != "user.getrecenttracks":
                return error_response(3)
            if request.arg("api_key") not in state.api_keys:
                return error_response(10)
            user = (request.arg("user") or "").lower()
            if user not in state.scrobbles:
                return error_response(6)
            if user in state.hidden:
                return error_response(17)
            return json_response(200, self._page(request, user))

    def _page(self, request: Request, user: str) -> dict[str, object]:
        since, until = _window(request, "from"), _window(request, "to")
        history = self._state.scrobbles[user]  # newest first: found by bisecting on the negated starts
        newest = 0 if until is None else bisect_right(history, -until, key=lambda scrobble: -scrobble[0])
        oldest = len(history) if since is None else bisect_right(history, -since, key=lambda scrobble: -scrobble[0])
        chosen = history[newest:oldest]  # from `since` on, before `until`
        limit = min(max(_window(request, "limit") or 50, 1), MAX_LIMIT)
        page = max(_window(request, "page") or 1, 1)
        extended = request.arg("extended") in ("1", "true")
        entries = [_scrobbled(scrobble, extended) for scrobble in chosen[(page - 1) * limit : page * limit]]
        if page == 1 and user in self._state.now_playing:
            artist, track = self._state.now_playing[user]
            entries.insert(0, {"@attr": {"nowplaying": "true"}} | _entry(artist, track, None, extended))
        pages = -(-len(chosen) // limit)
        attributes = {"user": user, "totalPages": str(pages), "page": str(page), "perPage": str(limit)}
        return {
            "recenttracks": {
                "track": entries[0] if len(entries) == 1 else entries,
                "@attr": attributes | {"total": str(len(chosen))},
            }
        }
