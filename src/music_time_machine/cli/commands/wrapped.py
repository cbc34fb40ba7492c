"""tm wrapped: your year in review, from your stored plays (offline)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, ZoneOption, context, zone_name
from music_time_machine.render.wrapped import show_wrapped
from music_time_machine.services.wrapped import parse_year, time_zone, year_in_review


def command(
    ctx: typer.Context,
    year: Annotated[str, typer.Argument(help="The year, e.g. 2024.", show_default=False)],
    tz: ZoneOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Your year in review: minutes, top tracks, artists and albums, discoveries, streaks and the listening clock.

    From your stored plays (imported or synced), with or without a login. Plays are stored in UTC;
    days, hours and the year's boundaries are those of --tz.

    Examples:

        tm wrapped 2024

        tm wrapped 2019 --tz Europe/Berlin

        tm wrapped 2024 --json | jq '.top_tracks[] | .name'
    """
    wanted = parse_year(year)
    env = context(ctx, db)
    zone = time_zone(zone_name(env, tz))
    show_wrapped(year_in_review(env.store(), env.listener().id, wanted, zone), as_json=as_json)
