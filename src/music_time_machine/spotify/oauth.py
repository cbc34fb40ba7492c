"""Authorization: spotipy's auth-code/PKCE managers on our token file, never interactive on their own."""

from __future__ import annotations

import secrets
from typing import Any

import requests
from spotipy.cache_handler import CacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOAuth, SpotifyOauthError, SpotifyPKCE

from music_time_machine.bounded_http import AnswerOutOfBounds
from music_time_machine.config import Settings
from music_time_machine.errors import AuthExpired, ConfigError, LoginFailed, NetworkError, NotLoggedIn, SpotifyError
from music_time_machine.tokens import TokenFile

SCOPES = "user-top-read user-read-recently-played playlist-read-private playlist-modify-private playlist-modify-public"
TOKEN_TIMEOUT_SECONDS = 10


class _TokenFileCache(CacheHandler):
    def __init__(self, token_file: TokenFile) -> None:
        self.token_file = token_file

    def get_cached_token(self) -> dict[str, Any] | None:
        return self.token_file.token_info()

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        self.token_file.save_token_info(token_info)


def _manager(
    settings: Settings, token_file: TokenFile, session: requests.Session, state: str | None = None
) -> SpotifyOAuth | SpotifyPKCE:
    """Auth-code flow when there is a client secret, PKCE otherwise; both on TM_SPOTIFY_ACCOUNTS_URL."""
    common = {
        "client_id": settings.require_client_id(),
        "redirect_uri": settings.redirect_uri,
        "scope": SCOPES,
        "state": state,
        "cache_handler": _TokenFileCache(token_file),
        "requests_session": session,
        "requests_timeout": TOKEN_TIMEOUT_SECONDS,
        "open_browser": False,
    }
    manager = (
        SpotifyOAuth(client_secret=settings.client_secret, **common)
        if settings.client_secret
        else SpotifyPKCE(**common)
    )
    manager.OAUTH_AUTHORIZE_URL = settings.accounts_url + "authorize"
    manager.OAUTH_TOKEN_URL = settings.accounts_url + "api/token"
    return manager


def endpoints(settings: Settings) -> dict[str, str]:
    """The Spotify endpoints that settings name, as a token file records its issuer."""
    return {"api_url": settings.api_url, "accounts_url": settings.accounts_url}


def _token_service_error(error: SpotifyOauthError) -> SpotifyError:
    return SpotifyError(f"Spotify's login service refused the request: {_detail(error)}.")


def _unreachable(error: requests.RequestException) -> NetworkError:
    reason = str(error) if isinstance(error, AnswerOutOfBounds) else type(error).__name__
    return NetworkError(f"Cannot reach Spotify's login service: {reason}.")


def _detail(error: SpotifyOauthError) -> str:
    """OAuth errors carry strings; a failing server may send anything else (or nothing)."""
    detail = error.error_description or error.error
    return detail if isinstance(detail, str) and detail else "it answered with an error"


class LoginAttempt:
    """One login: the URL the user opens, the `state` we expect back, and the code exchange."""

    def __init__(self, settings: Settings, token_file: TokenFile, session: requests.Session) -> None:
        self.state = secrets.token_urlsafe(16)
        self._settings = settings
        self._token_file = token_file
        self._manager = _manager(settings, token_file, session, state=self.state)
        self.authorize_url: str = self._manager.get_authorize_url()

    def exchange(self, code: str) -> None:
        """Trade the authorization code for tokens; spotipy saves them through our token file."""
        try:
            if isinstance(self._manager, SpotifyPKCE):
                self._manager.get_access_token(code, check_cache=False)
            else:
                self._manager.get_access_token(code, as_dict=False, check_cache=False)
        except SpotifyOauthError as error:
            raise LoginFailed(
                f"Spotify did not accept the login: {_detail(error)}.",
                hint="Run `tm login` again.",
            ) from error
        except requests.RequestException as error:
            raise _unreachable(error) from error
        self._token_file.record_issuer(**endpoints(self._settings))


