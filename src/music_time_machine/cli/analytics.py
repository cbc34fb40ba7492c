"""tm evolution / compare: how your charts move over the months (offline)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption, RangeChoice, time_range_of
from music_time_machine.errors import UsageError
from music_time_machine.models import Month
from music_time_machine.render import analytics as render_analytics
from music_time_machine.services.compare import compare as compare_charts
from music_time_machine.services.evolution import MonthChart
from music_time_machine.services.evolution import evolution as evolution_of
from music_time_machine.services.month_charts import charts_between, month_chart

RangeOption = Annotated[RangeChoice, typer.Option("--range", help="Which chart: ~4 weeks, ~6 months, ~1 year.")]
SHORT = RangeChoice.short  # type: ignore[attr-defined]


def _ranks(charts: list[MonthChart], artist: str | None, track: str | None) -> list[int | None]:
    """Per month: the best rank of the track, or of any track by the artist (None when absent or a gap)."""
    wanted = (artist or "").lower()

    def matches(candidate_uri: str, artist_names: list[str]) -> bool:
        return candidate_uri == track if track else wanted in (name.lower() for name in artist_names)

    return [
        next((rank for rank, t in enumerate(c.tracks or [], start=1) if matches(t.uri, t.artist_names)), None)
        for c in charts
    ]


def evolution(
    ctx: typer.Context,
    time_range: RangeOption = SHORT,
    since: Annotated[str | None, typer.Option(help="First month, YYYY-MM [default: first snapshot].")] = None,
    until: Annotated[str | None, typer.Option(help="Last month, YYYY-MM [default: last snapshot].")] = None,
    top: Annotated[int, typer.Option(min=1, max=50, help="Compare the top N of each month.")] = 50,
    artist: Annotated[str | None, typer.Option(help="Show this artist's best rank over time instead.")] = None,
    track: Annotated[str | None, typer.Option(help="Show this track's (URI) rank over time instead.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How your taste moves: turnover, overlap, artist shifts, what comes back, what stays.

    Per month: the share of the chart that is new, rank-biased overlap with the previous month
    (1.00 = same tracks in the same order), entries and exits. Then the artists gaining or losing
    ground, tracks/albums/artists that left and came back, and the longest-staying tracks.
    Months without a snapshot are shown as gaps, never filled in.

    Examples:

        tm evolution --range short --since 2025-01

        tm evolution --artist "Jonah Lindqvist"

        tm evolution --range long --json | jq '.months[] | [.month, .turnover]'
    """
    if artist and track:
        raise UsageError("Use --artist or --track, not both.")
    first, last = (Month.parse(text) if text else None for text in (since, until))
    env = CommandEnv(ctx, db)
    chosen = time_range_of(time_range)
    charts = charts_between(env.store(), env.listener().id, chosen, first, last, top)
    if artist or track:
        ranks, name = _ranks(charts, artist, track), artist or track or ""
        if as_json:
            render.emit_json(render_analytics.rank_series_json(name, charts, ranks))
        else:
            render_analytics.rank_series_chart(name, charts, ranks, top)
        return
    result = evolution_of(charts)
    if as_json:
        render.emit_json(render_analytics.evolution_json(result, chosen.value, top))
    else:
        render_analytics.evolution_tables(result, chosen.value, top)


def compare(
    ctx: typer.Context,
    month_a: Annotated[str, typer.Argument(metavar="A", help="The earlier month, YYYY-MM.")],
    month_b: Annotated[str, typer.Argument(metavar="B", help="The later month, YYYY-MM.")],
    time_range: RangeOption = SHORT,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Two months side by side: which tracks, artists and albums are new, gone, or stayed (with rank moves).

    Examples:

        tm compare 2025-01 2025-06

        tm compare 2024-12 2025-12 --range long --json
    """
    a, b = Month.parse(month_a), Month.parse(month_b)
    env = CommandEnv(ctx, db)
    chosen = time_range_of(time_range)
    user_id = env.listener().id
    result = compare_charts(month_chart(env.store(), user_id, chosen, a), month_chart(env.store(), user_id, chosen, b))
    if as_json:
        render.emit_json(render_analytics.compare_json(str(a), str(b), chosen.value, result))
    else:
        render_analytics.compare_tables(str(a), str(b), result)


def register(app: typer.Typer) -> None:
    app.command()(evolution)
    app.command()(compare)
