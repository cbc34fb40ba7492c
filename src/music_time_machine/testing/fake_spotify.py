"""FakeSpotify: a local stand-in for accounts.spotify.com and api.spotify.com/v1 as of late 2026.

It behaves like Spotify does for a development-mode app: removed endpoints answer 403, track objects have
no ``popularity``, playlists are read and written through ``/playlists/{id}/items``, top tracks stop at 50
per range. Charts come from :class:`~music_time_machine.testing.fake_catalog.Catalog` for a settable
virtual ``month``. Tests steer it with ``fail_next``, ``expire_access_tokens``, ``revoke_refresh_tokens``,
``deny_next_authorize`` and friends, and inspect ``requests`` and ``playlists``. ``record_play`` and ``listen``
fill the last-50-plays history that ``/me/player/recently-played`` serves. Hostile modes (``loop_pages``,
``endless_pages``, ``next_link``, ``drip_next``, ``giant_next``, ``add_playlist`` for a stranger's playlist, and
``ForeignHost`` to point links at) come from :mod:`~music_time_machine.testing.fake_hostile`.

``FakeSpotify(legacy_app=True)`` plays a Client ID created before 2026-02-11, which still gets
``GET /users/{id}/playlists`` (client-credentials tokens are enough); ``add_public_playlists`` fills it.

    with FakeSpotify() as fake:
        sp = spotipy.Spotify(auth=token)
        sp.prefix = fake.api_url
"""

from __future__ import annotations

import hashlib
import random
import time
from datetime import datetime, timedelta
from typing import Any

from music_time_machine.testing.fake_accounts import ACCOUNTS_ROUTES
from music_time_machine.testing.fake_catalog import Catalog, JsonObject, month_index
from music_time_machine.testing.fake_core import (
    Failure,
    FakeHttpError,
    FakePlaylist,
    FakeState,
    FakeUser,
    RecordedRequest,
    Request,
    Response,
    Stall,
    api_error_body,
    find_route,
    json_response,
)
from music_time_machine.testing.fake_hostile import HostileModes, PageRule, rewrite_page
from music_time_machine.testing.fake_player import PLAYER_ROUTES, add_play, iso_ms, known_user, listen, to_ms
from music_time_machine.testing.fake_users import USERS_ROUTES, add_public_playlists
from music_time_machine.testing.fake_webapi import WEBAPI_ROUTES
from music_time_machine.testing.loopback import LoopbackFake

__all__ = ["FakePlaylist", "FakeSpotify", "RecordedRequest"]

ROUTES = [*ACCOUNTS_ROUTES, *PLAYER_ROUTES, *USERS_ROUTES, *WEBAPI_ROUTES]
DEFAULT_USER_ID = "fake-listener"
DEFAULT_DISPLAY_NAME = "Fake Listener"


