"""``GET /v1/users/{id}/playlists``: a user's public playlists, for Client IDs created before 2026-02-11.

A new (2026) development-mode app gets 403 ``Forbidden`` like every removed endpoint. A ``legacy_app`` still
gets the endpoint, with a user token or a client-credentials one:

- an unknown user id is 404 ``Resource not found`` (``GET /users/{id}`` itself stays removed in both modes);
- the answer is a PagingObject (``limit`` 1-50, default 20; ``offset`` >= 0) of SimplifiedPlaylistObjects:
  the public playlists the user owns and still has in their library, oldest first (creation order), with
  absolute ``next``/``previous`` URLs on this server.

Only ``GET`` is served; ``POST /users/{id}/playlists`` stays removed in both modes.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from music_time_machine.testing.fake_core import (
    ApiError,
    FakePlaylist,
    FakeState,
    Request,
    Response,
    Route,
    page_response,
    route,
)
from music_time_machine.testing.fake_webapi import access_token, api_base, removed_endpoint, simplified_playlist

PUBLIC_PLAYLIST_NAME = "Public Playlist "
PUBLIC_PLAYLIST_TRACKS = 4  # add_public_playlists gives playlist n (1-based) 1 + (n - 1) % 4 tracks


def public_playlists(state: FakeState, user_id: str) -> list[FakePlaylist]:
    """What the user's profile shows: public playlists they own and have not removed from their library."""
    return [
        playlist
        for playlist in state.playlists.values()
        if playlist.owner_id == user_id and playlist.public and user_id in playlist.followers
    ]


def get_user_playlists(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    if not state.legacy_app:
        return removed_endpoint(state, req, match)
    access_token(state, req)  # a client-credentials token is enough
    user_id = unquote(match["id"])
    if user_id not in state.users:
        raise ApiError(404, "Resource not found")
    api = api_base(req)
    return page_response(
        req, [simplified_playlist(state, playlist, api) for playlist in public_playlists(state, user_id)]
    )


def add_public_playlists(state: FakeState, user_id: str, count: int) -> list[str]:
    """Create ``count`` public playlists owned by ``user_id`` (a known user); their ids in creation order.

    They are named "Public Playlist 001", "Public Playlist 002", … (a second call goes on where the first
    stopped; other playlists of the user do not count) and hold a few catalogue tracks each, so item totals
    are never zero.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    owned = sum(
        playlist.owner_id == user_id and playlist.name.startswith(PUBLIC_PLAYLIST_NAME)
        for playlist in state.playlists.values()
    )
    tracks = [str(track["uri"]) for track in state.catalog.tracks]
    added_at = f"{state.month}-01T00:00:00Z"
    ids: list[str] = []
    for number in range(owned + 1, owned + count + 1):
        start = (number * PUBLIC_PLAYLIST_TRACKS) % len(tracks)
        uris = tracks[start : start + 1 + (number - 1) % PUBLIC_PLAYLIST_TRACKS]
        name, description = f"{PUBLIC_PLAYLIST_NAME}{number:03d}", f"Public playlist {number} of {user_id}"
        playlist = state.new_playlist(user_id, name, description, public=True, uris=uris)
        playlist.added_at = dict.fromkeys(uris, added_at)
        ids.append(playlist.id)
    return ids


USERS_ROUTES: list[Route] = [route("GET", r"/v1/users/(?P<id>[^/]+)/playlists", get_user_playlists)]
