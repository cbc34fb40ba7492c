"""tm db copy: move your history between databases (SQLite to a shared PostgreSQL, or back)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, command_group, context
from music_time_machine.config import database_of
from music_time_machine.errors import StoreError
from music_time_machine.render.console import emit_json
from music_time_machine.render.database import copy_json, show_copy, show_copy_step

app = command_group("Your database as a whole. Example: tm db copy --to postgresql://me@db.example/tm")


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
