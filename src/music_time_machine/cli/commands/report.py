"""tm report: your whole time machine, from what is stored (offline)."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, SourceOption, ZoneOption, context, zone_name
from music_time_machine.errors import UsageError
from music_time_machine.render.charts import show_chart_source
from music_time_machine.render.console import emit_json, message
from music_time_machine.render.html.page import write_page
from music_time_machine.render.html.report import report_page
from music_time_machine.render.report import report_json, show_report

DEFAULT_PAGE = Path("tm-report.html")


def command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First month, YYYY-MM [default: the first with data].")] = None,
    until: Annotated[str | None, typer.Option(help="Last month, YYYY-MM [default: the last with data].")] = None,
    source: SourceOption = None,
    tz: ZoneOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=f"Write the page here [default: {DEFAULT_PAGE} in this folder; with --json: none].",
            show_default=False,
        ),
    ] = None,
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in your default browser.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Your whole time machine: each year's numbers, the listening clock and calendar, your top tracks' ranks
    month by month, your top artists' share of each month, turnover and what came back, and forgotten gems.

    Writes one self-contained page (works offline from file://; nothing in it loads from anywhere)
    and prints a short summary, or with --json the report's data (and the page only with --out).
    From what is stored (plays and snapshots), offline. Charts and months are UTC months, as
    everywhere in tm; days, hours and years are those of --tz, and each year is counted whole,
    exactly as `tm wrapped YEAR` counts it.

    Examples:

        tm report --open

        tm report --since 2019-01 --until 2020-12 --tz Europe/Berlin

        tm report --out ~/music.html

        tm report --json | jq '.years[] | [.year, .minutes]'
    """
    from music_time_machine.services.report import listening_report, parse_period
    from music_time_machine.services.wrapped import time_zone

    if open_page and as_json and out is None:
        raise UsageError("--open with --json needs --out FILE: with --json no page is written by default.")
    first, last = parse_period(since, until)
    env = context(ctx, db)
    zone = time_zone(zone_name(env, tz))
    page = out if out is not None or as_json else DEFAULT_PAGE
    report = listening_report(env.store(), env.listener(), zone, first, last, source, env.now())
    if page is not None:  # first: a page that cannot be written fails the command before anything is shown
        write_page(page, report_page(report))
    show_chart_source(report.source)
    if as_json:
        emit_json(report_json(report))
    else:
        show_report(report)
    if page is not None:
        message(f"Wrote your report to {page}")
        if open_page:
            webbrowser.open(page.resolve().as_uri())
