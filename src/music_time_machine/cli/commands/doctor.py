"""tm doctor: is everything set up, and what to do about what is not."""

from __future__ import annotations

from typing import Annotated

import typer

from music_time_machine.cli.options import DbOption, JsonOption, context
from music_time_machine.render.console import emit_json
from music_time_machine.render.doctor import diagnosis_json, show_diagnosis
from music_time_machine.services.doctor import diagnose


def command(
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
    env = context(ctx, db)
    diagnosis = diagnose(env.settings, env.tokens, env.now(), None if offline else lambda: env.spotify().me())
    if as_json:
        emit_json(diagnosis_json(diagnosis))
    else:
        show_diagnosis(diagnosis)
    if not diagnosis.ok:
        raise typer.Exit(1)
