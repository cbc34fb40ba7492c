"""tm login / logout / whoami."""

from __future__ import annotations

import sys
import webbrowser
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, JsonOption
from music_time_machine.models import utc_iso


def _print_url(url: str) -> None:
    render.message("Open this URL to log in to Spotify (it is also on stdout):")
    typer.echo(url)


def _paste_redirect() -> str:
    return typer.prompt("Paste the full URL your browser was redirected to (it may show an error page)", err=True)


def login(
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
    from music_time_machine.auth import run_login

    env = CommandEnv(ctx)
    env.settings.require_client_id()
    env.settings.ensure_home()
    target = env.settings.redirect_target()
    render.message(
        f"Waiting up to {timeout:g}s for Spotify to redirect to {env.settings.redirect_uri} "
        f"(listening on {target.host}:{target.port})."
    )
    user = run_login(
        env.settings,
        env.tokens,
        show_url=_print_url,
        open_url=None if no_browser else webbrowser.open,
        timeout=timeout,
        clock=env.now,
        wait=render.countdown_waiter(env.runtime.sleep),
        paste=_paste_redirect if sys.stdin.isatty() else None,
    )
    env.store().users.upsert(user, utc_iso(env.now()))
    typer.echo(f"Logged in as {user.label}")


def logout(
    ctx: typer.Context,
    user: Annotated[
        str | None, typer.Option("--user", help="Another listener's login kept on this machine (see --all-users).")
    ] = None,
) -> None:
    """Forget the Spotify login (deletes token.json in TM_HOME). Your data stays.

    Examples:

        tm logout

        tm logout --user housemate      # a listener who logged in here earlier
    """
    env = CommandEnv(ctx)
    current = env.tokens.user()
    login = env.tokens if user is None or (current and current.id == user) else env.tokens.parked(user)
    if login.delete():
        typer.echo(f"Logged out: removed {login.path}.")
    else:
        typer.echo(f"No login for {user} here; nothing to do." if user else "Not logged in; nothing to do.")


def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who is logged in (asks Spotify) and when the login expires.

    Spotify refresh tokens last 6 months from when you consented; after that run `tm login` again.

    Examples:

        tm whoami

        tm whoami --json
    """
    env = CommandEnv(ctx)
    env.logged_in_user()  # not logged in: say so before importing spotipy
    user = env.spotify().me()
    consented_at = env.tokens.consented_at()
    info = {
        "id": user.id,
        "display_name": user.display_name,
        "account_id": user.account_id,
        "consented_at": consented_at,
        "login_expires_at": utc_iso(expires) if (expires := env.tokens.login_expires_at()) else None,
    }
    if as_json:
        render.emit_json(info)
        return
    typer.echo(f"Logged in as {user.label}")
    if consented_at:
        typer.echo(f"Login expires around {info['login_expires_at']} (6 months after consent on {consented_at}).")


def register(app: typer.Typer) -> None:
    app.command()(login)
    app.command()(logout)
    app.command()(whoami)
