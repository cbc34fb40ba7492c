"""tm compare: two months side by side."""

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
from music_time_machine.render.analytics import compare_json, show_comparison
from music_time_machine.render.charts import show_chart_source
from music_time_machine.render.console import emit_json
from music_time_machine.services.month_charts import compare_months


def command(
    ctx: typer.Context,
    month_a: Annotated[str, typer.Argument(metavar="A", help="The earlier month, YYYY-MM.")],
    month_b: Annotated[str, typer.Argument(metavar="B", help="The later month, YYYY-MM.")],
    time_range: RangeOption = RangeChoice.short,
    source: SourceOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Two months side by side: which tracks, artists and albums are new, gone, or stayed (with rank moves).

    Examples:

        tm compare 2025-01 2025-06

        tm compare 2024-12 2025-12 --range long --json

        tm compare 2018-03 2024-03 --source plays
    """
    a, b = Month.parse(month_a), Month.parse(month_b)
    env = context(ctx, db)
    result = compare_months(env.store(), env.listener().id, time_range_of(time_range), a, b, source)
    show_chart_source(result.source)
    if as_json:
        emit_json(compare_json(result))
    else:
        show_comparison(result)
