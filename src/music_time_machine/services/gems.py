"""Forgotten gems: in your long-term chart, absent from your short-term one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from music_time_machine.errors import TmError
from music_time_machine.models import ChartsFrom, Gem, Month, PlayCount, TimeRange, Track, User, utc_iso
from music_time_machine.services.chart_source import live_source
from music_time_machine.services.evolution import MonthChart
from music_time_machine.services.month_charts import charts_between
from music_time_machine.services.play_charts import last_plays_month, plays_snapshots
from music_time_machine.services.snapshot import take_snapshot, todays_snapshots
from music_time_machine.services.spotify_protocols import ChartSource
from music_time_machine.store import Store

GEM_RANGES = [TimeRange.LONG, TimeRange.SHORT]
# --from-history: a gem was fully played at least MIN_PLAYS times, skipped at most MAX_SKIP_SHARE of the time
# (so songs you used to skip never come back), and not played at all for ABSENT_DAYS.
MIN_PLAYS = 5
MAX_SKIP_SHARE = 0.25
ABSENT_DAYS = 90


def find_gems(long_term: list[Track], short_term: list[Track], limit: int | None = None) -> list[Gem]:
    """Set difference long minus short, in long-term rank order."""
    recent = {track.key for track in short_term}
    gems = [Gem(track, rank) for rank, track in enumerate(long_term, start=1) if track.key not in recent]
    return gems[:limit] if limit is not None else gems


def todays_gems(store: Store, source: ChartSource, user: User, now: datetime, limit: int | None = None) -> list[Gem]:
    """Gems from today's snapshot, taking it first when there is none (so every run records history)."""
    take_snapshot(store, source, user, now, GEM_RANGES)
    charts = {snapshot.time_range: snapshot.tracks for snapshot in todays_snapshots(store, user.id, now, GEM_RANGES)}
    return find_gems(charts[TimeRange.LONG], charts[TimeRange.SHORT], limit)


@dataclass(frozen=True)
class HistoryGem:
    count: PlayCount
    reason: str


def history_gems(
    counts: list[PlayCount],
    *,
    min_plays: int = MIN_PLAYS,
    max_skip_share: float = MAX_SKIP_SHARE,
    limit: int | None = None,
) -> list[HistoryGem]:
    """Tracks you played fully many times and rarely skipped, most plays first (counts: not played lately)."""
    gems = [
        HistoryGem(count, f"played {count.plays} times ({count.skips} skips), last on {count.last_played_at[:10]}")
        for count in counts
        if count.plays >= min_plays and count.skips <= max_skip_share * (count.plays + count.skips)
    ]
    return gems[:limit] if limit is not None else gems


def gems_from_plays(store: Store, user: User, now: datetime, limit: int | None = None) -> list[HistoryGem]:
    """From your plays: loved once (many full plays, few skips), not played for ABSENT_DAYS."""
    cutoff = utc_iso(now - timedelta(days=ABSENT_DAYS))
    if not store.plays.latest_at(user.id):
        raise TmError(
            "No plays stored yet, so there is no history to find gems in.",
            hint="Run `tm import` with your privacy export, or `tm sync`; or use `tm gems` without --from-history.",
        )
    return history_gems(store.plays.counts(user.id, None, None, last_before=cutoff), limit=limit)


@dataclass(frozen=True)
class ChartGem:
    track: Track
    snapshots: int  # monthly long- and medium-term charts it was in
    best_rank: int
    absent_since: Month | None  # first snapshot month it was missing from the short-term chart; None: never in it
    reason: str


def _presence(charts: list[MonthChart]) -> dict[str, list[tuple[Month, int]]]:
    seen: dict[str, list[tuple[Month, int]]] = {}
    for chart in charts:
        for rank, track in enumerate(chart.tracks or [], start=1):
            seen.setdefault(track.key, []).append((chart.month, rank))
    return seen


