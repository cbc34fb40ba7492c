"""tm db copy: move your history between databases (SQLite to a shared PostgreSQL, or back)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, command_group, context
from music_time_machine.config import database_of
from music_time_machine.errors import StoreError
from music_time_machine.models import utc_iso
from music_time_machine.render.console import emit_json
from music_time_machine.render.database import adoption_json, copy_json, show_adoption, show_copy, show_copy_step

app = command_group(
    "Your database as a whole.\n\n"
    "Examples: tm db copy --to postgresql://me@db.example/tm;  tm db adopt local --into my-spotify-id"
)


@app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="The target: a postgresql:// URL or a SQLite file.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Copy everything in this database (--db/TM_DB) into another one, then check the counts.

    Idempotent: what the target already has is left alone, so running it twice adds nothing, and an
    interrupted copy is finished by running it again. Every listener's rows are counted afterwards
    (exit 1 if the target holds fewer than the source).

    Examples:

        tm db copy --to postgresql://me@db.example/tm

        tm db copy --db ~/old.sqlite3 --to postgresql://me@db.example/tm --json
    """
    from music_time_machine.services.db_copy import copy_to

    env = context(ctx, db)
    report = copy_to(env.store, env.settings.database, database_of(to), env.open_database, show_copy_step)
    if as_json:
        emit_json(copy_json(report))
    else:
        show_copy(report)
    if report.short:
        raise StoreError(
            f"The copy is incomplete: {', '.join(report.short)} hold fewer rows than in the source.",
            hint="Run `tm db copy` again; it only adds what is missing.",
        )


@app.command("adopt")
def adopt(
    ctx: typer.Context,
    listener: Annotated[str, typer.Argument(help="Whose data to hand over: `local`, or the name an export gave.")],
    into: Annotated[str, typer.Option("--into", help="The listener who gets it (their Spotify user id).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Make one listener's plays, snapshots, playlists and rules another's, then forget the first.

    For an export imported before its owner logged in (filed under `local`, or under the name the export
    gave) when the database holds other listeners too; with no other listener, `tm login` does this
    itself. Plays go through the import's dedupe, so a play both already have counts once. Where both
    have a snapshot of the same day and range, a playlist of the same source or the same rule, the
    adopting listener's own stays. One transaction: all of it, or nothing.

    Examples:

        tm db adopt local --into my-spotify-id

        tm db adopt old_username --into my-spotify-id --json
    """
    from music_time_machine.services.adopt import adopt_listener

    env = context(ctx, db)
    adoption = adopt_listener(env.store(), listener, into, utc_iso(env.now()))
    show_adoption(adoption)
    if as_json:
        emit_json(adoption_json(adoption))
