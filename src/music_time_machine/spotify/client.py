"""SpotifyClient: the only code that calls the Web API. Paging, 429/5xx/401 policy, 2026 endpoints."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import requests
import spotipy

from music_time_machine.bounded_http import (
    MAX_RESPONSE_BYTES,
    REQUEST_DEADLINE_SECONDS,
    AnswerOutOfBounds,
    BoundedSession,
)
from music_time_machine.config import Settings
from music_time_machine.errors import (
    AuthExpired,
    NetworkError,
    NotFound,
    NotYours,
    RateLimited,
    SpotifyError,
    TmError,
)
from music_time_machine.models import PlaylistEntry, PlaylistRef, PlaylistSummary, TimeRange, Track, User
from music_time_machine.spotify.oauth import AppToken, StoredToken
from music_time_machine.spotify.parse import (
    parse_played_at,
    playlist_entry_from_json,
    playlist_entry_uri,
    playlist_from_json,
    track_from_json,
    tracks_from_page,
    user_from_json,
)
from music_time_machine.tokens import TokenFile

REQUEST_TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 4  # first try + 3 retries, for 5xx, network errors and short 429s
BACKOFF_SECONDS = (1.0, 2.0, 4.0)
MAX_RETRY_AFTER = 366 * 86_400  # a Retry-After beyond a year is told as "not before" a year from now
WRITE_CHUNK = 100  # Spotify takes at most 100 URIs per playlist write
PAGE_SIZE = 50
RECENT_LIMIT = 50  # all Spotify keeps
# Paging ends where Spotify's own limits do: offsets stop at 100,000 (2,000 pages of 50), and a list is not
# expected to outgrow its first page's `total` by more than a couple of pages while tm reads it.
MAX_PAGES = 2_000
PAGE_SLACK = 2

# spotipy logs every HTTP error (and, at debug level, headers with the bearer token); we report errors ourselves.
logging.getLogger("spotipy").addHandler(logging.NullHandler())
logging.getLogger("spotipy").propagate = False

Waiter = Callable[[float, str], None]


def under_base(link: str, base: str) -> bool:
    """Whether `link` lies under `base` (which ends with "/", as Settings makes sure): the same scheme, host, port
    and path prefix as typed, and nothing that climbs out of it or parses two ways: no dot segments (percent-encoded
    ones too), backslashes, spaces or control characters. Spotify's own `next` links are plain URLs under it."""
    if not link.startswith(base):
        return False
    rest = link[len(base) :]
    path = unquote(rest.partition("?")[0].partition("#")[0])
    if not (rest.isascii() and rest.isprintable()) or " " in rest or "\\" in path:
        return False
    return not any(segment in (".", "..") for segment in path.split("/"))


def _total(page: dict[str, Any]) -> int | None:
    """The page's `total`, when it is a count (a hostile server may send anything)."""
    total = page.get("total")
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None


def _message(error: spotipy.SpotifyException) -> str:
    """spotipy's msg is "<url>:\n <Spotify's message>"; keep Spotify's part."""
    return str(error.msg).rsplit("\n", 1)[-1].strip() or f"HTTP {error.http_status}"


