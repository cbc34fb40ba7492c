"""Look back: the charts captured in a month and what you actually played, or the nearest months with data."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.models import ArtistCount, Month, PlayCount, Snapshot, TimeRange, utc_iso
from music_time_machine.store import Store

TOP_PLAYED = 10


@dataclass(frozen=True)
class PlayStats:
    plays: int
    skips: int
    ms_played: int
    top_tracks: list[PlayCount]
    top_artists: list[ArtistCount]

    @property
    def minutes(self) -> float:
        return self.ms_played / 60_000


@dataclass(frozen=True)
class MonthHistory:
    month: Month
    snapshots: list[Snapshot]
    plays: PlayStats
    nearest_before: Month | None
    nearest_after: Month | None

    @property
    def empty(self) -> bool:
        return not self.snapshots and not self.plays.plays and not self.plays.skips


def latest_per_range(snapshots: list[Snapshot], ranges: list[TimeRange]) -> list[Snapshot]:
    """The latest of `snapshots` (oldest first) for each range, in the order of `ranges`."""
    latest = {snapshot.time_range: snapshot for snapshot in snapshots}
    return [latest[time_range] for time_range in ranges if time_range in latest]


def play_stats(store: Store, user_id: str, start: str, end: str, top: int = TOP_PLAYED) -> PlayStats:
    plays, skips, ms_played = store.play_totals(user_id, start, end)
    return PlayStats(
        plays,
        skips,
        ms_played,
        store.play_counts(user_id, start, end, limit=top),
        store.artist_counts(user_id, start, end, top),
    )


def month_history(
    store: Store, user_id: str, month: Month, ranges: list[TimeRange], *, every: bool = False
) -> MonthHistory:
    """The latest snapshot per range in `month` (or every one with `every`), and that month's plays."""
    start, end = utc_iso(month.start), utc_iso(month.shift(1).start)
    snapshots = store.snapshots_between(user_id, start, end, ranges)
    if not every:
        snapshots = latest_per_range(snapshots, ranges)
    history = MonthHistory(month, snapshots, play_stats(store, user_id, start, end), None, None)
    if not history.empty:
        return history
    months = sorted({*store.snapshot_months(user_id), *map(Month.parse, store.play_months(user_id))})
    before = max((m for m in months if m < month), default=None)
    after = min((m for m in months if m > month), default=None)
    return MonthHistory(month, snapshots, history.plays, before, after)
