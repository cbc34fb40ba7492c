"""One exception hierarchy; the CLI maps it to exit codes and one-line messages in one place."""

from __future__ import annotations


class TmError(Exception):
    """A problem we understand: printed as `Error: <message>` (+ hint), never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(TmError):
    exit_code = 2


class ConfigError(TmError):
    exit_code = 2


class NotLoggedIn(TmError):
    def __init__(self, message: str = "You are not logged in to Spotify.") -> None:
        super().__init__(message, hint="Run `tm login`.")


class AuthExpired(TmError):
    """The refresh token was rejected (Spotify refresh tokens die 6 months after consent)."""


class LoginFailed(TmError):
    pass


class SpotifyError(TmError):
    pass


class RateLimited(SpotifyError):
    pass


class NetworkError(SpotifyError):
    pass


class StoreError(TmError):
    pass


class NotYours(SpotifyError):
    """Spotify answered 403 for a playlist: the user no longer owns or collaborates on it."""


class NotFound(SpotifyError):
    """Spotify answered 404: the thing (a playlist, a user) is not there."""
