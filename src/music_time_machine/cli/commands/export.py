"""tm export: your snapshots or managed playlists as CSV or JSON, streamed to stdout or a file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, context
from music_time_machine.render.database import show_export_written
from music_time_machine.render.streaming import atomic_text_file, write_csv, write_json
from music_time_machine.services.exports import export_rows


class What(StrEnum):
    snapshots = "snapshots"
    playlists = "playlists"


class Format(StrEnum):
    csv = "csv"
    json = "json"


def command(
    ctx: typer.Context,
    what: Annotated[What, typer.Argument(help="snapshots (every chart position) or playlists (managed ones).")],
    file_format: Annotated[
        Format, typer.Option("--format", help="CSV with a header row, or a JSON array.")
    ] = Format.csv,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write to this file (atomically) [default: stdout].", dir_okay=False, show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export your data, streaming (memory stays flat however much there is).

    Examples:

        tm export snapshots > snapshots.csv

        tm export snapshots --format json | jq '.[0]'

        tm export playlists --format json --out playlists.json
    """
    env = context(ctx, db)
    exported = export_rows(env.store(), env.listener(), what.value)
    write = write_csv if file_format is Format.csv else write_json
    if out is None:
        write(sys.stdout, exported.columns, exported.rows)
        return
    with atomic_text_file(out) as handle:
        count = write(handle, exported.columns, exported.rows)
    show_export_written(count, out)
