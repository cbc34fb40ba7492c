"""tm login: log in to Spotify."""

from __future__ import annotations

import sys
import webbrowser
from typing import Annotated

import typer

from music_time_machine.cli.options import context
from music_time_machine.render.account import show_login, show_login_url, show_login_wait
from music_time_machine.services.account import LoginPrompts, log_in


def _paste_redirect() -> str:
    return typer.prompt("Paste the full URL your browser was redirected to (it may show an error page)", err=True)


def command(
    ctx: typer.Context,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the URL; do not open a browser.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=1, max=86400, help="Seconds to wait for the browser to come back.")
    ] = 300,
) -> None:
    """Log in to Spotify (authorization code flow; PKCE when there is no client secret).

    Prints the authorize URL, opens your browser, and receives Spotify's redirect on
    SPOTIPY_REDIRECT_URI (default http://127.0.0.1:8888/callback) with a small local listener.

    Examples:

        tm login

        tm login --no-browser --timeout 600    # on a server: open the URL elsewhere
    """
    env = context(ctx)
    env.settings.require_client_id()
    env.settings.ensure_home()
    show_login_wait(env.settings, timeout)
    prompts = LoginPrompts(
        show_login_url, None if no_browser else webbrowser.open, _paste_redirect if sys.stdin.isatty() else None
    )
    show_login(log_in(env.settings, env.tokens, env.store, env.identify, prompts, timeout=timeout, clock=env.now))
