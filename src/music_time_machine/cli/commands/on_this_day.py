"""tm on-this-day: what you played around this date in earlier years."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import CreatePlaylistOption, DbOption, JsonOption, context
from music_time_machine.models import parse_day, parse_years
from music_time_machine.render.console import emit_json
from music_time_machine.render.listening import days_back_json, show_days_back
from music_time_machine.render.playlists import show_playlist_sync
from music_time_machine.services.on_this_day import on_this_day


def command(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day to look back from, YYYY-MM-DD [default: today].", show_default=False),
    ] = None,
    years: Annotated[str, typer.Option(help="How many years back, comma-separated.")] = "1,5,10",
    days: Annotated[int, typer.Option(min=0, max=30, help="Days around the date to include.")] = 3,
    create_playlist: CreatePlaylistOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What you played around this date 1, 5 and 10 years ago (from your imported and synced plays).

    Examples:

        tm on-this-day

        tm on-this-day --date 2025-12-24 --years 1,2,3 --days 7

        tm on-this-day --create-playlist
    """
    wanted_years = parse_years(years)
    env = context(ctx, db)
    target = parse_day(day) if day else env.now().date()
    user = env.listener()
    found = on_this_day(env.store(), user.id, target, wanted_years, days_around=days)
    if as_json:
        emit_json(days_back_json(found))
    else:
        show_days_back(found)
    if create_playlist:
        from music_time_machine.services.playlists import PlaylistRequest, playable, publish

        request = PlaylistRequest(
            "on-this-day", "On This Day", f"What you played around {target:%d %B} in earlier years"
        )
        tracks = playable([count for back in found for count in back.stats.top_tracks])
        show_playlist_sync(publish(env.store(), env.lazy_spotify_for(user), user, request, tracks, env.now()))
