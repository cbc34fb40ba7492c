"""tm import / sync / schedule: your listening history, from the privacy export and from recent plays."""

from __future__ import annotations

import sys
from pathlib import Path
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
from music_time_machine.config import is_database_url
from music_time_machine.errors import UsageError
from music_time_machine.models import User, parse_day, parse_years
from music_time_machine.privacy_export.files import find_export_files
from music_time_machine.services.importer import import_history
from music_time_machine.services.on_this_day import on_this_day as on_this_day_service
from music_time_machine.services.rank_vs_plays import rank_vs_plays as rank_vs_plays_service
from music_time_machine.services.sync import sync_recent_plays


def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="The export zip, its unpacked folder, or JSON files.", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and count everything; store nothing.")] = False,
    user_id: Annotated[
        str | None,
        typer.Option(
            "--user", help="Spotify user id to file the plays under [default: the logged-in user].", show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import years of plays from Spotify's privacy export (Account privacy page → Download your data).

    Reads the Extended Streaming History (Streaming_History_Audio_*.json, older endsong_*.json) and
    the Account Data (StreamingHistory_music_*.json), detected by content. Podcasts, audiobooks and
    video are counted and left out; plays under 30 s are left out unless they were skips. Importing
    the same file again adds nothing; overlapping exports are not double counted (one play per
    artist, title and minute). Each file is stored whole or not at all.

    Examples:

        tm import ~/Downloads/my_spotify_data.zip

        tm import "Spotify Extended Streaming History/" --dry-run

        tm import Streaming_History_Audio_2023_4.json --json

        tm import my_spotify_data.zip --user your-spotify-id    # before your first `tm login`
    """
    env = CommandEnv(ctx, db)
    files = find_export_files(paths)
    user = User(user_id) if user_id else env.listener()
    with render.byte_progress(sum(f.size for f in files), "Importing") as advance:
        summary = import_history(env.store(), user, files, env.now(), dry_run=dry_run, on_progress=advance)
    if as_json:
        render.emit_json(summary.as_json())
        for problem in summary.problems:
            render.message(f"warning: {problem}")
    else:
        render.import_summary(summary)


def sync(ctx: typer.Context, all_users: AllUsersOption = False, as_json: JsonOption = False,
         db: DbOption = None) -> None:  # fmt: skip
    """Store your recent plays from Spotify (it keeps only your last 50: run this hourly, see `tm schedule`).

    New plays are added beside the imported history; a play already stored (within 90 s, same artist
    and title) is not added twice. Warns when plays were probably missed since the last sync.
    With --all-users, every listener logged in on this machine, each on their own (exit 1 if any failed).

    Examples:

        tm sync

        tm sync --json

        tm sync --all-users
    """
    env = CommandEnv(ctx, db)
    if all_users:
        outcomes = env.each_listener(lambda spotify, user: sync_recent_plays(env.store(), spotify, user, env.now()))
        if not render.per_listener(outcomes, as_json, lambda result: result.as_json(), render.sync_summary):
            raise typer.Exit(1)
        return
    user = env.logged_in_user()
    result = sync_recent_plays(env.store(), env.spotify(), user, env.now())
    if as_json:
        render.emit_json(result.as_json())
    render.sync_summary(result)


def schedule(
    ctx: typer.Context,
    print_only: Annotated[bool, typer.Option("--print", help="Only print what would be installed.")] = False,
    systemd: Annotated[bool, typer.Option("--systemd", help="systemd user timers instead of cron.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Install without asking.")] = False,
    all_users: AllUsersOption = False,
    db: DbOption = None,
) -> None:
    """Run `tm sync` hourly and `tm snapshot` monthly, from cron (default) or systemd user timers.

    Prints the schedule and, after you confirm, installs it: a marked block in your crontab
    (replaced, never duplicated, on a second run) or units in ~/.config/systemd/user.

    Examples:

        tm schedule --print

        tm schedule --systemd --yes

        tm schedule --all-users --db postgresql://me@db.example/tm    # a household's server
    """
    from music_time_machine import scheduler

    env = CommandEnv(ctx, db)
    if is_database_url(env.settings.database):
        from music_time_machine.store.postgres import secrets_of

        if secrets_of(str(env.settings.database)):
            raise UsageError(
                "tm schedule does not write a database password into your crontab or systemd units.",
                hint="Keep it in ~/.pgpass (or PGPASSFILE) and give TM_DB/--db a URL without it.",
            )
    environment = {"TM_HOME": str(env.settings.home)}
    if env.settings.database != env.settings.home / "tm.sqlite3":
        environment["TM_DB"] = str(env.settings.database)
    options = ("--all-users",) if all_users else ()
    job = scheduler.Job(scheduler.tm_command(), environment, env.settings.home / "schedule.log", options)
    units = scheduler.systemd_units(job) if systemd else {"crontab": scheduler.cron_block(job)}
    if print_only:
        typer.echo("\n".join(f"# {name}\n{text}" if systemd else text for name, text in units.items()))
        return
    for name, text in units.items():
        render.message(f"--- {name}\n{text}")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("Not installing without confirmation.", hint="Add --yes, or use --print.")
        typer.confirm("Install this schedule?", abort=True, err=True)
    if systemd:
        scheduler.install_systemd(units, Path.home() / ".config" / "systemd" / "user")
    else:
        scheduler.install_cron(units["crontab"])
    render.message(f"Installed: tm sync hourly, tm snapshot monthly; output goes to {job.log}.")
    if not (env.settings.home / ".env").is_file():
        render.message(
            f"Scheduled runs do not start in this directory: keep SPOTIPY_CLIENT_ID (and the secret) "
            f"in {env.settings.home / '.env'}."
        )


def on_this_day(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day to look back from, YYYY-MM-DD [default: today].", show_default=False),
    ] = None,
    years: Annotated[str, typer.Option(help="How many years back, comma-separated.")] = "1,5,10",
    days: Annotated[int, typer.Option(min=0, max=30, help="Days around the date to include.")] = 3,
    create_playlist: CreatePlaylistOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What you played around this date 1, 5 and 10 years ago (from your imported and synced plays).

    Examples:

        tm on-this-day

        tm on-this-day --date 2025-12-24 --years 1,2,3 --days 7

        tm on-this-day --create-playlist
    """
    wanted_years = parse_years(years)
    env = CommandEnv(ctx, db)
    target = parse_day(day) if day else env.now().date()
    user = env.listener()
    found = on_this_day_service(env.store(), user.id, target, wanted_years, days_around=days)
    if as_json:
        render.emit_json([render.day_back_json(back) for back in found])
    else:
        render.day_back_tables(found)
    if create_playlist:
        counts = [count for back in found for count in back.stats.top_tracks]
        sync_playlist(
            env,
            user,
            kind="on-this-day",
            name="On This Day",
            description=f"What you played around {target:%d %B} in earlier years",
            tracks=tracks_of(counts),
        )


def rank_vs_plays(
    ctx: typer.Context,
    time_range: Annotated[
        RangeChoice, typer.Option("--range", help="Which chart (and window) to compare.")
    ] = RangeChoice.long,  # type: ignore[attr-defined]
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Spotify's chart next to what you actually played in the same window (offline).

    Uses your latest snapshot of the range and your plays in the weeks (short), 6 months (medium)
    or year (long) before it; flags the biggest disagreements and lists what you played most that
    the chart leaves out.

    Examples:

        tm rank-vs-plays

        tm rank-vs-plays --range short --json
    """
    env = CommandEnv(ctx, db)
    result = rank_vs_plays_service(env.store(), env.listener().id, time_range_of(time_range))
    if as_json:
        render.emit_json(render.rank_vs_plays_json(result))
    else:
        render.rank_vs_plays_table(result)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(sync)
    app.command()(schedule)
    app.command("on-this-day")(on_this_day)
    app.command("rank-vs-plays")(rank_vs_plays)