class FakeSpotify(HostileModes, LoopbackFake):
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) serving the accounts service and the Web API."""

    def __init__(
        self,
        *,
        seed: int = 7,
        client_id: str = "tm-test-client",
        client_secret: str | None = "tm-test-secret",
        redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8888/callback",),
        month: str = "2025-01",
        legacy_app: bool = False,
    ) -> None:
        """``legacy_app``: a Client ID created before 2026-02-11, which may still list users' public playlists."""
        month_index(month)
        self.catalog = Catalog(seed)
        self._state = FakeState(
            catalog=self.catalog,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=list(redirect_uris),
            month=month,
            rng=random.Random(seed),
            legacy_app=legacy_app,
        )
        super().__init__("fake-spotify")
        self._page_rules: list[PageRule] = []
        self.add_user(DEFAULT_USER_ID, DEFAULT_DISPLAY_NAME)
        self.login_as(DEFAULT_USER_ID)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1/"

    @property
    def accounts_url(self) -> str:
        return f"{self.base_url}/"

    # --- world state -------------------------------------------------------------------------------------

    @property
    def month(self) -> str:
        return self._state.month

    @month.setter
    def month(self, value: str) -> None:
        month_index(value)
        with self._state.lock:
            self._state.month = value

    @property
    def redirect_uris(self) -> list[str]:
        return self._state.redirect_uris

    @property
    def playlists(self) -> dict[str, FakePlaylist]:
        return self._state.playlists

    @property
    def legacy_app(self) -> bool:
        return self._state.legacy_app

    def add_user(self, user_id: str, display_name: str | None = None, *, allow_listed: bool = True) -> None:
        account_id = hashlib.sha256(f"account:{user_id}".encode()).hexdigest()[:32]
        with self._state.lock:
            self._state.users[user_id] = FakeUser(user_id, display_name, account_id, allow_listed)

    def add_public_playlists(self, user_id: str, count: int, display_name: str | None = None) -> list[str]:
        """Create ``count`` public playlists owned by ``user_id``; their ids in creation order.

        An unknown user is added first (allow-listed, with ``display_name``); a known one is left as it is.
        Names run "Public Playlist 001", "Public Playlist 002", …; each holds 1-4 catalogue tracks.
        """
        with self._state.lock:
            if user_id not in self._state.users:
                self.add_user(user_id, display_name)
            return add_public_playlists(self._state, user_id, count)

    def login_as(self, user_id: str) -> None:
        """Make /authorize approve for ``user_id`` from now on."""
        with self._state.lock:
            if user_id not in self._state.users:
                raise KeyError(f"unknown user {user_id!r}; call add_user() first")
            self._state.current_user = user_id

    def set_allow_listed(self, user_id: str, allowed: bool) -> None:
        """If False, /v1 calls with this user's token get 403 "User not registered in the Developer …"."""
        with self._state.lock:
            self._state.users[user_id].allow_listed = allowed

    def top_tracks(self, time_range: str, user_id: str | None = None) -> list[JsonObject]:
        """The chart /me/top/tracks pages through for this user (default: the logged-in one) this month."""
        with self._state.lock:
            return self.catalog.chart(time_range, self._state.month, user_id or self._state.current_user)

    def unfollow_playlist(self, playlist_id: str, user_id: str | None = None) -> None:
        """What "delete playlist" in the Spotify app does: it still exists, but is gone from the library."""
        with self._state.lock:
            playlist = self._state.playlists[playlist_id]
            playlist.followers.discard(user_id or playlist.owner_id)

    def delete_playlist(self, playlist_id: str) -> None:
        """Gone entirely: every access answers 404."""
        with self._state.lock:
            del self._state.playlists[playlist_id]

    # --- listening history ------------------------------------------------------------------------------

    def record_play(self, track_uri: str, played_at: datetime | str, user_id: str | None = None) -> None:
        """Add a play (aware datetime or ISO ``…Z`` string) to the user's history; only the newest 50 survive.

        The user defaults to the logged-in one; an unknown track URI is a ValueError.
        """
        with self._state.lock:
            add_play(self._state, known_user(self._state, user_id), track_uri, to_ms(played_at))

    def listen(
        self, until: datetime, plays: int, user_id: str | None = None, spacing: timedelta = timedelta(minutes=4)
    ) -> list[str]:
        """Record ``plays`` plays, ``spacing`` apart, the last at ``until``; returns their URIs, oldest first.

        Tracks come from the user's short_term chart for the current ``month``, drawn with a generator seeded
        by the user and ``until`` (so the same call always plays the same tracks), never one twice in a row.
        """
        with self._state.lock:
            return listen(self._state, known_user(self._state, user_id), to_ms(until), plays, spacing)

    def recent_plays(self, user_id: str | None = None) -> list[tuple[str, str]]:
        """``(uri, played_at)`` newest first: what ``/me/player/recently-played`` can still see."""
        with self._state.lock:
            plays = self._state.plays.get(known_user(self._state, user_id), [])
            return [(play.uri, iso_ms(play.played_at_ms)) for play in reversed(plays)]

    # --- failure injection -------------------------------------------------------------------------------

    def deny_next_authorize(self) -> None:
        with self._state.lock:
            self._state.deny_next_authorize = True

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        *,
        method: str | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        after: int = 0,
    ) -> None:
        """Answer ``times`` requests whose path starts with ``path_prefix`` with ``status``.

        The first ``after`` matching requests still get their normal answer (e.g. fail only the third page).
        The default body is ``{"error": {"status": status, "message": <Spotify's usual text>}}``.
        """
        response = json_response(status, api_error_body(status) if body is None else body, headers)
        failure = Failure(path_prefix, method.upper() if method else None, times, response, after)
        with self._state.lock:
            self._state.failures.append(failure)

    def stall_next(self, path_prefix: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` matching requests for ``seconds`` before answering (to cause read timeouts)."""
        with self._state.lock:
            self._state.stalls.append(Stall(path_prefix, seconds, times))

    def expire_access_tokens(self) -> None:
        """Every access token issued so far now gets 401 "The access token expired"."""
        with self._state.lock:
            for token in self._state.access_tokens.values():
                token.expired = True

    def revoke_refresh_tokens(self, description: str = "Refresh token revoked") -> None:
        """Every refresh token issued so far now gets 400 invalid_grant with this description."""
        with self._state.lock:
            for token in self._state.refresh_tokens.values():
                token.revoked = description

    # --- request log -------------------------------------------------------------------------------------

    def count(self, method: str, path_prefix: str) -> int:
        method = method.upper()
        return sum(r.method == method and r.path.startswith(path_prefix) for r in self.requests)

    def _dispatch(self, request: Request) -> Response:
        state = self._state
        with state.lock:
            stall = state.take_stall(request.path)
        if stall:
            time.sleep(stall)  # outside the lock: other requests go on
        with state.lock:
            self._record(request)
            canned = state.take_failure(request.method, request.path)
            if canned is not None:
                return canned
            found = find_route(ROUTES, request.method, request.path)
            if found is None:
                return json_response(404, api_error_body(404, "Service not found"))
            matched, match = found
            try:
                response = matched.handler(state, request, match)
            except FakeHttpError as error:
                return error.response
            for rule in self._page_rules:
                if rule.matches(request):
                    response = rewrite_page(rule, response)
            return response
