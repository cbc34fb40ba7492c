"""What ban, unban, pin and unpin share: their arguments, and their one body (parse, one service call, render)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import context
from music_time_machine.models import parse_track_ref
from music_time_machine.render.playlists import show_rule_change
from music_time_machine.services.playlists import change_rule as change_rule_of

TrackArgument = Annotated[str, typer.Argument(help="A spotify:track: URI, a track id or an open.spotify.com link.")]
PinSourceOption = Annotated[
    str,
    typer.Option(
        "--source", help="The source the pin applies to: gems, rotation, discoveries, boomerangs or month-YYYY-MM."
    ),
]


def change_rule(ctx: typer.Context, db: str | None, track: str, rule: str, source: str | None, *, add: bool) -> None:
    """Ban or pin `track` (or undo it); `source` None is every generated playlist."""
    uri = parse_track_ref(track)
    env = context(ctx, db)
    change = change_rule_of(env.store(), env.listener(), uri, rule, source, add, env.now())
    show_rule_change(change)
