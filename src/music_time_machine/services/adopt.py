"""tm db adopt: one listener's data becomes another's (an export imported under `local`, or under the name the
export gave, before its owner logged in)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from music_time_machine.errors import UsageError
from music_time_machine.models import User
from music_time_machine.services.sync import NEAR_SECONDS
from music_time_machine.store import Store
from music_time_machine.store.users import CLAIMS

ADOPT_BATCH = 10_000  # plays moved per round: memory stays flat however many there are


@dataclass(frozen=True)
class Adoption:
    """Listener `old_id`'s data, now `into`'s."""

    old_id: str
    into: User
    plays: int  # of old_id's plays, those that are into's now
    duplicates: int  # plays into already had (the same play by the dedupe rule, or its synced copy)
    moved: dict[str, int]  # snapshots, managed playlists and rules given over (into's own of the same kind stay)


def adopt_listener(store: Store, old_id: str, into_id: str, now: str) -> Adoption:
    """Give listener `old_id`'s plays, snapshots, playlists and rules to `into_id`, then forget `old_id`. Plays go
    through the same dedupe as an import (sums and charts follow); where both have a snapshot of a day and range, a
    playlist of a source or a rule, `into_id`'s stays. One transaction: all of it, or nothing."""
    known = {user.id: user for user in store.users.all()}
    for listener in (old_id, into_id):
        if listener not in known:
            raise UsageError(
                f"This database holds no listener {listener!r}.", hint=f"It holds: {', '.join(known) or 'nobody'}."
            )
    if old_id == into_id:
        raise UsageError(f"{old_id!r} cannot adopt their own data: name another listener after --into.")
    into = known[into_id]
    with store.transaction():
        if not store.users.holds_rows(into_id):
            moved = store.users.adopt(old_id, into, now)
            return Adoption(old_id, into, moved["plays"], 0, {t: moved[t] for t in CLAIMS})
        sources = store.plays.move_sources(old_id, into_id)
        moved = store.users.move_unclaimed(old_id, into_id)
        after, total, stored = 0, 0, 0
        while page := store.plays.page(old_id, after, ADOPT_BATCH):
            after = page[-1][0]
            rows = [
                row._replace(user_id=into_id, source_id=sources.get(row.source_id, row.source_id)) for _, row in page
            ]
            for _source, plays in groupby(sorted(rows, key=attrgetter("source_id")), key=attrgetter("source_id")):
                stored += store.plays.insert(list(plays))
            total += len(rows)
        stored -= store.plays.drop_synced_near_imported(into_id, NEAR_SECONDS)
        store.users.forget(old_id)
    return Adoption(old_id, into, stored, total - stored, moved)
