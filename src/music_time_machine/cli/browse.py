"""tm playlists [USER] and tm playlist show: browse playlists (yours, or a user's public ones) and back them up."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.errors import UsageError
from music_time_machine.models import parse_playlist_ref, parse_user_ref
from music_time_machine.render.streaming import write_csv, write_json
from music_time_machine.spotify.parse import track_from_json

CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV (with a header row) to stdout.")]
PLAYLIST_COLUMNS = ["id", "name", "owner", "tracks", "public", "managed"]
ITEM_COLUMNS = ["position", "added_at", "uri", "name", "artists", "album", "duration_ms"]


def _emit(columns: list[str], rows: Iterable[tuple], as_json: bool, as_csv: bool) -> bool:
    """JSON or CSV to stdout, streaming; False when neither was asked for (the caller prints a table)."""
    if as_json and as_csv:
        raise UsageError("Use --json or --csv, not both.")
    if as_json or as_csv:
        (write_json if as_json else write_csv)(sys.stdout, columns, iter(rows))
    return as_json or as_csv


def _playlist_rows(playlists: Iterator[dict], managed: set[str], limit: int | None) -> Iterator[tuple]:
    for playlist in islice((p for p in playlists if isinstance(p, dict)), limit):
        owner = playlist.get("owner") or {}
        counts = playlist.get("items") or playlist.get("tracks") or {}  # 2026 renamed tracks -> items
        yield (playlist.get("id"), playlist.get("name"), owner.get("id"), counts.get("total"),
               playlist.get("public"), playlist.get("id") in managed)  # fmt: skip


def playlists(
    ctx: typer.Context,
    user: Annotated[
        str | None,
        typer.Argument(
            help="A user id (from open.spotify.com/user/<id>, not the display name), spotify:user: URI or profile "
            "link. Without it: your own playlists.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many playlists.")] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    db: DbOption = None,
) -> None:
    """List playlists: your own (marking those tm manages), or a user's public ones.

    A user's public playlists use the Client Credentials flow (client id and secret, no login). Spotify
    removed that endpoint for development-mode apps created since February 2026: tm then says so.

    Examples:

        tm playlists

        tm playlists spotify --limit 20

        tm playlists https://open.spotify.com/user/someone --csv > their-playlists.csv
    """
    env = CommandEnv(ctx, db)
    progress = render.page_progress("Reading playlists")
    if user:
        user_id = parse_user_ref(user)
        from music_time_machine.spotify.client import SpotifyClient

        client = SpotifyClient(env.settings, env.tokens, wait=render.countdown_waiter(env.runtime.sleep),
                               clock=env.now, app_only=True)  # fmt: skip
        rows = _playlist_rows(client.user_playlists(user_id, on_page=progress), set(), limit)
    else:
        me = env.logged_in_user()
        managed = {p.playlist_id for p in env.store().playlists.for_user(me.id)}
        rows = _playlist_rows(env.spotify().my_playlists(on_page=progress), managed, limit)
    if not _emit(PLAYLIST_COLUMNS, rows, as_json, as_csv):
        render.rows_table("Playlists", PLAYLIST_COLUMNS, rows)


def _item_rows(entries: Iterator[dict]) -> Iterator[tuple]:
    for position, entry in enumerate(entries, start=1):
        track = track_from_json((entry.get("item") or entry.get("track")) if isinstance(entry, dict) else None)
        added_at = entry.get("added_at") if isinstance(entry, dict) else None
        if track is None:
            yield (position, added_at, None, "(unavailable or not a track)", "", "", None)
        else:
            yield (position, added_at, track.uri, track.name, ", ".join(track.artist_names), track.album_name,
                   track.duration_ms)  # fmt: skip


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
    playlist_id = parse_playlist_ref(playlist)
    env = CommandEnv(ctx, db)
    env.logged_in_user()
    rows = _item_rows(env.spotify().playlist_entries(playlist_id))
    if not _emit(ITEM_COLUMNS, rows, as_json, as_csv):
        render.rows_table(f"Playlist {playlist_id}", ITEM_COLUMNS, rows)


def register(app: typer.Typer) -> None:
    app.command()(playlists)
