"""tm history: what you were into in a month."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, RangeChoice, SourceOption, context, ranges_of
from music_time_machine.models import Month
from music_time_machine.render.charts import history_json, show_chart_source, show_history, show_no_history
from music_time_machine.render.console import emit_json
from music_time_machine.services.history import month_history


def command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="The month to look back at, YYYY-MM.")],
    time_range: Annotated[RangeChoice | None, typer.Option("--range", help="Only this range.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every snapshot of the month, not only the latest.")] = False,
    source: SourceOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What were you into back then? The charts of a month and what you played (offline).

    The charts are the snapshots tm took that month, or, for a month without any (say, before you
    installed tm), the charts computed from your imported plays as of the month's end.

    Examples:

        tm history --month 2025-03

        tm history --month 2019-05 --source plays

        tm history --month 2025-03 --range long --json | jq '.[] | .name'
    """
    wanted = Month.parse(month)
    env = context(ctx, db)
    ranges = ranges_of([time_range] if time_range else None)
    result = month_history(env.store(), env.listener().id, wanted, ranges, every=every, source=source)
    if result.snapshots:
        show_chart_source(result.source)
    if as_json:
        emit_json(history_json(result))
        if result.empty:
            show_no_history(result)
    else:
        show_history(result)
