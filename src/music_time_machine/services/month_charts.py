"""Load the monthly charts the analytics need from the store (the analytics themselves are pure)."""

from __future__ import annotations

from music_time_machine.errors import TmError, UsageError
from music_time_machine.models import Month, TimeRange, Track, utc_iso
from music_time_machine.services.evolution import MonthChart, monthly_charts
from music_time_machine.store import Store


def charts_between(
    store: Store, user_id: str, time_range: TimeRange, since: Month | None, until: Month | None, top: int
) -> list[MonthChart]:
    """One chart per month from `since` (default: the first snapshot) to `until` (default: the last)."""
    months = store.snapshots.months(user_id)
    if not months:
        raise TmError("No snapshots yet, so there is no evolution to show.", hint="Run `tm snapshot` (monthly).")
    first, last = since or months[0], until or months[-1]
    if first > last:
        raise UsageError(f"--since {first} is after --until {last}.")
    snapshots = store.snapshots.between(user_id, utc_iso(first.start), utc_iso(last.shift(1).start), [time_range])
    return monthly_charts(snapshots, first, last, top)


def month_chart(store: Store, user_id: str, time_range: TimeRange, month: Month) -> list[Track]:
    """The month's latest chart of the range; an error naming the months that have one when it is missing."""
    [chart] = charts_between(store, user_id, time_range, month, month, top=50)
    if chart.tracks is None:
        have = ", ".join(str(m) for m in store.snapshots.months(user_id)[-6:])
        raise UsageError(f"No {time_range.value} snapshot in {month}.", hint=f"Months with snapshots: … {have}.")
    return chart.tracks
