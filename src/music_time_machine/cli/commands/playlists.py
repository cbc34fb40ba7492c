"""tm playlists [USER]: browse playlists, yours or a user's public ones."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import MAX_LIMIT, CsvOption, DbOption, JsonOption, context, one_format
from music_time_machine.models import parse_user_ref
from music_time_machine.render.console import page_progress
from music_time_machine.render.playlists import show_rows
from music_time_machine.services.browse import PLAYLIST_COLUMNS, my_playlists, user_playlists


def command(
    ctx: typer.Context,
    user: Annotated[
        str | None,
        typer.Argument(
            help="A user id (from open.spotify.com/user/<id>, not the display name), spotify:user: URI or profile "
            "link. Without it: your own playlists.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, max=MAX_LIMIT, help="At most this many playlists.")] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    db: DbOption = None,
) -> None:
    """List playlists: your own (marking those tm manages), or a user's public ones.

    A user's public playlists use the Client Credentials flow (client id and secret, no login). Spotify
    removed that endpoint for development-mode apps created since February 2026: tm then says so.

    Examples:

        tm playlists

        tm playlists spotify --limit 20

        tm playlists https://open.spotify.com/user/someone --csv > their-playlists.csv
    """
    one_format(as_json, as_csv)
    env = context(ctx, db)
    progress = page_progress("Reading playlists")
    if user:
        rows = user_playlists(env.spotify(app_only=True), parse_user_ref(user), limit, progress)
    else:
        me = env.logged_in_user()
        rows = my_playlists(env.store(), env.spotify(), me, limit, progress)
    show_rows("Playlists", PLAYLIST_COLUMNS, rows, as_json, as_csv)
