"""tm import / sync: your listening history, from the privacy export and from recent plays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.export.files import find_export_files
from music_time_machine.services.importer import import_history
from music_time_machine.services.sync import sync_recent_plays


def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="The export zip, its unpacked folder, or JSON files.", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and count everything; store nothing.")] = False,
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
    """
    env = CommandEnv(ctx, db)
    files = find_export_files(paths)
    user = env.listener()
    with render.byte_progress(sum(f.size for f in files), "Importing") as advance:
        summary = import_history(env.store(), user, files, env.now(), dry_run=dry_run, on_progress=advance)
    if as_json:
        render.emit_json(summary.as_json())
        for problem in summary.problems:
            render.message(f"warning: {problem}")
    else:
        render.import_summary(summary)


def sync(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Store your recent plays from Spotify (it keeps only your last 50: run this hourly, see `tm schedule`).

    New plays are added beside the imported history; a play already stored (within 90 s, same artist
    and title) is not added twice. Warns when plays were probably missed since the last sync.

    Examples:

        tm sync

        tm sync --json
    """
    env = CommandEnv(ctx, db)
    user = env.logged_in_user()
    result = sync_recent_plays(env.store(), env.spotify(), user, env.now())
    if as_json:
        render.emit_json(result.as_json())
    render.sync_summary(result)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(sync)
