"""tm import: years of plays from Spotify's privacy export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, context
from music_time_machine.errors import UsageError
from music_time_machine.privacy_export.files import open_export
from music_time_machine.render.console import byte_progress, emit_json
from music_time_machine.render.imports import (
    import_json,
    show_import,
    show_import_listener,
    show_import_problems,
    show_matches,
)
from music_time_machine.services.importer import import_history
from music_time_machine.services.users import import_listener


def command(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="The export zip, its unpacked folder, or JSON files.", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and count everything; store nothing.")] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Also show which rows were found to be plays of other sources, and why."),
    ] = False,
    user_id: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Spotify user id to file the plays under [default: the logged-in listener, else the account the "
            "export names, else the database's only listener, else 'local'].",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import years of plays: Spotify's privacy export (Account privacy page → Download your data), a
    ListenBrainz export (Settings → Export), or a Last.fm CSV.

    Reads the Extended Streaming History (Streaming_History_Audio_*.json, older endsong_*.json),
    the Account Data (StreamingHistory_music_*.json), ListenBrainz's listens/<year>/<month>.jsonl and
    the CSVs Last.fm export tools write, each detected by content. Podcasts, audiobooks and video are
    counted and left out; plays under 30 s are left out unless they were skips. Importing the same
    file again adds nothing; a play two sources saw counts once, as the richer source has it (see
    README, "One ledger"; --explain shows what matched what). Each file is stored whole or not at
    all. No login is needed: the plays go to the logged-in listener, else to the account the export
    names (its Userdata.json), else to the database's only listener, else to a listener called
    "local"; --user chooses.

    Examples:

        tm import ~/Downloads/my_spotify_data.zip

        tm import "Spotify Extended Streaming History/" --dry-run

        tm import listenbrainz_yourname.zip --explain

        tm import scrobbles.csv --dry-run --explain

        tm import Streaming_History_Audio_2023_4.json --json

        tm import my_spotify_data.zip --user your-spotify-id    # file the plays under this listener
    """
    if "" in paths:  # Path("") is the current folder: an unset variable in `tm import "$EXPORT"` would import it
        raise UsageError("An empty path names no export.", hint="Pass the export zip or folder (. for this folder).")
    env = context(ctx, db)
    with open_export([Path(path) for path in paths]) as files:
        listener = import_listener(env.store(), env.tokens.user(), user_id, files)
        show_import_listener(listener)
        with byte_progress(sum(f.size for f in files), "Importing") as advance:
            summary = import_history(env.store(), listener.user, files, env.now(), dry_run=dry_run, on_progress=advance)
    if as_json:
        emit_json(import_json(summary))
        show_import_problems(summary)
    else:
        show_import(summary)
        if explain:
            show_matches(summary)
