"""Forgotten gems: in your long-term chart, absent from your short-term one."""

from __future__ import annotations

from datetime import datetime

from music_time_machine.models import Gem, TimeRange, Track, User
from music_time_machine.services.snapshot import take_snapshot, todays_snapshots
from music_time_machine.services.sources import ChartSource
from music_time_machine.store import Store

GEM_RANGES = [TimeRange.LONG, TimeRange.SHORT]


def find_gems(long_term: list[Track], short_term: list[Track], limit: int | None = None) -> list[Gem]:
    """Set difference long minus short, in long-term rank order."""
    recent = {track.uri for track in short_term}
    gems = [Gem(track, rank) for rank, track in enumerate(long_term, start=1) if track.uri not in recent]
    return gems[:limit] if limit is not None else gems


def todays_gems(store: Store, source: ChartSource, user: User, now: datetime, limit: int | None = None) -> list[Gem]:
    """Gems from today's snapshot, taking it first when there is none (so every run records history)."""
    take_snapshot(store, source, user, now, GEM_RANGES)
    charts = {snapshot.time_range: snapshot.tracks for snapshot in todays_snapshots(store, user.id, now, GEM_RANGES)}
    return find_gems(charts[TimeRange.LONG], charts[TimeRange.SHORT], limit)
