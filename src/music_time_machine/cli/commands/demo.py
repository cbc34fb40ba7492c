"""tm demo: try tm without a Spotify account."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, context, zone_name
from music_time_machine.config import database_of
from music_time_machine.render.console import with_progress
from music_time_machine.render.demo import show_demo
from music_time_machine.render.html.page import write_page
from music_time_machine.render.html.report import report_page
from music_time_machine.render.html.wrapped import wrapped_page
from music_time_machine.services.wrapped import time_zone


def command(
    ctx: typer.Context,
    months: Annotated[int, typer.Option(min=1, max=120, help="How many monthly snapshots to simulate.")] = 18,
    db: DbOption = None,
) -> None:
    """Try tm without a Spotify account: a built-in fake Spotify, 18 months of snapshots and plays, a gems playlist.

    Starts the fake on 127.0.0.1, logs in against it, and for each simulated month listens a little,
    syncs the recent plays and takes a snapshot, into
    a separate demo database ($TM_HOME/demo.sqlite3 unless --db); then writes a privacy export of
    the 3.5 years before the first snapshot ($TM_HOME/demo-export) and imports it as tm import does,
    builds the Forgotten Gems playlist, writes last year's review and the report as pages
    ($TM_HOME/demo-wrapped-YEAR.html, $TM_HOME/demo-report.html), and prints commands to explore the result.

    Examples:

        tm demo

        tm demo --months 36 --db /tmp/demo.sqlite3
    """
    from music_time_machine.testing.demo import run_demo

    env = context(ctx)
    demo = run_demo(env, months, database_of(db) if db else None, time_zone(zone_name(env, None)), with_progress)
    home = env.settings.home
    pages = [home / f"demo-wrapped-{demo.wrapped.year}.html", home / "demo-report.html"]
    write_page(pages[0], wrapped_page(demo.wrapped))
    write_page(pages[1], report_page(demo.report))
    show_demo(demo, pages)
