"""tm rank-vs-plays: Spotify's chart next to what you actually played."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, RangeChoice, context, time_range_of
from music_time_machine.render.console import emit_json
from music_time_machine.render.listening import rank_vs_plays_json, show_rank_vs_plays
from music_time_machine.services.rank_vs_plays import rank_vs_plays


def command(
    ctx: typer.Context,
    time_range: Annotated[
        RangeChoice, typer.Option("--range", help="Which chart (and window) to compare.")
    ] = RangeChoice.long,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Spotify's chart next to what you actually played in the same window (offline).

    Uses your latest snapshot of the range and your plays in the weeks (short), 6 months (medium)
    or year (long) before it; flags the biggest disagreements and lists what you played most that
    the chart leaves out.

    Examples:

        tm rank-vs-plays

        tm rank-vs-plays --range short --json
    """
    env = context(ctx, db)
    result = rank_vs_plays(env.store(), env.listener().id, time_range_of(time_range))
    if as_json:
        emit_json(rank_vs_plays_json(result))
    else:
        show_rank_vs_plays(result)
