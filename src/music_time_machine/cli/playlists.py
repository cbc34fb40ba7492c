"""tm playlist SOURCE / playlist list, and tm ban / unban / pin / unpin: managed playlists that update in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli import browse
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption, sync_playlist
from music_time_machine.models import Month, Track, User, parse_track_ref, utc_iso
from music_time_machine.services import playlist_sources as sources
from music_time_machine.store.rules import ALL_SOURCES

playlist_app = typer.Typer(
    help="Managed playlists, one per source, updated in place (nothing is written when unchanged).\n\n"
    "Examples: tm playlist rotation;  tm playlist month 2025-03 --dry-run;  tm playlist list",
    no_args_is_help=True,
)
SOURCE_NAMES = ("gems", "rotation", "discoveries", "boomerangs")
NameOption = Annotated[str | None, typer.Option("--name", help="Playlist name (renames the managed playlist).")]
LimitOption = Annotated[int | None, typer.Option("--limit", min=1, help="At most this many tracks (pins come on top).")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the +added/-removed diff; write nothing.")]
PublicOption = Annotated[bool, typer.Option("--public", help="Create the playlist public (default private).")]
SourceOption = Annotated[str, typer.Option("--source", help=f"The source the pin applies to: {', '.join(SOURCE_NAMES)} "
                                           "or month-YYYY-MM.")]  # fmt: skip


def _publish(
    ctx: typer.Context,
    db: str | None,
    kind: str,
    default_name: str,
    description: str,
    tracks_for: Callable[[CommandEnv, User, datetime], list[Track]],
    options: tuple,
) -> None:
    name, limit, dry_run, public, as_json = options
    env = CommandEnv(ctx, db)
    user = env.listener()
    sync = sync_playlist(
        env,
        user,
        kind=kind,
        name=name or default_name,
        description=description,
        tracks=tracks_for(env, user, env.now()),
        dry_run=dry_run,
        public=public,
        limit=limit,
    )
    if as_json:
        render.emit_json({"source": kind, **{k: v for k, v in sync.__dict__.items() if k != "kind"}})


def _register_source(
    kind: str, title: str, tracks_for: Callable[[CommandEnv, User, datetime], list[Track]], help_text: str
) -> None:
    def command(
        ctx: typer.Context,
        name: NameOption = None,
        limit: LimitOption = None,
        dry_run: DryRunOption = False,
        public: PublicOption = False,
        as_json: JsonOption = False,
        db: DbOption = None,
    ) -> None:
        _publish(ctx, db, kind, title, sources.DESCRIPTIONS[kind], tracks_for, (name, limit, dry_run, public, as_json))

    command.__doc__ = f"{help_text}\n\n    Example:\n\n        tm playlist {kind} --dry-run\n    "
    playlist_app.command(kind)(command)


_register_source(
    "gems",
    "Forgotten Gems",
    lambda env, user, now: sources.gems_tracks(env.store(), env.lazy_spotify_for(user), user, now),
    "Songs you loved and stopped playing (like `tm gems`).",
)
_register_source(
    "rotation",
    "Rotation",
    lambda env, user, now: sources.rotation_tracks(env.store(), env.lazy_spotify_for(user), user, now),
    "Your current rotation: today's short-term chart.",
)
_register_source(
    "discoveries",
    "Discoveries",
    lambda env, user, now: sources.discovery_tracks(env.store(), env.lazy_spotify_for(user), user, now),
    "Tracks new in this month's chart, never charted before.",
)
_register_source(
    "boomerangs",
    "Boomerangs",
    lambda env, user, now: sources.boomerang_tracks(env.store(), user, now),
    "Tracks that left your short-term chart and came back.",
)


@playlist_app.command("month")
def month_playlist(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    name: NameOption = None,
    limit: LimitOption = None,
    dry_run: DryRunOption = False,
    public: PublicOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """That month's charts as a playlist (short, then medium, then long term; each track once).

    Example:

        tm playlist month 2025-03
    """
    wanted = Month.parse(month)
    _publish(ctx, db, f"month-{wanted}", f"tm: {wanted}", sources.DESCRIPTIONS["month"].format(month=wanted),
             lambda env, user, now: sources.month_tracks(env.store(), user, wanted),
             (name, limit, dry_run, public, as_json))  # fmt: skip


@playlist_app.command("list")
def list_playlists(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """The playlists tm manages for you, with their last update.

    Example:

        tm playlist list --json
    """
    env = CommandEnv(ctx, db)
    playlists = env.store().playlists.for_user(env.listener().id)
    if as_json:
        render.emit_json([{k: v for k, v in p.__dict__.items() if k != "user_id"} for p in playlists])
        return
    for p in playlists:
        typer.echo(f"{p.kind:<20} {p.name:<30} {p.track_count:>4} tracks  updated {p.updated_at}  id {p.playlist_id}")
    if not playlists:
        render.message("No managed playlists yet: try `tm playlist rotation` or `tm gems --create-playlist`.")


playlist_app.command("show")(browse.show)  # any playlist, tm's or not: browsing lives with `tm playlists`


def _rule(ctx: typer.Context, track: str, rule: str, source: str, add: bool, db: Path | None) -> None:
    uri = parse_track_ref(track)
    env = CommandEnv(ctx, db)
    store, user = env.store(), env.listener()
    if add:
        store.users.upsert(user, utc_iso(env.now()))
        changed = store.rules.add(user.id, uri, rule, source, utc_iso(env.now()))
    else:
        changed = store.rules.remove(user.id, uri, rule, source)
    where = "every generated playlist" if source == ALL_SOURCES else f"the {source} playlist"
    verb = {("ban", True): "banned from", ("ban", False): "no longer banned from",
            ("pin", True): "pinned in", ("pin", False): "no longer pinned in"}[(rule, add)]  # fmt: skip
    typer.echo(f"{uri} {verb} {where}." if changed else f"Nothing to change: {uri} was already so.")


TrackArgument = Annotated[str, typer.Argument(help="A spotify:track: URI, a track id or an open.spotify.com link.")]


def ban(ctx: typer.Context, track: TrackArgument, db: DbOption = None) -> None:
    """Keep a track out of every generated playlist (applied on their next update).

    Example:

        tm ban https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC
    """
    _rule(ctx, track, "ban", ALL_SOURCES, True, db)


def unban(ctx: typer.Context, track: TrackArgument, db: DbOption = None) -> None:
    """Undo `tm ban`.

    Example:

        tm unban spotify:track:4uLU6hMCjMI75M1A2tKUQC
    """
    _rule(ctx, track, "ban", ALL_SOURCES, False, db)


def pin(ctx: typer.Context, track: TrackArgument, source: SourceOption, db: DbOption = None) -> None:
    """Keep a track in one source's playlist, whatever the source says.

    Example:

        tm pin 4uLU6hMCjMI75M1A2tKUQC --source gems
    """
    _rule(ctx, track, "pin", source, True, db)


def unpin(ctx: typer.Context, track: TrackArgument, source: SourceOption, db: DbOption = None) -> None:
    """Undo `tm pin`.

    Example:

        tm unpin 4uLU6hMCjMI75M1A2tKUQC --source gems
    """
    _rule(ctx, track, "pin", source, False, db)


def register(app: typer.Typer) -> None:
    app.add_typer(playlist_app, name="playlist")
    for command in (ban, unban, pin, unpin):
        app.command()(command)
