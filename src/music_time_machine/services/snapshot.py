"""Take today's snapshot of the charts: fetch first, then store every range in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from music_time_machine.models import Snapshot, TimeRange, Track, User, utc_iso
from music_time_machine.services.spotify_protocols import ChartSource
from music_time_machine.store import Store


@dataclass(frozen=True)
class SnapshotResult:
    user: User
    taken_at: str
    counts: dict[TimeRange, int]
    created: bool
    raced: bool = False  # another tm stored today's snapshot while this one was fetching


@dataclass(frozen=True)
class TopTracks:
    time_range: TimeRange
    tracks: list[Track]


def current_top(source: ChartSource, time_range: TimeRange, limit: int) -> TopTracks:
    """Spotify's chart right now (a quick look; nothing is stored)."""
    return TopTracks(time_range, source.top_tracks(time_range, limit=limit))


def todays_snapshots(store: Store, user_id: str, now: datetime, ranges: list[TimeRange]) -> list[Snapshot]:
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return store.snapshots.between(user_id, utc_iso(day_start), utc_iso(day_start + timedelta(days=1)), ranges)


def take_snapshot(
    store: Store,
    source: ChartSource,
    user: User,
    now: datetime,
    ranges: list[TimeRange],
    *,
    force: bool = False,
) -> SnapshotResult:
    """One snapshot per (user, UTC day, range): ranges already taken today are kept unless `force`."""
    taken_at = utc_iso(now)
    already = set() if force else store.snapshots.ranges_taken_on(user.id, taken_at[:10])
    missing = [time_range for time_range in ranges if time_range not in already]
    charts = {time_range: source.top_tracks(time_range) for time_range in missing}
    stored: list[TimeRange] = []
    if charts:
        store.users.upsert(user, taken_at)
        stored = store.snapshots.save(user.id, taken_at, charts, replace=force)
    todays = todays_snapshots(store, user.id, now, ranges)
    counts = {snapshot.time_range: len(snapshot.tracks) for snapshot in todays}
    return SnapshotResult(
        user=user,
        taken_at=max((snapshot.taken_at for snapshot in todays), default=taken_at),
        counts={time_range: counts.get(time_range, 0) for time_range in ranges},
        created=bool(stored),
        raced=bool(charts) and not stored,
    )
