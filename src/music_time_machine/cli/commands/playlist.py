"""tm playlist SOURCE / month / list / show: managed playlists that update in place, and any playlist's items."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import (
    MAX_LIMIT,
    CsvOption,
    DbOption,
    JsonOption,
    SourceOption,
    command_group,
    context,
    one_format,
)
from music_time_machine.models import ChartsFrom, Month, parse_playlist_ref
from music_time_machine.render.charts import show_chart_source
from music_time_machine.render.console import emit_json
from music_time_machine.render.playlists import (
    managed_playlists_json,
    show_managed_playlists,
    show_playlist_sync,
    show_rows,
    source_playlist_json,
)
from music_time_machine.services.playlists import PlaylistOptions

app = command_group(
    "Managed playlists, one per source, updated in place (nothing is written when unchanged).\n\n"
    "Examples: tm playlist rotation;  tm playlist month 2025-03 --dry-run;  tm playlist list"
)
NameOption = Annotated[str | None, typer.Option("--name", help="Playlist name (renames the managed playlist).")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, max=MAX_LIMIT, help="At most this many tracks (pins come on top).")
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the +added/-removed diff; write nothing.")]
PublicOption = Annotated[bool, typer.Option("--public", help="Create the playlist public (default private).")]


def _keep(
    ctx: typer.Context,
    db: str | None,
    options: PlaylistOptions,
    charts_from: ChartsFrom | None,
    as_json: bool,
    what: str | Month,
) -> None:
    """Bring the playlist of a source (gems, rotation, …) or of a month up to date, and show what changed."""
    from music_time_machine.services.playlist_sources import publish_month, publish_source

    env = context(ctx, db)
    user = env.listener()
    spotify, store, now = env.lazy_spotify_for(user), env.store(), env.now()
    if isinstance(what, Month):
        result = publish_month(store, spotify, user, now, what, options, charts_from)
    else:
        result = publish_source(store, spotify, user, now, what, options, charts_from)
    show_chart_source(result.charts_from, result.month)
    show_playlist_sync(result.sync)
    if as_json:
        emit_json(source_playlist_json(result))


def _register_source(source: str, help_text: str) -> None:
    def command(
        ctx: typer.Context,
        name: NameOption = None,
        limit: LimitOption = None,
        dry_run: DryRunOption = False,
        public: PublicOption = False,
        charts_from: SourceOption = None,
        as_json: JsonOption = False,
        db: DbOption = None,
    ) -> None:
        _keep(ctx, db, PlaylistOptions(name, limit, dry_run, public), charts_from, as_json, source)

    command.__doc__ = (
        f"{help_text}\n\n    Examples:\n\n        tm playlist {source} --dry-run\n\n"
        f"        tm playlist {source} --source plays    # from the charts of your plays\n    "
    )
    app.command(source)(command)


_register_source("gems", "Songs you loved and stopped playing (like `tm gems`).")
_register_source("rotation", "Your current rotation: today's short-term chart.")
_register_source("discoveries", "Tracks new in this month's chart, never charted before.")
_register_source("boomerangs", "Tracks that left your short-term chart and came back.")


@app.command("month")
def month_playlist(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    name: NameOption = None,
    limit: LimitOption = None,
    dry_run: DryRunOption = False,
    public: PublicOption = False,
    charts_from: SourceOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """That month's charts as a playlist (short, then medium, then long term; each track once).

    From the month's snapshots, or from the charts of your plays when it has none (--source to choose).

    Examples:

        tm playlist month 2025-03

        tm playlist month 2017-06 --source plays --dry-run
    """
    _keep(ctx, db, PlaylistOptions(name, limit, dry_run, public), charts_from, as_json, Month.parse(month))


@app.command("list")
def list_playlists(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """The playlists tm manages for you, with their last update.

    Example:

        tm playlist list --json
    """
    from music_time_machine.services.playlists import managed_playlists

    env = context(ctx, db)
    playlists = managed_playlists(env.store(), env.listener())
    if as_json:
        emit_json(managed_playlists_json(playlists))
    else:
        show_managed_playlists(playlists)


@app.command("show")
def show(
    ctx: typer.Context,
    playlist: Annotated[str, typer.Argument(help="A playlist id, spotify:playlist: URI or open.spotify.com link.")],
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    db: DbOption = None,
) -> None:
    """The items of one of your playlists (to back it up): read from /playlists/{id}/items.

    Examples:

        tm playlist show 37i9dQZF1DXcBWIGoYBM5M

        tm playlist show https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M --csv > backup.csv
    """
    from music_time_machine.services.browse import ITEM_COLUMNS, playlist_items

    playlist_id = parse_playlist_ref(playlist)
    one_format(as_json, as_csv)
    env = context(ctx, db)
    env.logged_in_user()
    show_rows(f"Playlist {playlist_id}", ITEM_COLUMNS, playlist_items(env.spotify(), playlist_id), as_json, as_csv)
