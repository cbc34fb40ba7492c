"""The fake listening history: ``GET /v1/me/player/recently-played`` and the state behind it.

Spotify remembers only a user's last 50 plays, so the fake keeps at most that many per user (oldest first)
and forgets older ones as new plays are recorded. The endpoint answers a CursorPagingObject, newest first:

- ``after=<ms>`` / ``before=<ms>`` (Unix milliseconds, exclusive, at most one) keep the plays strictly newer /
  older than the cursor; the page is the newest ``limit`` of those.
- ``cursors.after`` / ``cursors.before`` are the ``played_at`` milliseconds of the newest / oldest item
  (``cursors`` is null on an empty page); ``total`` counts the plays the cursor lets through.
- ``next`` is ``?before=<oldest ms>&limit=<limit>`` while older matching plays remain, else null. It carries
  no ``after`` bound, so a client paging an ``after`` query stops once it reaches its own cursor.

Two plays in the same millisecond cannot be told apart by a cursor; ``listen`` never makes such ties.
"""

from __future__ import annotations

import bisect
import random
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from music_time_machine.testing.fake_catalog import JsonObject
from music_time_machine.testing.fake_core import (
    ApiError,
    FakeState,
    Play,
    Request,
    Response,
    Route,
    int_arg,
    json_response,
    limit_arg,
    route,
)
from music_time_machine.testing.fake_webapi import request_caller

MAX_RECENT_PLAYS = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
RECENTLY_PLAYED = "/v1/me/player/recently-played"


# --- time stamps -----------------------------------------------------------------------------------------


def to_ms(moment: datetime | str) -> int:
    """Unix milliseconds of an aware datetime or an ISO-8601 string with an offset (``…Z`` works)."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"played_at must carry a time zone: {moment!r}")
    return (when - EPOCH) // ONE_MS


def iso_ms(ms: int) -> str:
    """``2025-03-15T12:00:00.123Z``: UTC with millisecond precision, as Spotify writes ``played_at``."""
    return (EPOCH + ms * ONE_MS).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


# --- history -----------------------------------------------------------------------------------------------


def known_user(state: FakeState, user_id: str | None) -> str:
    """``user_id``, or the logged-in user when None; KeyError for a user the fake does not know."""
    user = user_id or state.current_user
    if user not in state.users:
        raise KeyError(f"unknown user {user!r}; call add_user() first")
    return user


def add_play(state: FakeState, user_id: str, uri: str, played_at_ms: int) -> None:
    """Remember a play, then forget everything but the user's newest 50."""
    if uri not in state.catalog:
        raise ValueError(f"unknown track uri {uri!r}")
    plays = state.plays.setdefault(user_id, [])
    bisect.insort(plays, Play(uri, played_at_ms), key=lambda play: play.played_at_ms)
    del plays[:-MAX_RECENT_PLAYS]


def listen(state: FakeState, user_id: str, until_ms: int, plays: int, spacing: timedelta) -> list[str]:
    """Record ``plays`` plays ``spacing`` apart ending at ``until_ms``, drawn from the short_term chart."""
    step = spacing // ONE_MS
    if plays < 0 or step < 1:
        raise ValueError("listen() needs plays >= 0 and a spacing of at least 1 ms")
    start = until_ms - step * (plays - 1)
    chart = [str(track["uri"]) for track in state.catalog.chart("short_term", state.month, user_id)]
    earlier = [play.uri for play in state.plays.get(user_id, []) if play.played_at_ms < start]
    uris = draw_tracks(chart, plays, random.Random(f"listen:{user_id}:{until_ms}"), earlier[-1] if earlier else None)
    for index, uri in enumerate(uris):
        add_play(state, user_id, uri, start + step * index)
    return uris


def draw_tracks(chart: list[str], count: int, rng: random.Random, previous: str | None = None) -> list[str]:
    """``count`` picks from ``chart``, never the same track twice in a row (nor ``previous`` first)."""
    picks: list[str] = []
    for _ in range(count):
        candidates = [uri for uri in chart if uri != previous]
        if not candidates:
            raise ValueError("the short_term chart is too small to listen to this month")
        previous = rng.choice(candidates)
        picks.append(previous)
    return picks


# --- endpoint ----------------------------------------------------------------------------------------------


def _cursor(req: Request) -> tuple[str, int] | None:
    """``("after"|"before", ms)`` from the query, None without one; 400 for both or a non-integer."""
    given = [name for name in ("after", "before") if req.arg(name) is not None]
    if len(given) > 1:
        raise ApiError(400, "Only one of after or before may be given")
    return (given[0], int_arg(req, given[0], 0)) if given else None


def _passes(play: Play, cursor: tuple[str, int] | None) -> bool:
    if cursor is None:
        return True
    name, ms = cursor
    return play.played_at_ms > ms if name == "after" else play.played_at_ms < ms


def _history_item(state: FakeState, play: Play) -> JsonObject:
    return {"track": state.catalog.track(play.uri), "played_at": iso_ms(play.played_at_ms), "context": None}


def get_recently_played(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    caller = request_caller(state, req)
    caller.require_scope("user-read-recently-played")
    limit, cursor = limit_arg(req), _cursor(req)
    matching = [play for play in reversed(state.plays.get(caller.user.id, [])) if _passes(play, cursor)]
    page = matching[:limit]
    url = req.base_url + RECENTLY_PLAYED
    query = {cursor[0]: cursor[1]} if cursor else {}
    body = {
        "href": f"{url}?{urlencode({**query, 'limit': limit})}",
        "items": [_history_item(state, play) for play in page],
        "limit": limit,
        "next": None,
        "cursors": None,
        "total": len(matching),
    }
    if page:
        newest, oldest = page[0].played_at_ms, page[-1].played_at_ms
        body["cursors"] = {"after": str(newest), "before": str(oldest)}
        if len(matching) > limit:
            body["next"] = f"{url}?{urlencode({'before': oldest, 'limit': limit})}"
    return json_response(200, body)


PLAYER_ROUTES: list[Route] = [route("GET", RECENTLY_PLAYED, get_recently_played)]
