"""What a command runs with: settings, the clock and sleeper, the store, and the one factory of Spotify clients.

The CLI builds one `Context` per command and hands its parts to a service; it never opens a store or a Spotify
client itself. The store and the client are made on first use, so a command that needs neither stays offline and
never imports spotipy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from music_time_machine.config import Settings
from music_time_machine.errors import NotLoggedIn, TmError, UsageError
from music_time_machine.models import PlaylistRef, TimeRange, Track, User
from music_time_machine.services.users import resolve_user
from music_time_machine.store import Store, as_store_error, open_store
from music_time_machine.tokens import TokenFile

if TYPE_CHECKING:
    from music_time_machine.lastfm.client import LastfmClient
    from music_time_machine.spotify.client import SpotifyClient

R = TypeVar("R")
Waiter = Callable[[float, str], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Pass one as `obj` to the CLI runner to control time: tests never really sleep."""

    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    debug: bool = False
    settings: Settings | None = field(default=None, repr=False)


def store_failure(error: BaseException) -> TmError | None:
    """What a database driver's exception means to the listener (a busy, read-only or unreachable database);
    None when it is not one. The CLI asks here so that it never imports the store."""
    return as_store_error(error)


class Context:
    """Built per command; opens the database and Spotify only when a command asks for them."""

    def __init__(self, settings: Settings, runtime: Runtime, wait: Waiter) -> None:
        self.settings = settings
        self.runtime = runtime
        self.wait = wait  # how Spotify's waits (rate limits) are shown: the CLI's countdown
        self.tokens = TokenFile(settings.token_path)
        self._store: Store | None = None

    def with_settings(self, settings: Settings) -> Context:
        return Context(settings, self.runtime, self.wait)

    def with_database(self, database: Path | str) -> Context:
        return self.with_settings(replace(self.settings, database=database))

    def now(self) -> datetime:
        return self.runtime.clock()

    def store(self) -> Store:
        if self._store is None:
            database = self.settings.database
            if isinstance(database, Path) and database.parent == self.settings.home:
                self.settings.ensure_home()
            self._store = self.open_database(database)
        return self._store

    def open_database(self, target: Path | str) -> Store:
        """Any database (the target of `tm db copy`, say), with this machine's settings for it; the caller closes it."""
        return open_store(target, busy_timeout=self.settings.busy_timeout)

    def spotify(self, login: TokenFile | None = None, *, app_only: bool = False) -> SpotifyClient:
        """A client acting for `login` (default: this machine's login), or for the app alone (public data).

        The only place a SpotifyClient is made; no network until its first request."""
        from music_time_machine.spotify.client import SpotifyClient

        self.settings.require_client_id()
        return SpotifyClient(self.settings, login or self.tokens, wait=self.wait, clock=self.now, app_only=app_only)

    def identify(self, login: TokenFile) -> User:
        """Who Spotify says `login` belongs to."""
        return self.spotify(login).me()

    def listener(self) -> User:
        """Whose data to show (offline is fine): see `resolve_user`."""
        return resolve_user(self.store(), self.tokens.user())

    def logged_in_user(self) -> User:
        user = self.tokens.user()
        if user is None:
            raise NotLoggedIn()
        return user

    def lastfm(self) -> LastfmClient:
        """Last.fm's API, with the settings' key (required here, and only here)."""
        from music_time_machine.lastfm.client import LastfmClient

        settings = self.settings
        return LastfmClient(
            settings.require_lastfm_api_key(),
            settings.lastfm_api_url,
            wait=self.wait,
            clock=self.now,
            max_retry_wait=settings.max_retry_wait,
        )

    def spotify_for(self, user: User) -> SpotifyClient:
        """Spotify, acting for `user`: refuse to mix one listener's charts into another's data."""
        logged_in = self.logged_in_user()
        if logged_in.id != user.id:
            raise UsageError(
                f"{self.store().location} holds {user.label}'s data, but you are logged in as {logged_in.label}.",
                hint="Run `tm snapshot` to start your own history in this database, use --db to pick another, "
                f"`tm login` as that listener, or `tm db adopt {user.id} --into {logged_in.id}` if the data is yours.",
            )
        return self.spotify()

    def lazy_spotify_for(self, user: User) -> LazySpotify:
        return LazySpotify(lambda: self.spotify_for(user))

    def each_listener(self, work: Callable[[SpotifyClient, User], R]) -> list[tuple[User, R | TmError]]:
        """`work` for every login on this machine, in turn; a listener's failure is their outcome, not the end."""
        logins = self.tokens.every_login()
        if not logins:
            raise NotLoggedIn()
        outcomes: list[tuple[User, R | TmError]] = []
        for login in logins:
            user = login.user()
            if user is None:  # every_login keeps only logins that know their user
                continue
            try:
                outcomes.append((user, work(self.spotify(login), user)))
            except TmError as error:
                outcomes.append((user, error))
            except Exception as error:  # a busy or vanished database is that listener's outcome too
                problem = store_failure(error)
                if problem is None:
                    raise
                outcomes.append((user, problem))
        return outcomes


class LazySpotify:
    """The client, connected on first use, so a run that needs no fetch stays offline (and needs no login).

    Spells out what the services may ask of Spotify (`ChartSource`, `PlaylistWriter`), so it is checked as one."""

    def __init__(self, connect: Callable[[], SpotifyClient]) -> None:
        self._connect = connect
        self._client: SpotifyClient | None = None

    @property
    def client(self) -> SpotifyClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def top_tracks(self, time_range: TimeRange, limit: int = 50) -> list[Track]:
        return self.client.top_tracks(time_range, limit)

    def find_playlist(self, marker: str, owner_id: str) -> str | None:
        return self.client.find_playlist(marker, owner_id)

    def follows_playlist(self, playlist_id: str) -> bool:
        return self.client.follows_playlist(playlist_id)

    def playlist_uris(self, playlist_id: str) -> list[str]:
        return self.client.playlist_uris(playlist_id)

    def create_playlist(self, name: str, description: str, public: bool = False) -> PlaylistRef:
        return self.client.create_playlist(name, description, public)

    def rename_playlist(self, playlist_id: str, name: str) -> None:
        self.client.rename_playlist(playlist_id, name)

    def replace_playlist_items(self, playlist_id: str, uris: list[str]) -> None:
        self.client.replace_playlist_items(playlist_id, uris)
