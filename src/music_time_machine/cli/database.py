"""tm db copy: move your history between databases (SQLite to a shared PostgreSQL, or back)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.config import database_of
from music_time_machine.errors import StoreError, UsageError
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
    source_at, target_at = env.settings.database, database_of(to)
    if isinstance(source_at, Path) and not source_at.is_file():
        raise UsageError(f"There is no database at {source_at} to copy.", hint="Check --db or TM_DB.")
    if _same(source_at, target_at):
        raise UsageError(f"Source and target are the same database ({env.store().location}).")
    target = open_store(target_at)
    try:
        report = copy_database(env.store(), target, lambda table, added: render.message(f"{table}: +{added:,}"))
    finally:
        target.close()
    if as_json:
        render.emit_json(render.copy_json(report))
    else:
        render.copy_table(report)
    if report.short:
        raise StoreError(f"The copy is incomplete: {', '.join(report.short)} hold fewer rows than in the source.",
                         hint="Run `tm db copy` again; it only adds what is missing.")  # fmt: skip


def _same(a: Path | str, b: Path | str) -> bool:
    if isinstance(a, Path) and isinstance(b, Path):
        return a.resolve() == b.resolve()
    return a == b


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
