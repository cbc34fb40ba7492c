"""Whose data a command shows: the logged-in listener, or the only listener in the database."""

from __future__ import annotations

from music_time_machine.errors import NotLoggedIn, UsageError
from music_time_machine.models import User
from music_time_machine.store import Store


def resolve_user(store: Store, logged_in: User | None) -> User:
    """The logged-in user when they have data here (or nobody has); else the database's only user.

    That lets `tm history --db demo.sqlite3` show the demo listener while you are logged in as yourself.
    """
    known = store.users.all()
    if logged_in and (not known or any(user.id == logged_in.id for user in known)):
        return logged_in
    if len(known) == 1:
        return known[0]
    if logged_in:
        return logged_in
    if not known:
        raise NotLoggedIn("You are not logged in and this database has no data yet.")
    names = ", ".join(user.id for user in known)
    raise UsageError(f"This database holds several listeners ({names}); log in as one of them with `tm login`.")
