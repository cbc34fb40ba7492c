"""tm top: your top tracks right now."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import (
    CreatePlaylistOption,
    DbOption,
    JsonOption,
    RangeChoice,
    context,
    time_range_of,
)
from music_time_machine.render.charts import show_top, top_json
from music_time_machine.render.console import emit_json
from music_time_machine.render.playlists import show_playlist_sync
from music_time_machine.services.snapshot import current_top


def command(
    ctx: typer.Context,
    time_range: Annotated[
        RangeChoice, typer.Option("--range", help="Chart window: ~4 weeks, ~6 months, ~1 year.")
    ] = RangeChoice.short,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many tracks (Spotify keeps at most 50).")] = 50,
    create_playlist: CreatePlaylistOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show your top tracks right now (a quick look; `tm snapshot` is what records history).

    Examples:

        tm top --range short --limit 10

        tm top --range long --json | jq '.[].name'

        tm top --create-playlist      # a private "Top tracks" playlist, updated in place
    """
    from music_time_machine.services.playlists import PlaylistRequest, publish

    env = context(ctx, db)
    chosen = time_range_of(time_range)
    top = current_top(env.spotify(), chosen, limit)
    if as_json:
        emit_json(top_json(top))
    else:
        show_top(top)
    if create_playlist:
        user = env.logged_in_user()
        request = PlaylistRequest(
            f"top-{chosen.value}", f"Top tracks ({chosen.label})", f"Your Spotify top tracks of the {chosen.label}"
        )
        show_playlist_sync(publish(env.store(), env.lazy_spotify_for(user), user, request, top.tracks, env.now()))
