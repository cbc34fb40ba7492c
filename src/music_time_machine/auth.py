"""The login flow: authorize URL, our loopback listener (or a pasted URL), code exchange, who logged in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from music_time_machine.config import Settings
from music_time_machine.loopback import PortBusy, RedirectReceiver, code_from_url
from music_time_machine.models import User, utc_iso
from music_time_machine.tokens import TokenFile


def run_login(
    settings: Settings,
    token_file: TokenFile,
    *,
    show_url: Callable[[str], None],
    open_url: Callable[[str], object] | None,
    timeout: float,
    clock: Callable[[], datetime],
    wait: Callable[[float, str], None],
    paste: Callable[[], str] | None = None,
) -> User:
    """Log in and return the user. `open_url` is the browser (None: the user opens the printed URL);
    `paste` asks for the redirected URL when the listener's port is busy (None: fail instead)."""
    import requests

    from music_time_machine.spotify.client import SpotifyClient
    from music_time_machine.spotify.oauth import LoginAttempt

    target = settings.redirect_target()
    attempt = LoginAttempt(settings, token_file, requests.Session())
    try:
        receiver = RedirectReceiver(target, attempt.state)
    except PortBusy:
        if paste is None:
            raise
        show_url(attempt.authorize_url)
        code = code_from_url(paste(), attempt.state)
    else:
        try:
            show_url(attempt.authorize_url)
            if open_url is not None:
                open_url(attempt.authorize_url)
        except BaseException:
            receiver.close()
            raise
        code = receiver.wait(timeout)
    token_file.delete()  # a new login replaces the old one, user and all
    attempt.exchange(code)
    user = SpotifyClient(settings, token_file, wait=wait, clock=clock).me()
    token_file.record_login(user, utc_iso(clock()))
    return user
