"""Logging in and out, and who is logged in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from music_time_machine.config import Settings
from music_time_machine.models import User, utc_iso
from music_time_machine.services.users import LOCAL_LISTENER
from music_time_machine.store import Store
from music_time_machine.tokens import TokenFile


class Profile(Protocol):
    def me(self) -> User: ...


@dataclass(frozen=True)
class LoginPrompts:
    """How the login talks to the listener: the URL shown, the browser opened, a redirect pasted back."""

    show_url: Callable[[str], None]
    open_url: Callable[[str], object] | None  # None: only show the URL
    paste: Callable[[], str] | None  # None: no terminal to paste into


def log_in(
    settings: Settings,
    tokens: TokenFile,
    store: Callable[[], Store],
    identify: Callable[[TokenFile], User],
    prompts: LoginPrompts,
    *,
    timeout: float,
    clock: Callable[[], datetime],
) -> Login:
    """Spotify's authorization code flow; the listener is recorded in the store (opened only once logged in)."""
    from music_time_machine.auth import run_login

    user = run_login(
        settings,
        tokens,
        show_url=prompts.show_url,
        open_url=prompts.open_url,
        timeout=timeout,
        clock=clock,
        identify=identify,
        paste=prompts.paste,
    )
    opened = store()
    adopted = adopt_local_listener(opened, user, utc_iso(clock()))
    return Login(user, adopted, [] if adopted else [other for other in opened.users.import_only() if other != user.id])


@dataclass(frozen=True)
class Login:
    user: User
    adopted: dict[str, int]  # rows of the local listener that became this account's, per table (empty: none)
    unclaimed: list[str]  # other listeners with imported plays only (no snapshot, no sync): `tm db adopt` them


def adopt_local_listener(store: Store, user: User, now: str) -> dict[str, int]:
    """Record the listener; when the database's only listener is the local one (an export imported before any
    login), its plays, snapshots and rules become this account's. With other listeners there, nothing moves."""
    if [known.id for known in store.users.all()] == [LOCAL_LISTENER.id] and user.id != LOCAL_LISTENER.id:
        return store.users.adopt(LOCAL_LISTENER.id, user, now)
    store.users.upsert(user, now)
    return {}


@dataclass(frozen=True)
class Logout:
    user_id: str | None  # the parked listener asked for, or None for this machine's login
    path: Path
    removed: bool


def log_out(tokens: TokenFile, user_id: str | None) -> Logout:
    """Forget a login (this machine's, or a parked listener's); the data stays."""
    current = tokens.user()
    login = tokens if user_id is None or (current and current.id == user_id) else tokens.parked(user_id)
    return Logout(user_id, login.path, login.delete())


@dataclass(frozen=True)
class Whoami:
    user: User
    consented_at: str | None
    login_expires_at: str | None


def whoami(spotify: Profile, tokens: TokenFile) -> Whoami:
    """Who Spotify says is logged in, and when the 6-month login expires."""
    user = spotify.me()
    expires = tokens.login_expires_at()
    return Whoami(user, tokens.consented_at(), utc_iso(expires) if expires else None)