class SpotifyClient:
    def __init__(
        self,
        settings: Settings,
        token_file: TokenFile,
        *,
        wait: Waiter,
        clock: Callable[[], datetime],
        app_only: bool = False,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        deadline: float = REQUEST_DEADLINE_SECONDS,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        """A client for the logged-in user, or with `app_only` for public data (Client Credentials, no login).

        `timeout` bounds each socket read, `deadline` a whole request, `max_bytes` an answer (tokens' too)."""
        # Our own session: no urllib3 retries (spotipy never sleeps silently on a 429), bounded time and size.
        session = BoundedSession(deadline, max_bytes)
        self._tokens: StoredToken | AppToken = (
            AppToken(settings, TokenFile(settings.app_token_path), session)
            if app_only
            else StoredToken(settings, token_file, session)
        )
        self._sp = spotipy.Spotify(auth_manager=self._tokens, requests_session=session, requests_timeout=timeout)
        self._sp.prefix = settings.api_url
        self._max_retry_wait = settings.max_retry_wait
        self._wait = wait
        self._clock = clock

    # reads -------------------------------------------------------------------------------------------

    def me(self) -> User:
        return user_from_json(self._object(self._call(self._sp.me), "id"))

    def top_tracks(self, time_range: TimeRange, limit: int = 50) -> list[Track]:
        """Spotify keeps at most 50 per range, so one request is the whole chart."""
        page = self._call(lambda: self._sp.current_user_top_tracks(limit=limit, time_range=time_range.value))
        return tracks_from_page(self._object(page, "items"))

    def recently_played(self, after: datetime | None) -> list[tuple[Track, str]]:
        """Plays after `after` (Spotify keeps only the last 50), newest first, with their UTC end times."""
        after_ms = int(after.timestamp() * 1000) if after else None
        page = self._call(lambda: self._sp.current_user_recently_played(limit=RECENT_LIMIT, after=after_ms))
        plays = []
        for entry in self._object(page, "items")["items"]:
            track = track_from_json(entry.get("track")) if isinstance(entry, dict) else None
            played_at = parse_played_at(entry.get("played_at")) if track else None
            if track and played_at:
                plays.append((track, played_at))
        return plays

    def _items(
        self,
        first: Callable[[], Any],
        errors: dict[int, TmError] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[object]:
        """Every item of a paged answer (as Spotify sent it: usually an object, sometimes null), following `next`.

        A page that links off the API base, back to a page already read, or past what the first page's `total`
        allows ends the listing with an error, never a shorter list: a playlist's diff or the search for a managed
        playlist would take a partial list for the whole one."""
        page = self._object(self._call(first, errors=errors), "items")
        total = _total(page)
        allowed = MAX_PAGES if total is None else min(MAX_PAGES, -(-total // max(1, len(page["items"]))) + PAGE_SLACK)
        read = {page.get("href")}
        seen = 0
        while True:
            items = page["items"]
            seen += len(items)
            if on_page:
                on_page(seen, _total(page) or seen)
            yield from items
            link = page.get("next")
            if not link:
                return
            self._check_next(link, read, allowed, total)
            read.add(link)
            page = self._object(self._call(functools.partial(self._sp._get, link), errors=errors), "items")

    def _check_next(self, link: object, read: set[object], allowed: int, total: int | None) -> None:
        if not isinstance(link, str) or not under_base(link, self._sp.prefix):
            shown = link[:80] if isinstance(link, str) else type(link).__name__
            raise SpotifyError(
                f"Spotify's answer links its next page outside {self._sp.prefix} ({shown}); tm sends your token "
                "nowhere else, so it stopped. Nothing saved.",
                hint="Check TM_SPOTIFY_API_URL (and any .env in this directory), then try again.",
            )
        if link in read:
            raise SpotifyError(
                "Spotify's answer links back to a page tm already read (a loop); tm stopped. Nothing saved.",
                hint="Try again later.",
            )
        if len(read) >= allowed:
            claimed = f"a list of {total}" if total is not None else "a list without a total"
            raise SpotifyError(
                f"Spotify kept sending next pages ({len(read)} pages for {claimed}); tm stopped. Nothing saved.",
                hint="Try again later.",
            )

    def _entries(self, playlist_id: str) -> Iterator[object]:
        """The raw entries of one of the user's playlists (`/playlists/{id}/items`)."""
        not_yours = NotYours("Spotify only shows the items of playlists you own or collaborate on (403).")
        return self._items(
            lambda: self._sp.playlist_items(playlist_id, limit=PAGE_SIZE, additional_types=("track",)),
            errors={403: not_yours, 404: NotFound(f"No playlist {playlist_id} (or it is not visible to you).")},
        )

    def playlist_entries(self, playlist_id: str) -> Iterator[PlaylistEntry]:
        """The entries of one of the user's playlists, in order; what is not a track has no `track`."""
        return map(playlist_entry_from_json, self._entries(playlist_id))

    def playlist_uris(self, playlist_id: str) -> list[str]:
        return [uri for uri in map(playlist_entry_uri, self._entries(playlist_id)) if uri]

    def my_playlists(self, on_page: Callable[[int, int], None] | None = None) -> Iterator[PlaylistSummary]:
        """The playlists in the user's library (owned or followed), every page."""
        listed = self._items(lambda: self._sp.current_user_playlists(limit=PAGE_SIZE), on_page=on_page)
        return (playlist for playlist in map(playlist_from_json, listed) if playlist)

    def user_playlists(
        self, user_id: str, on_page: Callable[[int, int], None] | None = None
    ) -> Iterator[PlaylistSummary]:
        """Another user's public playlists; removed by Spotify for development-mode apps made since Feb 2026."""
        removed = SpotifyError(
            "Spotify no longer lets apps created since February 2026 list another user's playlists "
            "(GET /users/{id}/playlists answers 403). That is Spotify's rule, not a tm bug.",
            hint="Run `tm playlists` without a user to list your own.",
        )
        unknown = NotFound(
            f"Spotify has no user with the id {user_id!r}.",
            hint="Use the user id from their profile link (open.spotify.com/user/<id>), not the name.",
        )
        listed = self._items(
            lambda: self._sp._get(f"users/{quote(user_id, safe='')}/playlists", limit=PAGE_SIZE),
            errors={403: removed, 404: unknown},
            on_page=on_page,
        )
        return (playlist for playlist in map(playlist_from_json, listed) if playlist)

    def find_playlist(self, marker: str, owner_id: str) -> str | None:
        """The id of `owner_id`'s own playlist whose description carries `marker` (to recover a lost database).

        Only the owner's: anyone can write tm's marker into a playlist of theirs that the listener follows."""
        for playlist in self.my_playlists():
            if playlist.owner == owner_id and marker in (playlist.description or ""):
                return playlist.id
        return None

    def follows_playlist(self, playlist_id: str) -> bool:
        """Whether the playlist is still in the user's library ("deleting" one only unfollows it).

        Only a `false` says so: the check failing (a 404 or 403 of its own) is an error, never "not there"."""
        undecided = SpotifyError(
            f"Spotify could not say whether playlist {playlist_id} is still in your library "
            "(GET /me/library/contains failed); tm changed nothing.",
            hint="Try again later; tm makes a new playlist only once Spotify says the old one is gone.",
        )
        answer = self._call(
            lambda: self._sp._get("me/library/contains", uris=f"spotify:playlist:{playlist_id}"),
            errors={403: undecided, 404: undecided},
        )
        if not isinstance(answer, list) or len(answer) != 1:
            raise self._unexpected("a list of one boolean")
        return bool(answer[0])

    # writes ------------------------------------------------------------------------------------------

    def create_playlist(self, name: str, description: str, public: bool = False) -> PlaylistRef:
        # POST /me/playlists defaults to public, so always say what we mean. Not retried on 5xx: no duplicates.
        data = self._call(
            lambda: self._sp.current_user_playlist_create(name, public=public, description=description),
            idempotent=False,
        )
        data = self._object(data, "id")
        return PlaylistRef(
            id=data["id"], name=data.get("name", name), url=(data.get("external_urls") or {}).get("spotify")
        )

    def rename_playlist(self, playlist_id: str, name: str) -> None:
        self._call(lambda: self._sp.playlist_change_details(playlist_id, name=name))

    def replace_playlist_items(self, playlist_id: str, uris: list[str]) -> None:
        """PUT the first 100 (replacing everything), then POST the rest in chunks of 100."""
        self._call(lambda: self._sp.playlist_replace_items(playlist_id, uris[:WRITE_CHUNK]))
        for start in range(WRITE_CHUNK, len(uris), WRITE_CHUNK):
            chunk = uris[start : start + WRITE_CHUNK]
            add_chunk = functools.partial(self._sp._post, f"playlists/{playlist_id}/items", payload={"uris": chunk})
            self._call(add_chunk, idempotent=False)

    def _object(self, answer: Any, key: str) -> dict[str, Any]:
        """Spotify's answer must be a JSON object with `key` (a captive portal or a wrong URL is not)."""
        if not isinstance(answer, dict) or answer.get(key) is None:
            raise self._unexpected(f"a JSON object with {key!r}")
        if key == "items" and not isinstance(answer["items"], list):
            raise self._unexpected("a page of items")
        return answer

    def _unexpected(self, wanted: str) -> SpotifyError:
        return SpotifyError(
            f"Spotify at {self._sp.prefix} sent an unexpected answer (expected {wanted}); nothing saved.",
            hint="Check TM_SPOTIFY_API_URL and your network (a captive portal?), then try again.",
        )

    # the policy --------------------------------------------------------------------------------------

    def _call(
        self, request: Callable[[], Any], *, idempotent: bool = True, errors: dict[int, TmError] | None = None
    ) -> Any:
        """Run a request under the retry policy; `errors` replaces the generic message for some statuses."""
        refreshed = False
        for attempt in range(MAX_ATTEMPTS):
            last = attempt == MAX_ATTEMPTS - 1
            try:
                return request()
            except spotipy.SpotifyException as error:
                if error.http_status == 401 and not refreshed:
                    self._tokens.refresh()
                    refreshed = True
                    continue
                if errors and error.http_status in errors:
                    raise errors[error.http_status] from error
                self._handle_http_error(error, last=last, idempotent=idempotent, attempt=attempt)
            except AnswerOutOfBounds as error:  # the same server would do it again: no retry
                raise SpotifyError(
                    f"tm stopped reading Spotify at {self._sp.prefix}: {error}. Nothing saved.",
                    hint="Check TM_SPOTIFY_API_URL and your network, then try again.",
                ) from error
            except (requests.ConnectionError, requests.Timeout) as error:
                if last or not idempotent:
                    raise NetworkError(
                        f"Cannot reach Spotify at {self._sp.prefix} ({type(error).__name__}).",
                        hint="Check your internet connection and try again.",
                    ) from error
                self._wait(BACKOFF_SECONDS[attempt], "Spotify did not answer")
        raise SpotifyError("Spotify kept failing; giving up.")  # only after repeated 401s

    def _handle_http_error(
        self, error: spotipy.SpotifyException, *, last: bool, idempotent: bool, attempt: int
    ) -> None:
        """Wait and return to retry, or raise the error the user should see."""
        status = error.http_status
        if status == 429:
            self._wait_for_rate_limit(error, last=last)
        elif status >= 500 and idempotent and not last:
            self._wait(BACKOFF_SECONDS[attempt], f"Spotify answered HTTP {status}")
        else:
            raise self._translate(error) from error

    def _wait_for_rate_limit(self, error: spotipy.SpotifyException, *, last: bool) -> None:
        if error.reason == "QUOTA_EXCEEDED":
            raise RateLimited(
                "Spotify says this app's request quota is used up (QUOTA_EXCEEDED).",
                hint="Dev-mode quota is shared by all apps of one developer account; try again tomorrow.",
            )
        try:
            asked = int((error.headers or {}).get("Retry-After", "1"))
        except ValueError:  # not a number of seconds (an HTTP date, garbage, thousands of digits)
            asked = 1
        retry_after = min(max(1, asked), MAX_RETRY_AFTER)  # a time that can still be told
        if retry_after > self._max_retry_wait or last:
            resume_at = (self._clock() + timedelta(seconds=retry_after)).astimezone()
            when = f"{'not before ' if asked > MAX_RETRY_AFTER else ''}{resume_at:%Y-%m-%d %H:%M}"
            raise RateLimited(
                f"Spotify is rate limiting tm: retry after {when} (in {timedelta(seconds=retry_after)}).",
                hint=f"tm waits out at most TM_MAX_RETRY_WAIT={self._max_retry_wait}s; nothing was changed.",
            )
        self._wait(retry_after, "Spotify rate limit")

    @staticmethod
    def _translate(error: spotipy.SpotifyException) -> TmError:
        status, message = error.http_status, _message(error)
        if status == 401:
            return AuthExpired("Spotify rejected tm's access token even after a refresh.", hint="Run `tm login`.")
        if status == 403 and ("registered" in message.lower() or "dashboard" in message.lower()):
            return SpotifyError(
                "Spotify refused: this account is not on the app's user allow-list.",
                hint="Development-mode apps allow at most 5 users. Add the account's e-mail under "
                "Dashboard → your app → Settings → User Management (the app owner needs Premium).",
            )
        if status == 403:
            return SpotifyError(
                f"Spotify refused the request (403: {message}).",
                hint="The app may lack a scope (run `tm login` again) or the owner's Premium lapsed.",
            )
        if status == 404:
            return NotFound(f"Spotify says it does not exist (404: {message}).")
        if status >= 500:
            return SpotifyError(
                f"Spotify is having trouble (HTTP {status}: {message}).",
                hint="Try again in a few minutes; tm only saves complete results.",
            )
        return SpotifyError(f"Spotify answered HTTP {status}: {message}.")
