"""The fake Web API under ``/v1``: the development-mode endpoint set of late 2026.

Removed endpoints (``/playlists/{id}/tracks``, ``/users/{id}/playlists``, ``/users/{id}``, batch gets, the old
follow and save endpoints) answer 403 ``Forbidden`` like Spotify does for a new dev-mode app. The one exception,
``GET /users/{id}/playlists`` for a pre-2026 (``legacy_app``) Client ID, lives in ``fake_users``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from music_time_machine.testing.fake_catalog import CHART_SIZE, TIME_RANGES, JsonObject, spotify_ref
from music_time_machine.testing.fake_core import (
    MAX_PAGE,
    AccessToken,
    ApiError,
    FakePlaylist,
    FakeState,
    FakeUser,
    Request,
    Response,
    Route,
    int_arg,
    json_object,
    json_response,
    page_response,
    paging,
    route,
)

MAX_WRITE_URIS = 100
MAX_LIBRARY_URIS = 40
UNKNOWN_ADDED_AT = "1970-01-01T00:00:00Z"
BASE62_ID = re.compile(r"[0-9A-Za-z]{22}")
LIBRARY_URI = re.compile(r"spotify:(?:track|album|artist|playlist|episode|show|audiobook):[0-9A-Za-z]{22}")
DETAIL_TYPES: dict[str, type] = {"name": str, "description": str, "public": bool, "collaborative": bool}


# --- authentication --------------------------------------------------------------------------------------


def access_token(state: FakeState, req: Request) -> AccessToken:
    """The valid bearer token (user or client credentials); 401 without one, 403 for a user not allow-listed."""
    header = req.header("Authorization") or ""
    if not header.startswith("Bearer "):
        raise ApiError(401, "No token provided")
    token = state.access_tokens.get(header.removeprefix("Bearer ").strip())
    if token is None:
        raise ApiError(401, "Invalid access token")
    if token.expired:
        raise ApiError(401, "The access token expired")
    if token.user_id is not None and not state.users[token.user_id].allow_listed:
        raise ApiError(403, "User not registered in the Developer Dashboard")
    return token


@dataclass(frozen=True)
class Caller:
    user: FakeUser
    scopes: frozenset[str]

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ApiError(403, "Insufficient client scope")


def request_caller(state: FakeState, req: Request) -> Caller:
    """The user behind the bearer token; client-credentials tokens have none."""
    token = access_token(state, req)
    if token.user_id is None:
        raise ApiError(401, "Valid user authentication required")
    return Caller(state.users[token.user_id], frozenset(token.scope.split()))


def _modify_scope(public: bool) -> str:
    return "playlist-modify-public" if public else "playlist-modify-private"


def api_base(req: Request) -> str:
    """This server's API base, for the ``href`` fields of the objects it builds."""
    return f"{req.base_url}/v1"


# --- users and charts ------------------------------------------------------------------------------------


