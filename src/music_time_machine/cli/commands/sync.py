"""tm sync: store your recent plays."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import AllUsersOption, DbOption, JsonOption, context
from music_time_machine.render.console import emit_json, per_listener
from music_time_machine.render.listening import show_sync, sync_json
from music_time_machine.services.sync import sync_recent_plays


def command(
    ctx: typer.Context, all_users: AllUsersOption = False, as_json: JsonOption = False, db: DbOption = None
) -> None:
    """Store your recent plays from Spotify (it keeps only your last 50: run this hourly, see `tm schedule`).

    New plays are added beside the imported history; a play already stored (within 90 s, same artist
    and title) is not added twice. Warns when plays were probably missed since the last sync.
    With --all-users, every listener logged in on this machine, each on their own (exit 1 if any failed).

    Examples:

        tm sync

        tm sync --json

        tm sync --all-users
    """
    env = context(ctx, db)
    if all_users:
        outcomes = env.each_listener(lambda spotify, user: sync_recent_plays(env.store(), spotify, user, env.now()))
        if not per_listener(outcomes, as_json, sync_json, show_sync):
            raise typer.Exit(1)
        return
    user = env.logged_in_user()  # not logged in: say so before opening the database or importing spotipy
    result = sync_recent_plays(env.store(), env.spotify(), user, env.now())
    if as_json:
        emit_json(sync_json(result))
    show_sync(result)
