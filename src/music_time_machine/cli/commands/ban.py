"""tm ban: keep a track out of every generated playlist."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import DbOption
from music_time_machine.cli.rules import TrackArgument, change_rule


def command(ctx: typer.Context, track: TrackArgument, db: DbOption = None) -> None:
    """Keep a track out of every generated playlist (applied on their next update).

    Example:

        tm ban https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC
    """
    change_rule(ctx, db, track, "ban", None, add=True)
