"""tm export: your snapshots or managed playlists as CSV or JSON, streamed to stdout or a file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, SourceOption, context
from music_time_machine.render.charts import show_chart_source
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
    source: SourceOption = None,
    db: DbOption = None,
) -> None:
    """Export your data, streaming (memory stays flat however much there is).

    `snapshots` are Spotify's charts as tm took them, or with --source plays (the default when there are no
    snapshots) the charts computed from your plays: every month and range, `taken_at` the end of the month.

    Examples:

        tm export snapshots > snapshots.csv

        tm export snapshots --source plays > charts-from-plays.csv

        tm export snapshots --format json | jq '.[0]'

        tm export playlists --format json --out playlists.json
    """
    env = context(ctx, db)
    exported = export_rows(env.store(), env.listener(), what.value, source)
    if exported.source is not None:
        show_chart_source(exported.source)
    write = write_csv if file_format is Format.csv else write_json
    if out is None:
        write(sys.stdout, exported.columns, exported.rows)
        return
    with atomic_text_file(out) as handle:
        count = write(handle, exported.columns, exported.rows)
    show_export_written(count, out)
