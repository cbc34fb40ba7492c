"""tm whoami: who is logged in, and until when."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import JsonOption, context
from music_time_machine.render.account import show_whoami, whoami_json
from music_time_machine.render.console import emit_json
from music_time_machine.services.account import whoami


def command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who is logged in (asks Spotify) and when the login expires.

    Spotify refresh tokens last 6 months from when you consented; after that run `tm login` again.

    Examples:

        tm whoami

        tm whoami --json
    """
    env = context(ctx)
    env.logged_in_user()  # not logged in: say so before importing spotipy
    who = whoami(env.spotify(), env.tokens)
    if as_json:
        emit_json(whoami_json(who))
    else:
        show_whoami(who)
