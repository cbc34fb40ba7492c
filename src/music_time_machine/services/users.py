"""Whose data a command shows (the logged-in listener, or the only one in the database), and whose plays an
import files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from music_time_machine.errors import NotLoggedIn, UsageError
from music_time_machine.models import User
from music_time_machine.store import Store

if TYPE_CHECKING:  # every command resolves its listener: the export's readers load only for an import
    from music_time_machine.privacy_export.files import ExportFile


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


LOCAL_LISTENER = User("local")


@dataclass(frozen=True)
class ImportListener:
    user: User
    named_by: str | None  # why this listener, when nobody chose: the export file naming them, or "local"


def import_listener(
    store: Store, logged_in: User | None, chosen: str | None, files: list[ExportFile]
) -> ImportListener:
    """Whose plays an import files: `--user`, else the logged-in listener, else the account the export names,
    else the database's only listener, else a local listener."""
    from music_time_machine.privacy_export.owner import export_owner

    if chosen:
        return ImportListener(User(chosen), None)
    if logged_in:
        return ImportListener(resolve_user(store, logged_in), None)
    if owner := export_owner(files):
        return ImportListener(User(owner.user_id), owner.named_in)
    known = store.users.all()
    if len(known) == 1:
        return ImportListener(known[0], None)
    if not known:
        return ImportListener(LOCAL_LISTENER, "local")
    names = ", ".join(user.id for user in known)
    raise UsageError(
        f"This database holds several listeners ({names}) and the export names none of them.",
        hint="Choose one with --user ID, or log in as one of them with `tm login`.",
    )
