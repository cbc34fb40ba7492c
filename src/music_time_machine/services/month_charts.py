"""Monthly charts from the store, and the analytics over them: evolution and compare (the maths itself is pure)."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.errors import TmError, UsageError
from music_time_machine.models import ChartsFrom, Month, TimeRange, Track
from music_time_machine.services.chart_source import chart_months, chart_snapshots, choose_source
from music_time_machine.services.compare import Difference, compare
from music_time_machine.services.evolution import Evolution, MonthChart, evolution, monthly_charts
from music_time_machine.store import Store


def charts_between(
    store: Store,
    user_id: str,
    time_range: TimeRange,
    since: Month | None,
    until: Month | None,
    top: int,
    source: ChartsFrom = ChartsFrom.SPOTIFY,
) -> list[MonthChart]:
    """One chart per month from `since` (default: the first month with a chart) to `until` (default: the last)."""
    months = chart_months(store, user_id, source)
    if not months and source is ChartsFrom.SPOTIFY:
        raise TmError(
            "No snapshots yet, so there is no evolution to show.",
            hint="Run `tm snapshot` (monthly), or use `--source plays` after `tm import`.",
        )
    if not months:
        raise TmError("No plays stored yet to compute charts from.", hint="Run `tm import` with your data export.")
    first, last = since or months[0], until or months[-1]
    if first > last:
        raise UsageError(f"--since {first} is after --until {last}.")
    return monthly_charts(chart_snapshots(store, user_id, source, first, last, [time_range]), first, last, top)


def month_chart(store: Store, user_id: str, time_range: TimeRange, month: Month, source: ChartsFrom) -> list[Track]:
    """The month's (latest) chart of the range; an error naming the months that have one when it is missing."""
    [chart] = charts_between(store, user_id, time_range, month, month, 50, source)
    if chart.tracks is None:
        charted = [c.month for c in charts_between(store, user_id, time_range, None, None, 50, source) if c.tracks]
        have = ", ".join(str(m) for m in charted[-6:])
        what = "snapshot" if source is ChartsFrom.SPOTIFY else "chart from plays"
        raise UsageError(f"No {time_range.value} {what} in {month}.", hint=f"Months that have one: … {have}.")
    return chart.tracks


@dataclass(frozen=True)
class ChartEvolution:
    """How the top `top` of a range moved month to month."""

    source: ChartsFrom
    time_range: TimeRange
    top: int
    evolution: Evolution


@dataclass(frozen=True)
class RankSeries:
    """One artist's or track's best rank in each month's chart (None: absent, or a month without a chart)."""

    source: ChartsFrom
    item: str
    top: int
    charts: list[MonthChart]
    ranks: list[int | None]


def _ranks_of_item(charts: list[MonthChart], artist: str | None, track: str | None) -> list[int | None]:
    """Per month: the best rank of the track, or of any track by the artist (None when absent or a gap)."""
    wanted = (artist or "").lower()

    def matches(candidate: Track) -> bool:
        return candidate.key == track if track else wanted in (name.lower() for name in candidate.artist_names)

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
    source: ChartsFrom | None = None,
) -> ChartEvolution | RankSeries:
    """The whole evolution, or with `artist`/`track` that one item's rank over the months (`source`: see
    `choose_source`)."""
    if artist and track:
        raise UsageError("Use --artist or --track, not both.")
    chosen = choose_source(store, user_id, source, since, until)
    charts = charts_between(store, user_id, time_range, since, until, top, chosen)
    if artist or track:
        return RankSeries(chosen, artist or track or "", top, charts, _ranks_of_item(charts, artist, track))
    return ChartEvolution(chosen, time_range, top, evolution(charts))


@dataclass(frozen=True)
class Comparison:
    source: ChartsFrom
    a: Month
    b: Month
    time_range: TimeRange
    differences: dict[str, Difference]  # tracks | artists | albums


def compare_months(
    store: Store, user_id: str, time_range: TimeRange, a: Month, b: Month, source: ChartsFrom | None = None
) -> Comparison:
    """Month `a`'s chart against month `b`'s: what is new, gone, or stayed, by track, artist and album. Both from
    Spotify's charts when both months have snapshots (or `source` says so), else both from plays."""
    if source is None:
        taken = store.snapshots.months(user_id)
        source = ChartsFrom.SPOTIFY if a in taken and b in taken else ChartsFrom.PLAYS
    chart_a, chart_b = (month_chart(store, user_id, time_range, month, source) for month in (a, b))
    return Comparison(source, a, b, time_range, compare(chart_a, chart_b))
