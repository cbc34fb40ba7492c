"""tm import-lastfm: a Last.fm user's public scrobbles, through user.getRecentTracks, into the ledger.

Resumable: the run fixes its window (from where the last run stopped, or `since`, to now) and reads its pages
oldest first, each page stored in its own transaction with the start of its newest scrobble as the source's
`resume_after`; an interrupted run (Ctrl-C, a wait longer than TM_MAX_RETRY_WAIT, a network failure) keeps every
page it stored, and the next run continues after the last one. Now-playing entries are not scrobbles and are left
out by the client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from music_time_machine.lastfm.parse import RecentTracksPage
from music_time_machine.models import SourceKind, User, utc_iso
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.services.ledger import LedgerCounts, epoch_ms, listen_play, store_scrobbles
from music_time_machine.store import Store

PAGE_SIZE = 200  # Last.fm's largest


class RecentTracks(Protocol):
    def recent_tracks(
        self, user: str, page: int, *, since: int | None, until: int | None, limit: int = PAGE_SIZE
    ) -> RecentTracksPage: ...


@dataclass
class LastfmImport:
    lastfm_user: str
    resumed_after: str | None  # the newest scrobble's start that an earlier run stored: this run read after it
    pages: int = 0
    rows: int = 0  # scrobbles read
    stored: int = 0
    recognised: int = 0  # scrobbles that were plays already known
    malformed: int = 0
    first_started_at: str | None = None  # of the scrobbles read
    last_started_at: str | None = None
    ledger: LedgerCounts = field(default_factory=LedgerCounts)


def _source(store: Store, user: User, name: str, now: datetime) -> tuple[int, str | None]:
    with store.transaction():
        store.users.upsert(user, utc_iso(now))
        found = store.ledger.api_source(user.id, SourceKind.LASTFM, name)
        return found or (store.plays.add_source(user.id, SourceKind.LASTFM, name, None, utc_iso(now)), None)


def _store_page(store: Store, user: User, source_id: int, page: RecentTracksPage, result: LastfmImport) -> None:
    listens = [listen for listen in page.listens if isinstance(listen, Listen)]
    with store.transaction():
        plays = [listen_play(listen, user.id, source_id) for listen in listens]
        stored = store_scrobbles(store, user.id, SourceKind.LASTFM, plays, result.ledger) if plays else 0
        store.plays.add_source_counts(source_id, len(page.listens), stored, len(plays) - stored)
        if listens:
            store.ledger.resume_after(source_id, max(listen.started_at for listen in listens))
    starts = [listen.started_at for listen in listens]
    if starts:
        result.first_started_at = min(filter(None, (result.first_started_at, *starts)))
        result.last_started_at = max(filter(None, (result.last_started_at, *starts)))
    result.pages += 1
    result.rows += len(page.listens)
    result.stored += stored
    result.recognised += len(plays) - stored
    result.malformed += sum(1 for listen in page.listens if isinstance(listen, SkipReason))


def import_lastfm(
    store: Store,
    lastfm: RecentTracks,
    user: User,
    lastfm_user: str,
    now: datetime,
    *,
    since: datetime | None = None,
    on_page: Callable[[int, int], None] = lambda done, total: None,
) -> LastfmImport:
    """Store `lastfm_user`'s scrobbles for `user`: after the last run's newest, else from `since`, else all."""
    name = lastfm_user.strip().lower()  # Last.fm user names are case-insensitive
    source_id, resume = _source(store, user, name, now)
    result = LastfmImport(lastfm_user=name, resumed_after=resume)
    start = epoch_ms(resume) // 1000 + 1 if resume else None
    if start is None and since is not None:
        start = int(since.astimezone(UTC).timestamp())
    until = int(now.timestamp())
    newest = lastfm.recent_tracks(name, 1, since=start, until=until)
    total = newest.total_pages
    for number in range(total, 0, -1):  # oldest first: each stored page moves resume_after forward
        page = newest if number == 1 else lastfm.recent_tracks(name, number, since=start, until=until)
        _store_page(store, user, source_id, page, result)
        on_page(total - number + 1, total)
    return result
