"""What every command needs: settings, the clock and sleeper (injectable by tests), the store, Spotify."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from music_time_machine import render
from music_time_machine.config import Settings, database_of
from music_time_machine.errors import NotLoggedIn, TmError, UsageError
from music_time_machine.models import Artist, PlayCount, TimeRange, Track, User
from music_time_machine.services.users import resolve_user
from music_time_machine.store import Store, as_store_error, open_store
from music_time_machine.tokens import TokenFile

if TYPE_CHECKING:
    from music_time_machine.services.playlists import PlaylistSync
    from music_time_machine.spotify.client import SpotifyClient


R = TypeVar("R")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Pass one as `obj` to the CLI runner to control time: tests never really sleep."""

    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    debug: bool = False
    settings: Settings | None = field(default=None, repr=False)


# What users type (short|medium|long), derived from TimeRange so the two never drift apart.
RangeChoice = StrEnum("RangeChoice", [time_range.short_name for time_range in TimeRange])


def time_range_of(choice: StrEnum) -> TimeRange:
    return TimeRange.parse(choice.value)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite database file, or a postgresql:// URL [env: TM_DB; default: $TM_HOME/tm.sqlite3].",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON to stdout instead of tables.")]
AllUsersOption = Annotated[
    bool,
    typer.Option(
        "--all-users",
        help="For every listener logged in on this machine (`tm login` as each); one failing never stops the others.",
    ),
]
CreatePlaylistOption = Annotated[
    bool,
    typer.Option(
        "--create-playlist",
        help="Also keep a private playlist of these tracks, updated in place on later runs.",
    ),
]


def runtime(ctx: typer.Context) -> Runtime:
    root = ctx.find_root()
    if not isinstance(root.obj, Runtime):
        root.obj = Runtime()
    return root.obj


class CommandEnv:
    """Built per command; opens the database and Spotify only when a command asks for them."""

    def __init__(self, ctx: typer.Context, db: str | None = None) -> None:
        self.runtime = runtime(ctx)
        base = self.runtime.settings
        assert base is not None, "the app callback loads settings before any command runs"
        self.settings = replace(base, database=database_of(db)) if db else base
        self.tokens = TokenFile(self.settings.token_path)
        self._store: Store | None = None
        self._spotify: SpotifyClient | None = None

    def now(self) -> datetime:
        return self.runtime.clock()

    def store(self) -> Store:
        if self._store is None:
            database = self.settings.database
            if isinstance(database, Path) and database.parent == self.settings.home:
                self.settings.ensure_home()
            self._store = open_store(database)
        return self._store

    def spotify(self) -> SpotifyClient:
        """The client for the logged-in user (no network until the first request)."""
        if self._spotify is None:
            self._spotify = self.spotify_with(self.tokens)
        return self._spotify

    def spotify_with(self, login: TokenFile) -> SpotifyClient:
        from music_time_machine.spotify.client import SpotifyClient

        self.settings.require_client_id()
        return SpotifyClient(self.settings, login, wait=render.countdown_waiter(self.runtime.sleep), clock=self.now)

    def each_listener(self, work: Callable[[SpotifyClient, User], R]) -> list[tuple[User, R | TmError]]:
        """`work` for every login on this machine, in turn; a listener's failure is their outcome, not the end."""
        logins = self.tokens.every_login()
        if not logins:
            raise NotLoggedIn()
        outcomes: list[tuple[User, R | TmError]] = []
        for login in logins:
            user = login.user()
            assert user is not None  # every_login keeps only logins that know their user
            try:
                outcomes.append((user, work(self.spotify_with(login), user)))
            except TmError as error:
                outcomes.append((user, error))
            except Exception as error:  # a busy or vanished database is that listener's outcome too
                problem = as_store_error(error)
                if problem is None:
                    raise
                outcomes.append((user, problem))
        return outcomes

    def listener(self) -> User:
        """Whose data to show (offline is fine): see `resolve_user`."""
        return resolve_user(self.store(), self.tokens.user())

    def logged_in_user(self) -> User:
        user = self.tokens.user()
        if user is None:
            raise NotLoggedIn()
        return user

    def spotify_for(self, user: User) -> SpotifyClient:
        """Spotify, acting for `user`: refuse to mix one listener's charts into another's data."""
        logged_in = self.logged_in_user()
        if logged_in.id != user.id:
            raise UsageError(
                f"{self.store().location} holds {user.label}'s data, but you are logged in as {logged_in.label}.",
                hint="Run `tm snapshot` to start your own history in this database, use --db to pick another, "
                "or `tm login` as that listener.",
            )
        return self.spotify()

    def lazy_spotify_for(self, user: User) -> LazySpotify:
        return LazySpotify(lambda: self.spotify_for(user))


class LazySpotify:
    """Stands in for the client and connects on first use, so a run that needs no fetch stays offline."""

    def __init__(self, connect: Callable[[], SpotifyClient]) -> None:
        self._connect = connect

    def __getattr__(self, name: str) -> object:
        return getattr(self._connect(), name)


def sync_playlist(
    env: CommandEnv,
    user: User,
    *,
    kind: str,
    name: str,
    description: str,
    tracks: list[Track],
    dry_run: bool = False,
    public: bool = False,
    limit: int | None = None,
) -> PlaylistSync:
    """Keep the managed playlist of `kind` in step with `tracks` (bans and pins applied); show what changed."""
    from music_time_machine.services.playlist_sources import apply_rules  # imported here for start-up time
    from music_time_machine.services.playlists import sync_managed_playlist

    store = env.store()
    wanted = apply_rules(store, user, kind, tracks, limit)
    sync = sync_managed_playlist(store, env.lazy_spotify_for(user), user, kind=kind, name=name,
                                 description=description, tracks=wanted, now=env.now(), dry_run=dry_run,
                                 public=public)  # fmt: skip
    names = {t.uri: f"{t.name} — {', '.join(t.artist_names)}" if t.artists else t.name for t in wanted}
    render.playlist_diff(sync, {**store.playlists.track_names(sync.removed), **names} if sync.removed else names)
    return sync


def tracks_of(counts: list[PlayCount]) -> list[Track]:
    """Played tracks that can go into a playlist (those with a URI), each once, in order."""
    unique = {count.uri: count for count in counts if count.uri}
    return [Track(uri, c.name, (Artist("", c.artist),), album_name=c.album) for uri, c in unique.items()]
