"""tm db copy: move your history between databases (SQLite to a shared PostgreSQL, or back)."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.config import database_of
from music_time_machine.store import open_store

db_app = typer.Typer(
    help="Your database as a whole. Example: tm db copy --to postgresql://me@db.example/tm",
    no_args_is_help=True,
)


@db_app.command("copy")
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
    from music_time_machine.services.db_copy import copy_database

    env = CommandEnv(ctx, db)
    source = env.store()
    target = open_store(database_of(to))
    try:
        report = copy_database(source, target, on_step=lambda table, added: render.message(f"{table}: +{added:,}"))
    finally:
        target.close()
    if as_json:
        render.emit_json(render.copy_json(report))
    else:
        render.copy_table(report)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
