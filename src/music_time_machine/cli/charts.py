"""tm top / snapshot / gems / history."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import (
    AllUsersOption,
    CommandEnv,
    CreatePlaylistOption,
    DbOption,
    JsonOption,
    RangeChoice,
    sync_playlist,
    time_range_of,
    tracks_of,
)
from music_time_machine.models import Month, TimeRange
from music_time_machine.services.history import month_history
from music_time_machine.services.snapshot import take_snapshot

ALL_RANGES = [TimeRange.SHORT, TimeRange.MEDIUM, TimeRange.LONG]


def _ranges(chosen: list[RangeChoice] | None) -> list[TimeRange]:
    return [time_range_of(choice) for choice in chosen] if chosen else ALL_RANGES


def top(
    ctx: typer.Context,
    time_range: Annotated[
        RangeChoice, typer.Option("--range", help="Chart window: ~4 weeks, ~6 months, ~1 year.")
    ] = RangeChoice.short,  # type: ignore[attr-defined]
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many tracks (Spotify keeps at most 50).")] = 50,
    create_playlist: CreatePlaylistOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show your top tracks right now (a quick look; `tm snapshot` is what records history).

    Examples:

        tm top --range short --limit 10

        tm top --range long --json | jq '.[].name'

        tm top --create-playlist      # a private "Top tracks" playlist, updated in place
    """
    env = CommandEnv(ctx, db)
    chosen = time_range_of(time_range)
    tracks = env.spotify().top_tracks(chosen, limit=limit)
    if as_json:
        render.emit_json(render.top_json(tracks))
    else:
        render.top_table(chosen, tracks)
    if create_playlist:
        sync_playlist(
            env,
            env.logged_in_user(),
            kind=f"top-{chosen.value}",
            name=f"Top tracks ({chosen.label})",
            description=f"Your Spotify top tracks of the {chosen.label}",
            tracks=tracks,
        )


def snapshot(
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
    env = CommandEnv(ctx, db)
    if all_users:
        ranges = _ranges(time_range)
        outcomes = env.each_listener(
            lambda spotify, user: take_snapshot(env.store(), spotify, user, env.now(), ranges, force=force)
        )
        if not render.per_listener(outcomes, as_json, render.snapshot_json, render.snapshot_summary):
            raise typer.Exit(1)
        return
    result = take_snapshot(
        env.store(), env.spotify(), env.logged_in_user(), env.now(), _ranges(time_range), force=force
    )
    if as_json:
        render.emit_json(render.snapshot_json(result))
    render.snapshot_summary(result)


def gems(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many gems.")] = None,
    create_playlist: CreatePlaylistOption = False,
    name: Annotated[str, typer.Option(help="Playlist name (renames the managed playlist).")] = "Forgotten Gems",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the playlist changes; write nothing.")] = False,
    from_history: Annotated[
        bool, typer.Option("--from-history", help="Use your imported/synced plays instead of the charts.")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Songs you loved and stopped playing: in your long-term chart, absent from the last 4 weeks.

    Uses today's snapshot, taking one first if there is none (so every run also records history).
    With --from-history it looks back instead (offline), each gem with its reason: from your plays
    when you have imported or synced some (played fully at least 5 times, skipped at most a quarter
    of the time so songs you used to skip never come back, not played for 90 days); otherwise from
    your snapshots (how often and how high a track was in your long/medium-term charts, and since
    when it is missing from the short-term chart).
    With --create-playlist, keeps ONE private playlist: created the first time, then updated in
    place (nothing is written when it is already right; it is recreated if you deleted it).

    Examples:

        tm gems --limit 20

        tm gems --from-history --limit 30

        tm gems --create-playlist --dry-run

        tm gems --create-playlist --name "Forgotten Gems"
    """
    from music_time_machine.services.gems import gems_from_charts, gems_from_plays, todays_gems  # (start-up time)

    env = CommandEnv(ctx, db)
    user = env.listener()
    if from_history and env.store().plays.latest_at(user.id):
        played = gems_from_plays(env.store(), user, env.now(), limit)
        tracks = tracks_of([gem.count for gem in played])
        if as_json:
            render.emit_json(render.history_gems_json(played))
        else:
            rows = [(g.count.name, g.count.artist, g.reason) for g in played]
            render.reasoned_gems_table("Forgotten gems from your plays: loved, rarely skipped, not played lately", rows)
    elif from_history:
        charted = gems_from_charts(env.store(), user, limit)
        tracks = [gem.track for gem in charted]
        if as_json:
            render.emit_json(render.chart_gems_json(charted))
        else:
            rows = [(g.track.name, ", ".join(g.track.artist_names), g.reason) for g in charted]
            render.reasoned_gems_table("Forgotten gems from your chart history", rows)
    else:
        found = todays_gems(env.store(), env.lazy_spotify_for(user), user, env.now(), limit)
        tracks = [gem.track for gem in found]
        if as_json:
            render.emit_json(render.gems_json(found))
        else:
            render.gems_table(found)
    if create_playlist or dry_run:
        sync_playlist(
            env,
            user,
            kind="gems",
            name=name,
            dry_run=dry_run,
            tracks=tracks,
            description="Songs you loved and stopped playing",
        )


def history(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="The month to look back at, YYYY-MM.")],
    time_range: Annotated[RangeChoice | None, typer.Option("--range", help="Only this range.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every snapshot of the month, not only the latest.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What were you into back then? The charts captured in a month (offline).

    Examples:

        tm history --month 2025-03

        tm history --month 2025-03 --range long --json | jq '.[] | .name'
    """
    wanted = Month.parse(month)
    env = CommandEnv(ctx, db)
    user = env.listener()
    result = month_history(
        env.store(), user.id, wanted, [time_range_of(time_range)] if time_range else ALL_RANGES, every=every
    )
    if as_json:
        render.emit_json(render.history_json(result))
    elif not result.empty:
        render.history_tables(result)
    if result.empty:
        render.no_history(result)


def register(app: typer.Typer) -> None:
    for command in (top, snapshot, gems, history):
        app.command()(command)
