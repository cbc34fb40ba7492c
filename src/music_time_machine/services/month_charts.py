"""Monthly charts from the store, and the analytics over them: evolution and compare (the maths itself is pure)."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.errors import TmError, UsageError
from music_time_machine.models import Month, TimeRange, Track, utc_iso
from music_time_machine.services.compare import Difference, compare
from music_time_machine.services.evolution import Evolution, MonthChart, evolution, monthly_charts
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


@dataclass(frozen=True)
class ChartEvolution:
    """How the top `top` of a range moved month to month."""

    time_range: TimeRange
    top: int
    evolution: Evolution


@dataclass(frozen=True)
class RankSeries:
    """One artist's or track's best rank in each month's chart (None: absent, or a month without a chart)."""

    item: str
    top: int
    charts: list[MonthChart]
    ranks: list[int | None]


def _ranks_of_item(charts: list[MonthChart], artist: str | None, track: str | None) -> list[int | None]:
    """Per month: the best rank of the track, or of any track by the artist (None when absent or a gap)."""
    wanted = (artist or "").lower()

    def matches(candidate: Track) -> bool:
        return candidate.uri == track if track else wanted in (name.lower() for name in candidate.artist_names)

    return [next((rank for rank, t in enumerate(c.tracks or [], start=1) if matches(t)), None) for c in charts]


def taste_evolution(
    store: Store,
    user_id: str,
    time_range: TimeRange,
    since: Month | None,
    until: Month | None,
    top: int,
    *,
    artist: str | None = None,
    track: str | None = None,
) -> ChartEvolution | RankSeries:
    """The whole evolution, or with `artist`/`track` that one item's rank over the months."""
    if artist and track:
        raise UsageError("Use --artist or --track, not both.")
    charts = charts_between(store, user_id, time_range, since, until, top)
    if artist or track:
        return RankSeries(artist or track or "", top, charts, _ranks_of_item(charts, artist, track))
    return ChartEvolution(time_range, top, evolution(charts))


@dataclass(frozen=True)
class Comparison:
    a: Month
    b: Month
    time_range: TimeRange
    differences: dict[str, Difference]  # tracks | artists | albums


def compare_months(store: Store, user_id: str, time_range: TimeRange, a: Month, b: Month) -> Comparison:
    """Month `a`'s chart against month `b`'s: what is new, gone, or stayed, by track, artist and album."""
    chart_a, chart_b = month_chart(store, user_id, time_range, a), month_chart(store, user_id, time_range, b)
    return Comparison(a, b, time_range, compare(chart_a, chart_b))
