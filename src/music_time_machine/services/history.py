"""Look back: the charts captured in a month and what you actually played, or the nearest months with data."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.models import ArtistCount, ChartsFrom, Month, PlayCount, Snapshot, TimeRange, utc_iso
from music_time_machine.services.chart_source import chart_snapshots, choose_source
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
    source: ChartsFrom  # where `snapshots` come from: tm's snapshots, or charts computed from plays
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
    plays, skips, ms_played = store.plays.totals(user_id, start, end)
    return PlayStats(
        plays,
        skips,
        ms_played,
        store.plays.counts(user_id, start, end, limit=top),
        store.plays.artist_counts(user_id, start, end, top),
    )


def month_history(
    store: Store,
    user_id: str,
    month: Month,
    ranges: list[TimeRange],
    *,
    every: bool = False,
    source: ChartsFrom | None = None,
) -> MonthHistory:
    """The month's charts (the latest snapshot per range, every one with `every`; or the charts from plays at the
    month's end: `source`, by default snapshots when the month has some) and that month's plays."""
    chosen = choose_source(store, user_id, source, month, month)
    snapshots = chart_snapshots(store, user_id, chosen, month, month, ranges)
    if not every:
        snapshots = latest_per_range(snapshots, ranges)
    start, end = utc_iso(month.start), utc_iso(month.shift(1).start)
    history = MonthHistory(month, chosen, snapshots, play_stats(store, user_id, start, end), None, None)
    if not history.empty:
        return history
    months = sorted({*store.snapshots.months(user_id), *map(Month.parse, store.plays.months(user_id))})
    before = max((m for m in months if m < month), default=None)
    after = min((m for m in months if m > month), default=None)
    return MonthHistory(month, chosen, snapshots, history.plays, before, after)
