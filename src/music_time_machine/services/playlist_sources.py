"""Where managed playlists get their tracks: one source each, from Spotify's charts or from the charts of your
plays, then the user's bans and pins applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from music_time_machine.models import ChartsFrom, Month, TimeRange, Track, User, utc_iso
from music_time_machine.services.chart_source import chart_months, chart_snapshots, choose_source, live_source
from music_time_machine.services.evolution import returning, track_keys
from music_time_machine.services.gems import gems_from_plays_charts, todays_gems
from music_time_machine.services.history import latest_per_range
from music_time_machine.services.month_charts import charts_between
from music_time_machine.services.play_charts import last_plays_month, plays_snapshots
from music_time_machine.services.playlists import PlaylistOptions, PlaylistSync, publish
from music_time_machine.services.snapshot import take_snapshot, todays_snapshots
from music_time_machine.services.spotify_protocols import ChartSource, PlaylistWriter, SpotifyPlaylists
from music_time_machine.store import Store

# source -> (the playlist's default name, its description); a month's playlist is "month-YYYY-MM"
PLAYLISTS = {
    "gems": ("Forgotten Gems", "Songs you loved and stopped playing"),
    "rotation": ("Rotation", "Your current rotation: the last 4 weeks' top tracks"),
    "discoveries": ("Discoveries", "New this month: tracks that entered your chart for the first time"),
    "boomerangs": ("Boomerangs", "Tracks that left your chart and came back"),
}


class Picked(NamedTuple):
    """A source's tracks, and the charts they came from (plays charts: of `month`, see `last_plays_month`)."""

    tracks: list[Track]
    charts_from: ChartsFrom
    month: Month | None = None


@dataclass(frozen=True)
class SourcePlaylist:
    """A managed playlist brought in step with its source."""

    sync: PlaylistSync
    charts_from: ChartsFrom
    month: Month | None  # the charts' month: the month asked for, or the last month with plays; None: today's


def gems_tracks(store: Store, spotify: ChartSource, user: User, now: datetime, charts_from: ChartsFrom) -> Picked:
    if charts_from is ChartsFrom.PLAYS:
        month, found = gems_from_plays_charts(store, user, now)
        return Picked([gem.track for gem in found], charts_from, month)
    return Picked([gem.track for gem in todays_gems(store, spotify, user, now)], charts_from)


def rotation_tracks(store: Store, spotify: ChartSource, user: User, now: datetime, charts_from: ChartsFrom) -> Picked:
    """Today's short-term chart; from plays: that of the last month with plays that is over."""
    if charts_from is ChartsFrom.PLAYS:
        month = last_plays_month(store, user.id, now)
        charts = plays_snapshots(store, user.id, month, month, [TimeRange.SHORT])
        return Picked([track for chart in charts for track in chart.tracks], charts_from, month)
    take_snapshot(store, spotify, user, now, [TimeRange.SHORT])
    [today] = todays_snapshots(store, user.id, now, [TimeRange.SHORT])
    return Picked(today.tracks, charts_from)


def discovery_tracks(store: Store, spotify: ChartSource, user: User, now: datetime, charts_from: ChartsFrom) -> Picked:
    """The current short-term chart minus anything charted (any range) in an earlier month."""
    current = rotation_tracks(store, spotify, user, now, charts_from)
    if current.month is None:
        seen = store.snapshots.uris_charted_before(user.id, utc_iso(Month.of(now).start))
    else:
        earlier = plays_snapshots(store, user.id, Month(1, 1), current.month.shift(-1), list(TimeRange))
        seen = {track.key for chart in earlier for track in chart.tracks}
    return current._replace(tracks=[track for track in current.tracks if track.key not in seen])


def boomerang_tracks(store: Store, user: User, charts_from: ChartsFrom, limit: int = 50) -> Picked:
    """Short-term tracks that left the chart and came back, most returns first."""
    if not chart_months(store, user.id, charts_from):
        return Picked([], charts_from)
    charts = charts_between(store, user.id, TimeRange.SHORT, None, None, top=50, source=charts_from)
    by_key = {track.key: track for chart in charts for track in chart.tracks or []}
    return Picked([by_key[item.key] for item in returning(charts, track_keys, limit)], charts_from)


def month_tracks(store: Store, user: User, month: Month, charts_from: ChartsFrom) -> list[Track]:
    """That month's (latest) charts, short then medium then long, each track once."""
    ranges = list(TimeRange)
    snapshots = chart_snapshots(store, user.id, charts_from, month, month, ranges)
    unique = {track.key: track for snapshot in latest_per_range(snapshots, ranges) for track in snapshot.tracks}
    return list(unique.values())


def _pick(
    store: Store, spotify: ChartSource, user: User, now: datetime, source: str, wanted: ChartsFrom | None
) -> Picked:
    if source == "boomerangs":
        return boomerang_tracks(store, user, choose_source(store, user.id, wanted))
    charts_from = live_source(store, user.id, wanted)
    if source == "gems":
        return gems_tracks(store, spotify, user, now, charts_from)
    if source == "rotation":
        return rotation_tracks(store, spotify, user, now, charts_from)
    return discovery_tracks(store, spotify, user, now, charts_from)


def publish_source(
    store: Store,
    spotify: SpotifyPlaylists,
    user: User,
    now: datetime,
    source: str,
    options: PlaylistOptions,
    charts_from: ChartsFrom | None = None,
) -> SourcePlaylist:
    """Keep the playlist of `source` (gems, rotation, discoveries, boomerangs) in step with what it says today:
    from `charts_from`, by default Spotify's charts unless the listener has plays and no snapshots."""
    request = options.request(source, *PLAYLISTS[source])
    picked = _pick(store, spotify, user, now, source, charts_from)
    return SourcePlaylist(publish(store, spotify, user, request, picked.tracks, now), picked.charts_from, picked.month)


def publish_month(
    store: Store,
    spotify: PlaylistWriter,
    user: User,
    now: datetime,
    month: Month,
    options: PlaylistOptions,
    charts_from: ChartsFrom | None = None,
) -> SourcePlaylist:
    """That month's charts as a playlist (short, then medium, then long term; each track once), from the month's
    snapshots, or (by default when it has none) from the charts of plays."""
    request = options.request(f"month-{month}", f"tm: {month}", f"Your charts of {month}")
    source = choose_source(store, user.id, charts_from, month, month)
    tracks = month_tracks(store, user, month, source)
    return SourcePlaylist(publish(store, spotify, user, request, tracks, now), source, month)
