"""Which charts a command reads: Spotify's (the snapshots tm took) or those computed from plays, never both in
one series."""

from __future__ import annotations

from music_time_machine.models import ChartsFrom, Month, Snapshot, TimeRange, utc_iso
from music_time_machine.services.play_charts import plays_months, plays_snapshots
from music_time_machine.store import Store


def chart_months(store: Store, user_id: str, source: ChartsFrom) -> list[Month]:
    """The months that have charts: those with snapshots, or every month from the first to the last with plays."""
    return store.snapshots.months(user_id) if source is ChartsFrom.SPOTIFY else plays_months(store, user_id)


def choose_source(
    store: Store, user_id: str, wanted: ChartsFrom | None, first: Month | None = None, last: Month | None = None
) -> ChartsFrom:
    """`wanted`, else Spotify's charts when the months asked for (default: any) have snapshots, else plays."""
    if wanted is not None:
        return wanted
    taken = store.snapshots.months(user_id)
    covered = any((first is None or m >= first) and (last is None or m <= last) for m in taken)
    return ChartsFrom.SPOTIFY if covered else ChartsFrom.PLAYS


def live_source(store: Store, user_id: str, wanted: ChartsFrom | None) -> ChartsFrom:
    """For what today's charts say: `wanted`, else Spotify's (a snapshot is taken when there is none today) unless
    the listener has plays and no snapshot at all (then the charts of plays of the last month with plays that is
    over)."""
    if wanted is not None:
        return wanted
    only_plays = store.snapshots.latest_at(user_id) is None and store.plays.latest_at(user_id) is not None
    return ChartsFrom.PLAYS if only_plays else ChartsFrom.SPOTIFY


def chart_snapshots(
    store: Store, user_id: str, source: ChartsFrom, first: Month, last: Month, ranges: list[TimeRange]
) -> list[Snapshot]:
    """The charts of the months `first` to `last`, oldest first: every snapshot taken, or one plays chart a month."""
    if source is ChartsFrom.PLAYS:
        return plays_snapshots(store, user_id, first, last, ranges)
    return store.snapshots.between(user_id, utc_iso(first.start), utc_iso(last.shift(1).start), ranges)
