"""tm import: the listening history from Spotify's privacy export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.export.files import find_export_files
from music_time_machine.services.importer import import_history


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


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