def chart_gems(long_and_medium: list[MonthChart], short: list[MonthChart], limit: int | None = None) -> list[ChartGem]:
    """Pure: prominent in past long/medium charts (how often, how high), gone from the short-term chart now."""
    taken_short = [chart for chart in short if chart.tracks is not None]
    if not taken_short:
        return []
    current = {track.key for track in taken_short[-1].tracks or []}
    in_short = _presence(taken_short)
    tracks = {t.key: t for chart in long_and_medium for t in chart.tracks or []}
    gems = []
    for uri, seen in _presence(long_and_medium).items():
        if uri in current:
            continue
        last_short = max((month for month, _rank in in_short.get(uri, [])), default=None)
        since = next((c.month for c in taken_short if last_short and c.month > last_short), None)
        best = min(rank for _month, rank in seen)
        where = f"in your long/medium-term charts in {len(seen)} snapshots, best #{best}"
        away = f"absent from short term since {since}" if since else "never in your short-term chart"
        gems.append(ChartGem(tracks[uri], len(seen), best, since, f"{where}, {away}"))
    gems.sort(key=lambda g: (-(g.snapshots + (51 - g.best_rank) / 50), g.track.name))
    return gems[:limit] if limit is not None else gems


def gems_from_plays_charts(
    store: Store, user: User, now: datetime, limit: int | None = None
) -> tuple[Month, list[Gem]]:
    """Long-term minus short-term chart from plays, as of the last month with plays that is over."""
    last = last_plays_month(store, user.id, now)
    charts = {s.time_range: s.tracks for s in plays_snapshots(store, user.id, last, last, GEM_RANGES)}
    return last, find_gems(charts.get(TimeRange.LONG, []), charts.get(TimeRange.SHORT, []), limit)


def gems_from_charts(store: Store, user: User, limit: int | None = None) -> list[ChartGem]:
    """From your stored snapshots (when there are no plays): see `chart_gems`."""
    if not store.snapshots.months(user.id):
        raise TmError(
            "No snapshots or plays yet, so there is no history to find gems in.",
            hint="Run `tm snapshot` (monthly) or `tm import` your privacy export.",
        )

    def charts(*ranges: TimeRange) -> list[MonthChart]:
        return [chart for r in ranges for chart in charts_between(store, user.id, r, None, None, top=50)]

    return chart_gems(charts(TimeRange.LONG, TimeRange.MEDIUM), charts(TimeRange.SHORT), limit)


@dataclass(frozen=True)
class TodaysGems:
    """From today's charts, or (source plays) from the charts of `month` computed from plays: long minus short."""

    gems: list[Gem]
    source: ChartsFrom = ChartsFrom.SPOTIFY
    month: Month | None = None  # the plays charts' month

    @property
    def tracks(self) -> list[Track]:
        return [gem.track for gem in self.gems]


@dataclass(frozen=True)
class PlayedGems:
    """From your plays: loved, rarely skipped, not played lately."""

    gems: list[HistoryGem]
    source = ChartsFrom.PLAYS

    @property
    def tracks(self) -> list[Track]:
        from music_time_machine.services.playlists import playable  # imported here for start-up time

        return playable([gem.count for gem in self.gems])


@dataclass(frozen=True)
class ChartedGems:
    """From your chart history: prominent in long/medium-term charts, gone from the short-term one."""

    gems: list[ChartGem]
    source = ChartsFrom.SPOTIFY

    @property
    def tracks(self) -> list[Track]:
        return [gem.track for gem in self.gems]


GemsFound = TodaysGems | PlayedGems | ChartedGems


def gems(
    store: Store,
    source: ChartSource,
    user: User,
    now: datetime,
    limit: int | None,
    *,
    from_history: bool,
    charts_from: ChartsFrom | None = None,
) -> GemsFound:
    """Today's gems from Spotify's charts, or from the charts of plays (`charts_from`; by default plays when there
    are no snapshots at all). With `from_history`: from your plays (by default when you have some), else from your
    snapshots; offline either way."""
    if from_history:
        if charts_from is ChartsFrom.PLAYS or (charts_from is None and store.plays.latest_at(user.id) is not None):
            return PlayedGems(gems_from_plays(store, user, now, limit))
        return ChartedGems(gems_from_charts(store, user, limit))
    if live_source(store, user.id, charts_from) is ChartsFrom.PLAYS:
        month, found = gems_from_plays_charts(store, user, now, limit)
        return TodaysGems(found, ChartsFrom.PLAYS, month)
    return TodaysGems(todays_gems(store, source, user, now, limit))
