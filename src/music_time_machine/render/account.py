"""tm login, logout and whoami."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.console import JsonObject, line, message

if TYPE_CHECKING:
    from music_time_machine.config import Settings
    from music_time_machine.models import User
    from music_time_machine.services.account import Login, Logout, Whoami


def show_login_url(url: str) -> None:
    message("Open this URL to log in to Spotify (it is also on stdout):")
    line(url)


def show_login_wait(settings: Settings, timeout: float) -> None:
    target = settings.redirect_target()
    message(
        f"Waiting up to {timeout:g}s for Spotify to redirect to {settings.redirect_uri} "
        f"(listening on {target.host}:{target.port})."
    )


def show_logged_in(user: User) -> None:
    line(f"Logged in as {user.label}")


def show_login(login: Login) -> None:
    if login.adopted:
        plays = login.adopted.get("plays", 0)
        message(f"The plays imported before this login ({plays:,}) are now {login.user.label}'s (were 'local').")
    for other in login.unclaimed:
        message(
            f"This database also holds plays imported for {other!r}, who never logged in here; if they are yours, "
            f"run `tm db adopt {other} --into {login.user.id}`."
        )
    show_logged_in(login.user)


def show_logout(logout: Logout) -> None:
    if logout.removed:
        line(f"Logged out: removed {logout.path}.")
    else:
        line(
            f"No login for {logout.user_id} here; nothing to do." if logout.user_id else "Not logged in; nothing to do."
        )


def whoami_json(who: Whoami) -> JsonObject:
    return {
        "id": who.user.id,
        "display_name": who.user.display_name,
        "account_id": who.user.account_id,
        "consented_at": who.consented_at,
        "login_expires_at": who.login_expires_at,
    }


def show_whoami(who: Whoami) -> None:
    show_logged_in(who.user)
    if who.consented_at:
        line(f"Login expires around {who.login_expires_at} (6 months after consent on {who.consented_at}).")
