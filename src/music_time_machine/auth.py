"""The login flow: authorize URL, our loopback listener (or a pasted URL), code exchange, who logged in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from music_time_machine.config import RedirectTarget, Settings
from music_time_machine.loopback import PortBusy, RedirectReceiver, code_from_url
from music_time_machine.models import User, utc_iso
from music_time_machine.tokens import TokenFile

if TYPE_CHECKING:
    from music_time_machine.spotify.oauth import LoginAttempt


def run_login(
    settings: Settings,
    token_file: TokenFile,
    *,
    show_url: Callable[[str], None],
    open_url: Callable[[str], object] | None,
    timeout: float,
    clock: Callable[[], datetime],
    identify: Callable[[TokenFile], User],
    paste: Callable[[], str] | None = None,
) -> User:
    """Log in and return the user. `open_url` is the browser (None: the user opens the printed URL);
    `identify` asks Spotify who a login belongs to; `paste` asks for the redirected URL when the listener's
    port is busy (None: fail instead)."""
    target = settings.redirect_target()
    # The new login is built beside the old one and replaces it only once Spotify has said who we are.
    pending = TokenFile(token_file.path.with_name(f".{token_file.path.stem}.pending.json"))
    pending.delete()
    try:
        code, attempt = _authorization_code(settings, pending, target, show_url, open_url, timeout, paste)
        attempt.exchange(code)
        user = identify(pending)
        pending.record_login(user, utc_iso(clock()))
        previous = token_file.user()
        if previous is not None and previous.id != user.id:
            token_file.park()  # another listener's login stays usable (`tm snapshot --all-users`)
        token_file.parked(user.id).delete()  # this fresh login supersedes one parked earlier
        pending.move_to(token_file)
    finally:
        pending.delete()
    return user


def _authorization_code(
    settings: Settings,
    pending: TokenFile,
    target: RedirectTarget,
    show_url: Callable[[str], None],
    open_url: Callable[[str], object] | None,
    timeout: float,
    paste: Callable[[], str] | None,
) -> tuple[str, LoginAttempt]:
    """Show the authorize URL and get the code back: our listener, or a pasted URL when the port is busy."""
    from music_time_machine.bounded_http import BoundedSession
    from music_time_machine.spotify.oauth import LoginAttempt

    attempt = LoginAttempt(settings, pending, BoundedSession())
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
    return code, attempt
