"""tm sources: where your plays came from."""

from __future__ import annotations

import typer

from music_time_machine.cli.options import DbOption, JsonOption, context
from music_time_machine.render.console import emit_json
from music_time_machine.render.sources import show_sources, sources_json
from music_time_machine.services.sources import listening_sources


def command(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Where your plays came from: each source with its date range, the plays kept from it, and the rows
    recognised as plays already known (the same play seen by two sources counts once, as the richer one has it).

    Examples:

        tm sources

        tm sources --json | jq '.sources[] | {kind, kept, recognised}'
    """
    env = context(ctx, db)
    result = listening_sources(env.store(), env.listener().id)
    if as_json:
        emit_json(sources_json(result))
    else:
        show_sources(result)
