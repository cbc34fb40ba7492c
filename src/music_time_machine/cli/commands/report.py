"""tm report: your whole time machine, from what is stored (offline)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.commands.wrapped import ZONE_HELP, _local_zone_name
from music_time_machine.cli.options import DbOption, JsonOption, SourceOption, context
from music_time_machine.render.charts import show_chart_source
from music_time_machine.render.console import emit_json
from music_time_machine.render.report import report_json, show_report


def command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First month, YYYY-MM [default: the first with data].")] = None,
    until: Annotated[str | None, typer.Option(help="Last month, YYYY-MM [default: the last with data].")] = None,
    source: SourceOption = None,
    tz: Annotated[str | None, typer.Option("--tz", help=ZONE_HELP, show_default=False)] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Your whole time machine: each year's numbers, the listening clock and calendar, your top tracks' ranks
    month by month, your top artists' share of each month, turnover and what came back, and forgotten gems.

    From what is stored (plays and snapshots), offline. Charts and months are UTC months, as
    everywhere in tm; days, hours and years are those of --tz, and each year is counted whole,
    exactly as `tm wrapped YEAR` counts it.

    Examples:

        tm report

        tm report --since 2019-01 --until 2020-12 --tz Europe/Berlin

        tm report --json | jq '.years[] | [.year, .minutes]'
    """
    from music_time_machine.services.report import listening_report, parse_period
    from music_time_machine.services.wrapped import time_zone

    first, last = parse_period(since, until)
    zone = time_zone(tz if tz is not None else _local_zone_name())
    env = context(ctx, db)
    report = listening_report(env.store(), env.listener(), zone, first, last, source, env.now())
    show_chart_source(report.source)
    if as_json:
        emit_json(report_json(report))
    else:
        show_report(report)
