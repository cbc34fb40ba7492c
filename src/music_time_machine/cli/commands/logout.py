"""tm logout: forget a Spotify login."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import context
from music_time_machine.render.account import show_logout
from music_time_machine.services.account import log_out


def command(
    ctx: typer.Context,
    user: Annotated[
        str | None, typer.Option("--user", help="Another listener's login kept on this machine (see --all-users).")
    ] = None,
) -> None:
    """Forget the Spotify login (deletes token.json in TM_HOME). Your data stays.

    Examples:

        tm logout

        tm logout --user housemate      # a listener who logged in here earlier
    """
    show_logout(log_out(context(ctx).tokens, user))
