"""tm doctor: is everything set up, and what to do about what is not."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption, JsonOption
from music_time_machine.services import doctor as checks
from music_time_machine.store import open_store


def doctor(
    ctx: typer.Context,
    offline: Annotated[bool, typer.Option("--offline", help="Skip the call to Spotify.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Check the setup: app credentials, redirect URI, login, scopes, days until the 6-month login expires,
    Spotify reachable and this account allow-listed, spotipy version, database integrity and schema,
    last snapshot and plays. Exit 1 when any check fails. The client id is shown masked; secrets never.

    Examples:

        tm doctor

        tm doctor --offline --json
    """
    env = CommandEnv(ctx, db)
    now = env.now()
    found = checks.config_checks(env.settings) + checks.login_checks(env.tokens, now)
    if not offline and env.tokens.token_info() is not None and env.settings.client_id:
        found.append(checks.api_check(lambda: env.spotify().me()))
    found += checks.database_checks(lambda: open_store(env.settings.database), env.tokens.user(), now)
    failed = any(check.status == "fail" for check in found)
    if as_json:
        render.emit_json({"ok": not failed, "checks": [check.__dict__ for check in found]})
    else:
        render.doctor_table(found)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
