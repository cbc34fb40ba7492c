"""Look back: the charts captured in a month, and the nearest months with data when there are none."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.models import Month, Snapshot, TimeRange, utc_iso
from music_time_machine.store import Store


@dataclass(frozen=True)
class MonthHistory:
    month: Month
    snapshots: list[Snapshot]
    nearest_before: Month | None
    nearest_after: Month | None


def month_history(
    store: Store, user_id: str, month: Month, ranges: list[TimeRange], *, every: bool = False
) -> MonthHistory:
    """The latest snapshot per range in `month` (or every one with `every`), oldest first."""
    snapshots = store.snapshots_between(user_id, utc_iso(month.start), utc_iso(month.shift(1).start), ranges)
    if not every:
        latest = {snapshot.time_range: snapshot for snapshot in snapshots}
        snapshots = [latest[time_range] for time_range in ranges if time_range in latest]
    before = after = None
    if not snapshots:
        months = store.snapshot_months(user_id)
        before = max((m for m in months if m < month), default=None)
        after = min((m for m in months if m > month), default=None)
    return MonthHistory(month, snapshots, before, after)
