"""tm gems: songs you loved and stopped playing."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import MAX_LIMIT, CreatePlaylistOption, DbOption, JsonOption, SourceOption, context
from music_time_machine.render.charts import gems_json, show_chart_source, show_gems
from music_time_machine.render.console import emit_json
from music_time_machine.render.playlists import show_playlist_sync


def command(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option(min=1, max=MAX_LIMIT, help="At most this many gems.")] = None,
    create_playlist: CreatePlaylistOption = False,
    name: Annotated[str, typer.Option(help="Playlist name (renames the managed playlist).")] = "Forgotten Gems",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the playlist changes; write nothing.")] = False,
    from_history: Annotated[
        bool, typer.Option("--from-history", help="Use your imported/synced plays instead of the charts.")
    ] = False,
    source: SourceOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Songs you loved and stopped playing: in your long-term chart, absent from the last 4 weeks.

    Uses today's snapshot, taking one first if there is none (so every run also records history).
    With --from-history it looks back instead (offline), each gem with its reason: from your plays
    when you have imported or synced some (played fully at least 5 times, skipped at most a quarter
    of the time so songs you used to skip never come back, not played for 90 days); otherwise from
    your snapshots (how often and how high a track was in your long/medium-term charts, and since
    when it is missing from the short-term chart).
    With --create-playlist, keeps ONE private playlist: created the first time, then updated in
    place (nothing is written when it is already right; it is recreated if you deleted it).

    Examples:

        tm gems --limit 20

        tm gems --from-history --limit 30

        tm gems --source plays        # from the charts of your plays (no Spotify needed)

        tm gems --create-playlist --dry-run

        tm gems --create-playlist --name "Forgotten Gems"
    """
    from music_time_machine.services.gems import gems  # imported here for start-up time
    from music_time_machine.services.playlists import PlaylistRequest, publish

    env = context(ctx, db)
    user = env.listener()
    spotify = env.lazy_spotify_for(user)
    found = gems(env.store(), spotify, user, env.now(), limit, from_history=from_history, charts_from=source)
    show_chart_source(found.source)
    if as_json:
        emit_json(gems_json(found))
    else:
        show_gems(found)
    if create_playlist or dry_run:
        request = PlaylistRequest("gems", name, "Songs you loved and stopped playing", dry_run=dry_run)
        show_playlist_sync(publish(env.store(), spotify, user, request, found.tracks, env.now()))
