"""tm unpin: undo `tm pin`."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import DbOption
from music_time_machine.cli.rules import PinSourceOption, TrackArgument, change_rule


def command(ctx: typer.Context, track: TrackArgument, source: PinSourceOption, db: DbOption = None) -> None:
    """Undo `tm pin`.

    Example:

        tm unpin 4uLU6hMCjMI75M1A2tKUQC --source gems
    """
    change_rule(ctx, db, track, "pin", source, add=False)
