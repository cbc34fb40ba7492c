"""On this day: what you played around today's date 1, 5, 10 … years ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from music_time_machine.models import utc_iso
from music_time_machine.services.history import PlayStats, play_stats
from music_time_machine.store import Store


@dataclass(frozen=True)
class DayBack:
    years_ago: int
    first_day: date
    last_day: date
    stats: PlayStats


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def on_this_day(store: Store, user_id: str, day: date, years: list[int], *, days_around: int = 3) -> list[DayBack]:
    """For each N in `years`: the plays from N years before `day`, ± `days_around` days."""
    found = []
    for years_ago in years:
        center = _years_before(day, years_ago)
        first, last = center - timedelta(days=days_around), center + timedelta(days=days_around)
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
        found.append(DayBack(years_ago, first, last, play_stats(store, user_id, utc_iso(start), utc_iso(end))))
    return found
