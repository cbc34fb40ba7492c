"""tm snapshot: record today's charts."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import AllUsersOption, DbOption, JsonOption, RangeChoice, context, ranges_of
from music_time_machine.render.charts import show_snapshot, snapshot_json
from music_time_machine.render.console import emit_json, per_listener
from music_time_machine.services.snapshot import take_snapshot


def command(
    ctx: typer.Context,
    time_range: Annotated[
        list[RangeChoice] | None,
        typer.Option("--range", help="Only these ranges (repeatable); default all three."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace today's snapshot.")] = False,
    all_users: AllUsersOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record today's top 50 for each range (run it monthly, e.g. from cron).

    One snapshot per day and range: a second run the same UTC day changes nothing unless --force.
    With --all-users, one snapshot per listener logged in on this machine (a shared database): a listener
    whose login expired is reported, the others are still snapshotted, and the exit code is 1.

    Examples:

        tm snapshot

        tm snapshot --range short --json

        tm snapshot --all-users --db postgresql://me@db.example/tm
    """
    env = context(ctx, db)
    ranges = ranges_of(time_range)
    if all_users:
        outcomes = env.each_listener(
            lambda spotify, user: take_snapshot(env.store(), spotify, user, env.now(), ranges, force=force)
        )
        if not per_listener(outcomes, as_json, snapshot_json, show_snapshot):
            raise typer.Exit(1)
        return
    result = take_snapshot(env.store(), env.spotify(), env.logged_in_user(), env.now(), ranges, force=force)
    if as_json:
        emit_json(snapshot_json(result))
    show_snapshot(result)
