"""tm import-lastfm: a Last.fm user's scrobbles, through Last.fm's API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, context
from music_time_machine.errors import UsageError
from music_time_machine.models import parse_day
from music_time_machine.render.console import emit_json, pages_bar
from music_time_machine.render.imports import lastfm_import_json, show_import_listener, show_lastfm_import
from music_time_machine.services.lastfm_import import import_lastfm
from music_time_machine.services.users import import_listener

_LASTFM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def command(
    ctx: typer.Context,
    lastfm_user: Annotated[
        str, typer.Argument(help="The Last.fm user name, as in last.fm/user/NAME.", show_default=False)
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="YYYY-MM-DD: on the first run, only scrobbles from this UTC day on.", show_default=False
        ),
    ] = None,
    user_id: Annotated[
        str | None,
        typer.Option("--user", help="Spotify user id to file the plays under (as for tm import).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import a Last.fm user's public scrobbles (user.getRecentTracks, 200 a page), with a free API key in
    TM_LASTFM_API_KEY (https://www.last.fm/api/account/create).

    Resumable: each page is stored as it arrives, and a second run continues after the newest scrobble
    the last one stored, so an interrupted import (Ctrl-C, a long rate limit, the network) loses nothing
    and fetches nothing twice. The track playing now is not a scrobble and is left out. A scrobble that
    is a play another source already gave counts once (see README, "One ledger"). Rate limits are waited
    out visibly up to TM_MAX_RETRY_WAIT.

    Examples:

        tm import-lastfm yourname

        tm import-lastfm yourname --since 2010-01-01

        tm import-lastfm yourname --json | jq '{stored, recognised}'
    """
    if not _LASTFM_NAME.fullmatch(lastfm_user):
        raise UsageError(f"Not a Last.fm user name: {lastfm_user!r}.", hint="Give the NAME in last.fm/user/NAME.")
    start = datetime.combine(parse_day(since), time(), UTC) if since is not None else None
    env = context(ctx, db)
    lastfm = env.lastfm()  # the API key, checked before anything is stored
    listener = import_listener(env.store(), env.tokens.user(), user_id, [])
    show_import_listener(listener)
    with pages_bar("Reading Last.fm") as on_page:
        result = import_lastfm(env.store(), lastfm, listener.user, lastfm_user, env.now(), since=start, on_page=on_page)
    if as_json:
        emit_json(lastfm_import_json(result))
    else:
        show_lastfm_import(result)
