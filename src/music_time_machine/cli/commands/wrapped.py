"""tm wrapped: your year in review, from your stored plays (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.browser import draw_page, find_browser
from music_time_machine.cli.options import DbOption, JsonOption, ZoneOption, context, zone_name
from music_time_machine.render.console import message
from music_time_machine.render.wrapped import show_wrapped
from music_time_machine.services.wrapped import Wrapped, parse_year, time_zone, year_in_review


def command(
    ctx: typer.Context,
    year: Annotated[str, typer.Argument(help="The year, e.g. 2024.", show_default=False)],
    tz: ZoneOption = None,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the year as a page to this file.", show_default=False)
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option(
            "--png",
            help="Also draw a 1080x1920 share card to this PNG file (needs Chromium or Chrome) [env: TM_CHROMIUM].",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Your year in review: minutes, top tracks, artists and albums, discoveries, streaks and the listening clock.

    From your stored plays (imported or synced), with or without a login. Plays are stored in UTC;
    days, hours and the year's boundaries are those of --tz.

    Examples:

        tm wrapped 2024

        tm wrapped 2019 --tz Europe/Berlin

        tm wrapped 2024 --json | jq '.top_tracks[] | .name'

        tm wrapped 2024 --html ~/wrapped-2024.html --png ~/wrapped-2024.png
    """
    wanted = parse_year(year)
    env = context(ctx, db)
    zone = time_zone(zone_name(env, tz))
    browser = find_browser(env.settings.chromium) if png is not None else None  # before the work: none is exit 2
    wrapped = year_in_review(env.store(), env.listener().id, wanted, zone)
    if not wrapped.empty:  # first: a file that cannot be written fails the command before anything is shown
        _write_files(wrapped, html, png, browser)
    show_wrapped(wrapped, as_json=as_json)
    if html is not None:
        message(f"No page written to {html}." if wrapped.empty else f"Wrote your {wanted} to {html}")
    if png is not None:
        message(f"No share card written to {png}." if wrapped.empty else f"Wrote your {wanted} share card to {png}")


def _write_files(wrapped: Wrapped, html: Path | None, png: Path | None, browser: str | None) -> None:
    """The page and the share card asked for (a year without plays has neither, as it has no terminal view)."""
    if html is not None:  # pages cost their import only when asked for
        from music_time_machine.render.html.page import write_page
        from music_time_machine.render.html.wrapped import wrapped_page

        write_page(html, wrapped_page(wrapped))
    if png is not None and browser is not None:
        from music_time_machine.render.html.card import HEIGHT, WIDTH, card_page

        draw_page(browser, card_page(wrapped), png, WIDTH, HEIGHT)
