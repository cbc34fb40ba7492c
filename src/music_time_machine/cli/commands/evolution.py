"""tm evolution: how your charts move over the months."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import (
    DbOption,
    JsonOption,
    RangeChoice,
    RangeOption,
    SourceOption,
    context,
    time_range_of,
)
from music_time_machine.models import Month
from music_time_machine.render.analytics import evolution_json, rank_series_json, show_evolution, show_rank_series
from music_time_machine.render.charts import show_chart_source
from music_time_machine.render.console import emit_json
from music_time_machine.services.month_charts import RankSeries, taste_evolution


def command(
    ctx: typer.Context,
    time_range: RangeOption = RangeChoice.short,
    since: Annotated[str | None, typer.Option(help="First month, YYYY-MM [default: first snapshot].")] = None,
    until: Annotated[str | None, typer.Option(help="Last month, YYYY-MM [default: last snapshot].")] = None,
    top: Annotated[int, typer.Option(min=1, max=50, help="Compare the top N of each month.")] = 50,
    artist: Annotated[str | None, typer.Option(help="Show this artist's best rank over time instead.")] = None,
    track: Annotated[str | None, typer.Option(help="Show this track's (URI) rank over time instead.")] = None,
    source: SourceOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How your taste moves: turnover, overlap, artist shifts, what comes back, what stays.

    Per month: the share of the chart that is new, rank-biased overlap with the previous month
    (1.00 = same tracks in the same order), entries and exits. Then the artists gaining or losing
    ground, tracks/albums/artists that left and came back, and the longest-staying tracks.
    Months without a chart are shown as gaps, never filled in. Without snapshots (or with
    --source plays), the charts are computed from your imported plays, month by month.

    Examples:

        tm evolution --range short --since 2025-01

        tm evolution --artist "Jonah Lindqvist"

        tm evolution --source plays --range long --since 2016-01

        tm evolution --range long --json | jq '.months[] | [.month, .turnover]'
    """
    first, last = (Month.parse(text) if text else None for text in (since, until))
    env = context(ctx, db)
    chosen = time_range_of(time_range)
    store, user_id = env.store(), env.listener().id
    result = taste_evolution(store, user_id, chosen, first, last, top, artist=artist, track=track, source=source)
    show_chart_source(result.source)
    if isinstance(result, RankSeries):
        if as_json:
            emit_json(rank_series_json(result))
        else:
            show_rank_series(result)
    elif as_json:
        emit_json(evolution_json(result))
    else:
        show_evolution(result)