class StoredToken:
    """What spotipy asks for an access token before each request: ours, refreshed when due, never a prompt."""

    def __init__(self, settings: Settings, token_file: TokenFile, session: requests.Session) -> None:
        self._settings = settings
        self._token_file = token_file
        self._session = session

    def get_access_token(self, as_dict: bool = False) -> str:
        token_info = self._token_file.token_info()
        if token_info is None:
            raise NotLoggedIn()
        self._check_issuer()
        manager = _manager(self._settings, self._token_file, self._session)
        if manager.is_token_expired(token_info):
            token_info = self.refresh()
        return token_info["access_token"]

    def _check_issuer(self) -> None:
        """A `.env` that points tm at another server must not receive this login's tokens or secret."""
        if self._token_file.issued_by() != endpoints(self._settings):
            raise AuthExpired(
                "Your login belongs to other Spotify endpoints than TM_SPOTIFY_API_URL/TM_SPOTIFY_ACCOUNTS_URL "
                "now name; tm will not send it there.",
                hint="Check those settings (and any .env in this directory), or run `tm login` again.",
            )

    def refresh(self) -> dict[str, Any]:
        token_info = self._token_file.token_info()
        if token_info is None or not token_info.get("refresh_token"):
            raise NotLoggedIn()
        self._check_issuer()
        manager = _manager(self._settings, self._token_file, self._session)
        try:
            return manager.refresh_access_token(token_info["refresh_token"])
        except SpotifyOauthError as error:
            if error.error == "invalid_grant":
                self._token_file.delete()
                raise AuthExpired(
                    "Your Spotify login expired: refresh tokens last 6 months after you consent.",
                    hint="Run `tm login`.",
                ) from error
            raise _token_service_error(error) from error
        except requests.RequestException as error:
            raise _unreachable(error) from error


class AppToken:
    """Client Credentials: an app-only token (no user, no login) for public data, cached in its own file."""

    def __init__(self, settings: Settings, token_file: TokenFile, session: requests.Session) -> None:
        if not settings.client_secret:
            raise ConfigError(
                "Listing another user's playlists needs SPOTIPY_CLIENT_SECRET (the Client Credentials flow).",
                hint="Add the secret from your app's dashboard to .env, or run `tm playlists` for your own.",
            )
        self._settings = settings
        self._token_file = token_file
        self._manager = SpotifyClientCredentials(
            client_id=settings.require_client_id(),
            client_secret=settings.client_secret,
            cache_handler=_TokenFileCache(token_file),
            requests_session=session,
            requests_timeout=TOKEN_TIMEOUT_SECONDS,
        )
        self._manager.OAUTH_TOKEN_URL = settings.accounts_url + "api/token"

    def get_access_token(self, as_dict: bool = False) -> str:
        return self._fetch(check_cache=True)

    def refresh(self) -> dict[str, Any]:
        self._token_file.delete()
        self._fetch(check_cache=False)
        return self._token_file.token_info() or {}

    def _check_issuer(self) -> None:
        """The client secret goes only where this machine's credentials are pinned: the login's endpoints (it
        went there at `tm login`), else those of the first app token; a cached token never goes anywhere else."""
        expected = endpoints(self._settings)
        pinned = TokenFile(self._settings.token_path).issued_by() or self._token_file.issued_by()
        if pinned and pinned != expected:
            raise ConfigError(
                "Your Spotify app's credentials were used with other endpoints than TM_SPOTIFY_API_URL/"
                "TM_SPOTIFY_ACCOUNTS_URL now name; tm will not send the client secret there.",
                hint="Check those settings (and any .env in this directory); to move on purpose, `tm login` there "
                f"or delete {self._settings.app_token_path}.",
            )
        if self._token_file.issued_by() != expected:
            self._token_file.delete()  # issued elsewhere (or before tm recorded issuers): fetch one here

    def _fetch(self, *, check_cache: bool) -> str:
        self._check_issuer()
        try:
            token = self._manager.get_access_token(as_dict=False, check_cache=check_cache)
        except SpotifyOauthError as error:
            if error.error == "invalid_client":
                raise ConfigError(
                    "Spotify rejected the client id or secret.",
                    hint="Check SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET.",
                ) from error
            raise _token_service_error(error) from error
        except requests.RequestException as error:
            raise _unreachable(error) from error
        if not self._token_file.issued_by():
            self._token_file.record_issuer(**endpoints(self._settings))
        return token
