"""tm import: years of plays from Spotify's privacy export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, context
from music_time_machine.models import User
from music_time_machine.privacy_export.files import find_export_files
from music_time_machine.render.console import byte_progress, emit_json
from music_time_machine.render.listening import import_json, show_import, show_import_problems
from music_time_machine.services.importer import import_history


def command(
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
    env = context(ctx, db)
    files = find_export_files(paths)
    user = User(user_id) if user_id else env.listener()
    with byte_progress(sum(f.size for f in files), "Importing") as advance:
        summary = import_history(env.store(), user, files, env.now(), dry_run=dry_run, on_progress=advance)
    if as_json:
        emit_json(import_json(summary))
        show_import_problems(summary)
    else:
        show_import(summary)
