"""Shared plumbing for the fake Spotify server: request/response values, errors, routing and state."""

from __future__ import annotations

import base64
import io
import json
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode

from music_time_machine.testing.fake_catalog import Catalog, JsonObject, base62_id

STANDARD_MESSAGES: dict[int, str] = {
    400: "Bad request",
    401: "The access token expired",
    403: "Forbidden",
    404: "Resource not found",
    429: "API rate limit exceeded",
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


def standard_message(status: int) -> str:
    """The message Spotify puts in an error body for ``status``."""
    return STANDARD_MESSAGES.get(status) or HTTPStatus(status).phrase


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request as the route handlers see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: object | None
    base_url: str  # "http://127.0.0.1:PORT", no trailing slash

    def arg(self, name: str) -> str | None:
        """The first query-string value of ``name``."""
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    # writes the whole answer itself, status line on, until done or the server stops (the hostile modes)
    raw: Callable[[io.BufferedIOBase, threading.Event], None] | None = None


def json_response(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, json.dumps(payload).encode(), headers=headers or {})


def text_response(status: int, text: str) -> Response:
    return Response(status, text.encode(), "text/plain; charset=utf-8")


def api_error_body(status: int, message: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """The Web API error envelope ``{"error": {"status", "message"[, "reason"]}}``."""
    error: dict[str, Any] = {"status": status, "message": message or standard_message(status)}
    if reason:
        error["reason"] = reason
    return {"error": error}


class FakeHttpError(Exception):
    """Raised by a handler to answer with ``response`` instead."""

    def __init__(self, response: Response, text: str) -> None:
        super().__init__(text)
        self.response = response


class ApiError(FakeHttpError):
    """A Web API error: ``{"error": {"status", "message"}}``."""

    def __init__(self, status: int, message: str | None = None, reason: str | None = None) -> None:
        body = api_error_body(status, message, reason)
        super().__init__(json_response(status, body), body["error"]["message"])


class OAuthError(FakeHttpError):
    """An accounts-service error: HTTP 400 ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str) -> None:
        body = {"error": error, "error_description": description}
        super().__init__(json_response(400, body), f"{error}: {description}")


MAX_PAGE = 50  # the largest ``limit`` the paged endpoints accept


def int_arg(req: Request, name: str, default: int) -> int:
    """An integer query parameter; 400 "Invalid <name>" if it is not one."""
    raw = req.arg(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None


def limit_arg(req: Request, default: int = 20) -> int:
    """The ``limit`` query parameter (1-50, default 20); 400 "Invalid limit" otherwise."""
    limit = int_arg(req, "limit", default)
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError(400, "Invalid limit")
    return limit


def json_object(req: Request) -> JsonObject:
    """The JSON object body ({} when there is none); 400 for anything else."""
    if req.body is None:
        return {}
    if not isinstance(req.body, dict):
        raise ApiError(400, "Error parsing JSON.")
    return req.body


def paging(
    url: str, items: list[JsonObject], limit: int, offset: int, query: dict[str, str] | None = None
) -> JsonObject:
    """A PagingObject over ``items`` with absolute ``href``/``next``/``previous`` URLs."""

    def page_url(at: int) -> str:
        return f"{url}?{urlencode({**(query or {}), 'offset': at, 'limit': limit})}"

    end = offset + limit
    return {
        "href": page_url(offset),
        "items": items[offset:end],
        "limit": limit,
        "next": page_url(end) if end < len(items) else None,
        "offset": offset,
        "previous": page_url(max(0, offset - limit)) if offset > 0 else None,
        "total": len(items),
    }


def page_response(req: Request, items: list[JsonObject]) -> Response:
    """200 with the page of ``items`` picked by the request's ``limit`` (1-50, default 20) and ``offset``."""
    limit, offset = limit_arg(req), int_arg(req, "offset", 0)
    if offset < 0:
        raise ApiError(400, "Invalid offset")
    query = {key: values[0] for key, values in req.query.items() if key not in ("limit", "offset")}
    return json_response(200, paging(req.base_url + req.path, items, limit, offset, query))


def parse_body(raw: bytes, content_type: str) -> object | None:
    """JSON or form bodies as Python values (form fields keep their first value); other text as a str."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "application/x-www-form-urlencoded" in content_type:
        return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass
class RecordedRequest:
    """A request as the fake received it (path without query string; JSON or form body parsed)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: object | None


@dataclass
class FakePlaylist:
    """A playlist as the fake stores it; ``followers`` are the users who have it in their library."""

    id: str
    owner_id: str
    name: str
    description: str | None
    public: bool
    collaborative: bool
    uris: list[str]
    snapshot_id: str
    followers: set[str]
    added_at: dict[str, str] = field(default_factory=dict)  # uri -> when it was first added


@dataclass
class FakeUser:
    id: str
    display_name: str | None
    account_id: str
    allow_listed: bool = True


@dataclass(frozen=True)
class Play:
    """One entry of a user's listening history."""

    uri: str
    played_at_ms: int  # Unix time in milliseconds


@dataclass(frozen=True)
class AuthCode:
    redirect_uri: str
    scope: str
    user_id: str
    code_challenge: str | None


@dataclass
class AccessToken:
    user_id: str | None  # None for client-credentials tokens
    scope: str
    expired: bool = False


@dataclass
class RefreshToken:
    user_id: str
    scope: str
    revoked: str | None = None  # error_description once revoked


@dataclass
class Failure:
    """A canned response for ``times`` requests matching ``path_prefix`` (and ``method``), after ``after``."""

    path_prefix: str
    method: str | None
    times: int
    response: Response
    after: int = 0  # matching requests still let through before the failures start

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and path.startswith(self.path_prefix) and self.method in (None, method)


@dataclass
class Stall:
    """Hold ``times`` requests matching ``path_prefix`` for ``seconds`` before answering (a slow Spotify)."""

    path_prefix: str
    seconds: float
    times: int


@dataclass
class FakeState:
    """Everything the fake remembers. Handlers run with ``lock`` held."""

    catalog: Catalog
    client_id: str
    client_secret: str | None
    redirect_uris: list[str]
    month: str
    rng: random.Random
    legacy_app: bool = False  # a Client ID created before 2026-02-11: GET /users/{id}/playlists still works
    current_user: str = ""
    deny_next_authorize: bool = False
    users: dict[str, FakeUser] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    playlists: dict[str, FakePlaylist] = field(default_factory=dict)
    plays: dict[str, list[Play]] = field(default_factory=dict)  # user id -> last 50 plays, oldest first
    failures: list[Failure] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_secret(self) -> str:
        """An opaque token or code (URL-safe, unpadded)."""
        return base64.urlsafe_b64encode(self.rng.randbytes(48)).decode().rstrip("=")

    def new_id(self) -> str:
        return base62_id(self.rng)

    def new_snapshot_id(self) -> str:
        return base64.b64encode(self.rng.randbytes(24)).decode()

    def new_playlist(
        self,
        owner_id: str,
        name: str,
        description: str | None,
        *,
        public: bool,
        collaborative: bool = False,
        uris: list[str] | None = None,
        followers: tuple[str, ...] = (),
    ) -> FakePlaylist:
        """A playlist of ``owner_id`` (in the owner's library, and in ``followers``'), stored under a new id."""
        playlist = FakePlaylist(
            id=self.new_id(),
            owner_id=owner_id,
            name=name,
            description=description,
            public=public,
            collaborative=collaborative,
            uris=uris or [],
            snapshot_id=self.new_snapshot_id(),
            followers={owner_id, *followers},
        )
        self.playlists[playlist.id] = playlist
        return playlist

    def take_stall(self, path: str) -> float:
        """Seconds to hold this request (uses one up), 0 when none is pending."""
        for stall in self.stalls:
            if stall.times > 0 and path.startswith(stall.path_prefix):
                stall.times -= 1
                return stall.seconds
        return 0.0

    def take_failure(self, method: str, path: str) -> Response | None:
        """The canned response for this request, if one is pending (uses it up)."""
        for failure in self.failures:
            if not failure.matches(method, path):
                continue
            if failure.after > 0:
                failure.after -= 1
                continue
            failure.times -= 1
            return failure.response
        return None


Handler = Callable[[FakeState, Request, re.Match[str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, regex: str, handler: Handler) -> Route:
    return Route(method, re.compile(regex), handler)


def find_route(routes: list[Route], method: str, path: str) -> tuple[Route, re.Match[str]] | None:
    for candidate in routes:
        match = candidate.pattern.fullmatch(path)
        if match and candidate.method in (method, "*"):
            return candidate, match
    return None
