"""LastfmClient: user.getRecentTracks pages, under the same bounds and retry policy as tm's Spotify client.

Every request ends within REQUEST_DEADLINE_SECONDS and reads at most MAX_RESPONSE_BYTES (`BoundedSession`).
Rate limits (HTTP 429 or Last.fm's error 29) and Last.fm's temporary errors (HTTP 5xx, errors 8, 11 and 16) are
waited out, visibly, for their Retry-After when they give one (a rate limit without one: RATE_LIMIT_WAIT, the rest:
the backoff), when that is within TM_MAX_RETRY_WAIT; a longer wait, or a fifth failure, ends with the time to try
again. A network that does not answer is retried after the backoff. The API key is sent in the query, as Last.fm
requires, and never appears in a message: not in tm's own, not in one Last.fm (or a server posing as it) sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import requests

from music_time_machine.bounded_http import (
    MAX_RESPONSE_BYTES,
    REQUEST_DEADLINE_SECONDS,
    AnswerOutOfBounds,
    BoundedSession,
)
from music_time_machine.errors import ConfigError, NetworkError, TmError, UsageError
from music_time_machine.lastfm.parse import RecentTracksPage, UnexpectedAnswer, recent_tracks_page
from music_time_machine.models import latest_play
from music_time_machine.scrobbles.rows import latest_seconds

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)
RETRYABLE_ERRORS = {8, 11, 16}  # operation failed, service offline, temporarily unavailable
RATE_LIMITED = 29
RATE_LIMIT_WAIT = 10  # seconds, when a rate limit names no Retry-After
KEY_REFUSED = {10, 26}  # invalid API key, suspended API key
NOT_AN_API = {2, 3}  # no such service, no such method: the URL is not Last.fm's API
MAX_RETRY_AFTER = 366 * 86_400
API_KEY_PAGE = "https://www.last.fm/api/account/create"
Waiter = Callable[[float, str], None]


class LastfmError(TmError):
    pass


class LastfmRateLimited(LastfmError):
    pass


class _Retry(Exception):
    """Worth trying again after `seconds` (None: the backoff). `final` is raised when the attempts run out; a wait
    beyond TM_MAX_RETRY_WAIT is refused at once, as "`busy`: retry after …"."""

    def __init__(
        self, seconds: float | None, reason: str, final: TmError | None = None, busy: str = "Last.fm is unavailable"
    ) -> None:
        super().__init__(reason)
        self.seconds, self.reason, self.busy = seconds, reason, busy
        self.final = final or LastfmError(f"Last.fm kept failing ({reason}); giving up.", hint=_AGAIN)


class LastfmClient:
    def __init__(
        self,
        api_key: str,
        api_url: str,
        *,
        wait: Waiter,
        clock: Callable[[], datetime],
        max_retry_wait: int,
        deadline: float = REQUEST_DEADLINE_SECONDS,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._api_key, self._api_url = api_key, api_url
        self._session = BoundedSession(deadline, max_bytes)
        self._wait, self._clock, self._max_retry_wait = wait, clock, max_retry_wait

    def recent_tracks(
        self, user: str, page: int, *, since: int | None, until: int | None, limit: int = 200
    ) -> RecentTracksPage:
        """One page of `user`'s scrobbles, newest first, that started from `since` (included) to before `until` (epoch
        seconds, Last.fm's own `from` and `to`; None: no bound). Raises a TmError saying what to do."""
        params: dict[str, Any] = {"method": "user.getrecenttracks", "user": user, "page": page, "limit": limit}
        params |= {"from": since, "to": until}  # requests leaves out the ones that are None
        answer = self._get(params, user)
        latest = latest_seconds(latest_play(self._clock()))
        try:
            return recent_tracks_page(answer, latest)
        except UnexpectedAnswer as error:
            raise LastfmError(
                f"Last.fm at {self._api_url} answered something that is not a page of scrobbles ({error}).",
                hint="Check TM_LASTFM_API_URL (or leave it unset for Last.fm's own), then try again.",
            ) from None

    def _get(self, params: dict[str, Any], user: str) -> object:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._answer(params, user)
            except _Retry as retry:
                if attempt == MAX_ATTEMPTS - 1:
                    raise retry.final from None
                seconds = BACKOFF_SECONDS[attempt] if retry.seconds is None else retry.seconds
                if seconds > self._max_retry_wait:
                    raise self._too_long(retry, seconds) from None
                self._wait(seconds, retry.reason)
        raise AssertionError("unreachable")

    def _too_long(self, retry: _Retry, seconds: float) -> LastfmRateLimited:
        wait = timedelta(seconds=seconds)
        resume_at = (self._clock() + wait).astimezone()
        return LastfmRateLimited(
            f"{retry.busy}: retry after {resume_at:%Y-%m-%d %H:%M} (in {wait}).",
            hint=f"tm waits out at most TM_MAX_RETRY_WAIT={self._max_retry_wait}s. " + _AGAIN,
        )

    def _answer(self, params: dict[str, Any], user: str) -> object:
        """The answer's JSON, or the error the user should see; _Retry when trying again may help."""
        try:
            response = self._session.get(self._api_url, params={**params, "api_key": self._api_key, "format": "json"})
        except AnswerOutOfBounds as error:
            raise LastfmError(f"tm stopped reading Last.fm at {self._api_url}: {error}.", hint=_AGAIN) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            unreachable = NetworkError(
                f"Cannot reach Last.fm at {self._api_url} ({type(error).__name__}).",
                hint="Check your internet connection. " + _AGAIN,
            )
            raise _Retry(None, "Last.fm did not answer", unreachable) from None
        except requests.RequestException as error:  # a broken answer (its encoding, its chunks): the URL is not told
            raise LastfmError(
                f"Last.fm at {self._api_url} sent a broken answer ({type(error).__name__}).", hint=_AGAIN
            ) from None
        try:
            answer = json.loads(response.content)
        except (ValueError, RecursionError):
            answer = None
        code = answer.get("error") if type(answer) is dict else None
        code = code if type(code) is int and 0 <= code < 1000 else None  # else no error of Last.fm's
        retry_after = _retry_after(response)
        if response.status_code == 429 or code == RATE_LIMITED:
            still = LastfmRateLimited(f"Last.fm kept rate limiting tm ({MAX_ATTEMPTS} tries); giving up.", _AGAIN)
            raise _Retry(retry_after or RATE_LIMIT_WAIT, "Last.fm rate limit", still, "Last.fm is rate limiting tm")
        if code is not None:
            raise self._refusal(code, answer, user, retry_after)
        if response.status_code >= 500:
            raise _Retry(retry_after, f"Last.fm answered HTTP {response.status_code}")
        if response.status_code != 200 or answer is None:
            raise LastfmError(f"Last.fm answered HTTP {response.status_code} without a page of scrobbles.", hint=_AGAIN)
        return answer

    def _redacted(self, text: str) -> str:
        """A stranger's text as tm may show it: a server posing as Last.fm could echo the key it was sent."""
        return text.replace(self._api_key, "[API key]") if self._api_key else text

    def _refusal(self, code: int, answer: dict, user: str, retry_after: int | None) -> TmError | _Retry:
        found = answer.get("message")
        message = self._redacted(found)[:200] if type(found) is str else ""
        if code in RETRYABLE_ERRORS:
            return _Retry(retry_after, f"Last.fm error {code}")
        if code in KEY_REFUSED:
            return ConfigError(
                "Last.fm refused the API key (invalid or suspended).",
                hint=f"Get a key at {API_KEY_PAGE} and set TM_LASTFM_API_KEY (see .env.example).",
            )
        if code == 6 and (not message or "user" in message.lower()):  # 6 is also any other bad parameter
            return UsageError(f"Last.fm has no user {user!r}.", hint="Give the name from your profile's address.")
        if code == 17:
            return UsageError(
                f"Last.fm keeps {user}'s listening private.",
                hint="In Last.fm's settings (Privacy), untick 'Hide recent listening information', then try again.",
            )
        if code in NOT_AN_API:
            return LastfmError(
                f"{self._api_url} does not answer user.getRecentTracks (Last.fm error {code}: {message}).",
                hint="Check TM_LASTFM_API_URL (or leave it unset for Last.fm's own), then try again.",
            )
        return LastfmError(f"Last.fm refused the request (error {code}: {message}).", hint=_AGAIN)


def _retry_after(response: requests.Response) -> int | None:
    """The answer's Retry-After in seconds, when it is a number of them (not an HTTP date, not garbage)."""
    asked = response.headers.get("Retry-After", "")
    if not (asked.isascii() and asked.isdigit()):
        return None
    return min(max(1, int(asked[:12])), MAX_RETRY_AFTER)  # a time that can still be told


_AGAIN = "The scrobbles stored so far are kept: run the same command again to continue."