def get_me(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    user = request_caller(state, req).user
    return json_response(
        200,
        {
            "account_id": user.account_id,
            "display_name": user.display_name,
            "images": [],
            **spotify_ref("user", user.id, api_base(req)),
        },
    )


def get_top_tracks(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    caller = request_caller(state, req)
    caller.require_scope("user-top-read")
    time_range = req.arg("time_range") or "medium_term"
    if time_range not in TIME_RANGES:
        raise ApiError(400, "Invalid time range")
    beyond_cap = int_arg(req, "offset", 0) >= CHART_SIZE  # Spotify keeps only 50 per range
    chart = [] if beyond_cap else state.catalog.chart(time_range, state.month, caller.user.id)
    return page_response(req, chart)


def get_track(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    access_token(state, req)
    if not BASE62_ID.fullmatch(match["id"]):
        raise ApiError(400, "Invalid base62 id")
    track = state.catalog.track(f"spotify:track:{match['id']}")
    if track is None:
        raise ApiError(404, "Resource not found")
    return json_response(200, track)


def removed_endpoint(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    access_token(state, req)
    raise ApiError(403, "Forbidden")


# --- playlist objects ------------------------------------------------------------------------------------


def _playlist_summary(state: FakeState, playlist: FakePlaylist, api: str) -> JsonObject:
    owner = state.users.get(playlist.owner_id)
    return {
        "collaborative": playlist.collaborative,
        "description": playlist.description,
        "images": [],
        "items": {"href": f"{api}/playlists/{playlist.id}/items", "total": len(playlist.uris)},
        "name": playlist.name,
        "owner": {
            "display_name": owner.display_name if owner else None,
            **spotify_ref("user", playlist.owner_id, api),
        },
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        **spotify_ref("playlist", playlist.id, api),
    }


def simplified_playlist(state: FakeState, playlist: FakePlaylist, api: str) -> JsonObject:
    """A SimplifiedPlaylistObject as list endpoints send it: ``items{href,total}`` plus the deprecated ``tracks``."""
    summary = _playlist_summary(state, playlist, api)
    summary["tracks"] = dict(summary["items"])  # deprecated duplicate, still sent
    return summary


def _full_playlist(state: FakeState, playlist: FakePlaylist, api: str, *, readable: bool) -> JsonObject:
    """A PlaylistObject; ``items`` only for owners and collaborators (others get metadata only)."""
    body = _playlist_summary(state, playlist, api)
    body["followers"] = {"href": None, "total": len(playlist.followers)}
    if readable:
        body["items"] = paging(body["items"]["href"], _entries(state, playlist, api), MAX_PAGE, 0)
    else:
        del body["items"]
    return body


def _entries(state: FakeState, playlist: FakePlaylist, api: str) -> list[JsonObject]:
    added_by = spotify_ref("user", playlist.owner_id, api)
    return [
        {
            "added_at": playlist.added_at.get(uri, UNKNOWN_ADDED_AT),
            "added_by": added_by,
            "is_local": False,
            "item": state.catalog.track(uri),
        }
        for uri in playlist.uris
    ]


def _can_edit(playlist: FakePlaylist, user_id: str) -> bool:
    return user_id == playlist.owner_id or (playlist.collaborative and user_id in playlist.followers)


def _find_playlist(state: FakeState, match: re.Match[str]) -> FakePlaylist:
    playlist = state.playlists.get(match["id"])
    if playlist is None:
        raise ApiError(404, "Resource not found")
    return playlist


def _own_playlist(
    state: FakeState, req: Request, match: re.Match[str], *, write: bool, owner_only: bool = False
) -> FakePlaylist:
    """The playlist, if the caller may read it (owner or collaborator), or write it with the right scope."""
    caller = request_caller(state, req)
    playlist = _find_playlist(state, match)
    allowed = caller.user.id == playlist.owner_id if owner_only else _can_edit(playlist, caller.user.id)
    if not allowed:
        raise ApiError(403, "Forbidden")
    if write:
        caller.require_scope(_modify_scope(playlist.public))
    return playlist


def _checked_details(body: JsonObject) -> JsonObject:
    details = {key: value for key, value in body.items() if key in DETAIL_TYPES}
    for key, value in details.items():
        if not isinstance(value, DETAIL_TYPES[key]):
            raise ApiError(400, f"Invalid value for {key}")
    if details.get("collaborative") and details.get("public", True):
        raise ApiError(400, "Collaborative playlists can only be private.")
    return details


# --- playlist endpoints ----------------------------------------------------------------------------------


def create_playlist(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    caller = request_caller(state, req)
    defaults = {"public": True, "collaborative": False, "description": None}
    details = {**defaults, **_checked_details(json_object(req))}
    if not details.get("name"):
        raise ApiError(400, "Missing required field: name")
    caller.require_scope(_modify_scope(details["public"]))
    playlist = state.new_playlist(
        caller.user.id,
        details["name"],
        details["description"],
        public=details["public"],
        collaborative=details["collaborative"],
    )
    return json_response(201, _full_playlist(state, playlist, api_base(req), readable=True))


def list_my_playlists(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    user = request_caller(state, req).user
    followed = [playlist for playlist in reversed(state.playlists.values()) if user.id in playlist.followers]
    return page_response(req, [simplified_playlist(state, playlist, api_base(req)) for playlist in followed])


def get_playlist(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    token = access_token(state, req)
    playlist = _find_playlist(state, match)
    readable = token.user_id is not None and _can_edit(playlist, token.user_id)
    return json_response(200, _full_playlist(state, playlist, api_base(req), readable=readable))


def change_details(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    playlist = _own_playlist(state, req, match, write=True, owner_only=True)
    details = _checked_details({"public": playlist.public, "collaborative": playlist.collaborative, **json_object(req)})
    for key, value in details.items():
        setattr(playlist, key, value)
    playlist.snapshot_id = state.new_snapshot_id()
    return Response(200)


def get_items(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    playlist = _own_playlist(state, req, match, write=False)
    return page_response(req, _entries(state, playlist, api_base(req)))


def _requested_uris(state: FakeState, req: Request) -> list[str]:
    """URIs from the ``uris`` query parameter (it wins, as on Spotify), a ``{"uris": […]}`` body or a list."""
    query = req.arg("uris")
    body = req.body
    uris = query.split(",") if query is not None else body.get("uris") if isinstance(body, dict) else body
    if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
        raise ApiError(400, "Missing uris (reordering is not supported by the fake)")
    if len(uris) > MAX_WRITE_URIS:
        raise ApiError(400, "Too many ids requested")
    if any(uri not in state.catalog for uri in uris):
        raise ApiError(400, "Invalid track uri")
    return uris


def _committed(state: FakeState, playlist: FakePlaylist, status: int) -> Response:
    when = f"{state.month}-01T00:00:00Z"
    playlist.added_at = {uri: playlist.added_at.get(uri, when) for uri in playlist.uris}
    playlist.snapshot_id = state.new_snapshot_id()
    return json_response(status, {"snapshot_id": playlist.snapshot_id})


def replace_items(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    playlist = _own_playlist(state, req, match, write=True)
    playlist.uris = _requested_uris(state, req)
    return _committed(state, playlist, 200)


def add_items(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    playlist = _own_playlist(state, req, match, write=True)
    uris = _requested_uris(state, req)
    position = req.body.get("position") if isinstance(req.body, dict) else None
    position = int_arg(req, "position", len(playlist.uris)) if position is None else position
    if not isinstance(position, int) or not 0 <= position <= len(playlist.uris):
        raise ApiError(400, "Index out of bounds")
    playlist.uris[position:position] = uris
    return _committed(state, playlist, 201)


def remove_items(state: FakeState, req: Request, match: re.Match[str]) -> Response:
    playlist = _own_playlist(state, req, match, write=True)
    entries = json_object(req).get("items")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ApiError(400, 'Missing "items": [{"uri": ...}]')
    if len(entries) > MAX_WRITE_URIS:
        raise ApiError(400, "Too many ids requested")
    doomed = {entry.get("uri") for entry in entries}
    playlist.uris = [uri for uri in playlist.uris if uri not in doomed]
    return _committed(state, playlist, 200)


# --- library ---------------------------------------------------------------------------------------------


def _library_uris(req: Request) -> list[str]:
    raw = req.arg("uris")
    if not raw:
        raise ApiError(400, "Missing required parameter: uris")
    uris = raw.split(",")
    if len(uris) > MAX_LIBRARY_URIS:
        raise ApiError(400, "Too many ids requested")
    invalid = [uri for uri in uris if not LIBRARY_URI.fullmatch(uri)]
    if invalid:
        raise ApiError(400, f"Invalid uri: {invalid[0]}")
    return uris


def _library_playlist(state: FakeState, uri: str) -> FakePlaylist | None:
    kind, _, item_id = uri.removeprefix("spotify:").partition(":")
    return state.playlists.get(item_id) if kind == "playlist" else None


def library_contains(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    user = request_caller(state, req).user
    playlists = [_library_playlist(state, uri) for uri in _library_uris(req)]
    return json_response(200, [bool(playlist and user.id in playlist.followers) for playlist in playlists])


def change_library(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    """``PUT`` follows, ``DELETE`` unfollows the playlists among ``uris``; other kinds are ignored."""
    user = request_caller(state, req).user
    for uri in _library_uris(req):
        playlist = _library_playlist(state, uri)
        if playlist is not None and req.method == "PUT":
            playlist.followers.add(user.id)
        elif playlist is not None:
            playlist.followers.discard(user.id)
    return Response(200)


PLAYLIST = r"/v1/playlists/(?P<id>[^/]+)"
SAVED_KINDS = r"(?:tracks|albums|episodes|shows|audiobooks|following)"
REMOVED_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("*", PLAYLIST + r"/tracks"),
    ("*", PLAYLIST + r"/followers(?:/contains)?"),
    ("*", r"/v1/users/[^/]+/playlists"),
    ("GET", r"/v1/users/[^/]+/?"),
    ("GET", r"/v1/(?:tracks|albums|artists|episodes|shows|audiobooks|chapters)/?"),
    ("GET", rf"/v1/me/{SAVED_KINDS}/contains"),
    ("PUT", rf"/v1/me/{SAVED_KINDS}"),
    ("DELETE", rf"/v1/me/{SAVED_KINDS}"),
    ("GET", r"/v1/artists/[^/]+/(?:top-tracks|related-artists)"),
    ("GET", r"/v1/(?:recommendations|audio-features|audio-analysis|markets)(?:/.*)?"),
    ("GET", r"/v1/browse/(?:new-releases|categories|featured-playlists)(?:/.*)?"),
)

WEBAPI_ROUTES: list[Route] = [
    route("GET", r"/v1/me/?", get_me),
    route("GET", r"/v1/me/top/tracks", get_top_tracks),
    route("GET", r"/v1/me/playlists", list_my_playlists),
    route("POST", r"/v1/me/playlists", create_playlist),
    route("GET", r"/v1/me/library/contains", library_contains),
    route("PUT", r"/v1/me/library", change_library),
    route("DELETE", r"/v1/me/library", change_library),
    route("GET", PLAYLIST, get_playlist),
    route("PUT", PLAYLIST, change_details),
    route("GET", PLAYLIST + r"/items", get_items),
    route("PUT", PLAYLIST + r"/items", replace_items),
    route("POST", PLAYLIST + r"/items", add_items),
    route("DELETE", PLAYLIST + r"/items", remove_items),
    route("GET", r"/v1/tracks/(?P<id>[^/]+)", get_track),
    *(route(method, regex, removed_endpoint) for method, regex in REMOVED_ENDPOINTS),
]
