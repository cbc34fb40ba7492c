"""LastfmClient: user.getRecentTracks pages, under the same bounds and retry policy as tm's Spotify client.

Every request ends within REQUEST_DEADLINE_SECONDS and reads at most MAX_RESPONSE_BYTES (`BoundedSession`).
Rate limits (HTTP 429 or Last.fm's error 29) are waited out, visibly, when Retry-After (or the backoff) is within
TM_MAX_RETRY_WAIT, else they fail with the time to try again; Last.fm's temporary errors (HTTP 5xx, errors 8, 11
and 16) and a network that does not answer are retried after a backoff. The API key is sent in the query, as
Last.fm requires, and never appears in a message.
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
from music_time_machine.scrobbles.rows import latest_seconds

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)
RETRYABLE_ERRORS = {8, 11, 16}  # operation failed, service offline, temporarily unavailable
RATE_LIMITED = 29
MAX_RETRY_AFTER = 366 * 86_400
API_KEY_PAGE = "https://www.last.fm/api/account/create"
Waiter = Callable[[float, str], None]


class LastfmError(TmError):
    pass


class LastfmRateLimited(LastfmError):
    pass


class _Retry(Exception):
    """Worth trying again after `seconds` (None: the backoff); `final` is raised when the attempts run out."""

    def __init__(self, seconds: float | None, reason: str, final: TmError | None = None) -> None:
        super().__init__(reason)
        self.seconds, self.reason = seconds, reason
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
        """One page of `user`'s scrobbles from `since` to `until` (epoch seconds, both included), newest first."""
        params: dict[str, Any] = {"method": "user.getrecenttracks", "user": user, "page": page, "limit": limit}
        params |= {"from": since, "to": until} if since is not None else {"to": until}
        answer = self._get(params, user)
        latest = latest_seconds((self._clock() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
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
                self._wait(BACKOFF_SECONDS[attempt] if retry.seconds is None else retry.seconds, retry.reason)
        raise AssertionError("unreachable")

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
        try:
            answer = json.loads(response.content)
        except (ValueError, RecursionError):
            answer = None
        code = answer.get("error") if type(answer) is dict else None
        if response.status_code == 429 or code == RATE_LIMITED:
            raise _Retry(self._rate_limit_wait(response), "Last.fm rate limit")
        if type(code) is int:
            raise self._refusal(code, answer, user)
        if response.status_code >= 500:
            raise _Retry(None, f"Last.fm answered HTTP {response.status_code}")
        if response.status_code != 200 or answer is None:
            raise LastfmError(f"Last.fm answered HTTP {response.status_code} without a page of scrobbles.", hint=_AGAIN)
        return answer

    def _rate_limit_wait(self, response: requests.Response) -> float:
        try:
            asked = int(response.headers.get("Retry-After", "10"))
        except ValueError:
            asked = 10
        seconds = min(max(1, asked), MAX_RETRY_AFTER)
        if seconds > self._max_retry_wait:
            resume_at, wait = (self._clock() + timedelta(seconds=seconds)).astimezone(), timedelta(seconds=seconds)
            raise LastfmRateLimited(
                f"Last.fm is rate limiting tm: retry after {resume_at:%Y-%m-%d %H:%M} (in {wait}).",
                hint=f"tm waits out at most TM_MAX_RETRY_WAIT={self._max_retry_wait}s. " + _AGAIN,
            )
        return seconds

    def _refusal(self, code: int, answer: dict, user: str) -> TmError | _Retry:
        found = answer.get("message")
        message = found if type(found) is str else ""
        if code in RETRYABLE_ERRORS:
            return _Retry(None, f"Last.fm error {code}")
        if code in (10, 26):
            return ConfigError(
                "Last.fm refused the API key (invalid or suspended).",
                hint=f"Get a key at {API_KEY_PAGE} and set TM_LASTFM_API_KEY (see .env.example).",
            )
        if code == 6:
            return UsageError(f"Last.fm has no user {user!r}.", hint="Give the name from your profile's address.")
        if code == 17:
            return UsageError(
                f"Last.fm keeps {user}'s listening private.",
                hint="In Last.fm's settings (Privacy), untick 'Hide recent listening information', then try again.",
            )
        return LastfmError(f"Last.fm refused the request (error {code}: {message[:200]}).", hint=_AGAIN)


_AGAIN = "The scrobbles stored so far are kept: run the same command again to continue."
