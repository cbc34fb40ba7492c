"""tm unban: undo `tm ban`."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import DbOption
from music_time_machine.cli.rules import TrackArgument, change_rule


def command(ctx: typer.Context, track: TrackArgument, db: DbOption = None) -> None:
    """Undo `tm ban`.

    Example:

        tm unban spotify:track:4uLU6hMCjMI75M1A2tKUQC
    """
    change_rule(ctx, db, track, "ban", None, add=False)
