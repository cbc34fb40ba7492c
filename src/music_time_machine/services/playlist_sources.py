"""Where managed playlists get their tracks: one source each, then the user's bans and pins applied."""

from __future__ import annotations

from datetime import datetime

from music_time_machine.models import Month, TimeRange, Track, User, utc_iso
from music_time_machine.services.evolution import returning, track_keys
from music_time_machine.services.gems import todays_gems
from music_time_machine.services.history import latest_per_range
from music_time_machine.services.month_charts import charts_between
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


def gems_tracks(store: Store, spotify: ChartSource, user: User, now: datetime) -> list[Track]:
    return [gem.track for gem in todays_gems(store, spotify, user, now)]


def rotation_tracks(store: Store, spotify: ChartSource, user: User, now: datetime) -> list[Track]:
    take_snapshot(store, spotify, user, now, [TimeRange.SHORT])
    [today] = todays_snapshots(store, user.id, now, [TimeRange.SHORT])
    return today.tracks


def discovery_tracks(store: Store, spotify: ChartSource, user: User, now: datetime) -> list[Track]:
    """Today's short-term chart minus anything charted (any range) before this month."""
    current = rotation_tracks(store, spotify, user, now)
    seen = store.snapshots.uris_charted_before(user.id, utc_iso(Month.of(now).start))
    return [track for track in current if track.uri not in seen]


def boomerang_tracks(store: Store, user: User, now: datetime, limit: int = 50) -> list[Track]:
    """Short-term tracks that left the chart and came back, most returns first (from stored snapshots)."""
    if not store.snapshots.months(user.id):
        return []
    charts = charts_between(store, user.id, TimeRange.SHORT, None, None, top=50)
    by_key = {track.key: track for chart in charts for track in chart.tracks or []}
    return [by_key[item.key] for item in returning(charts, track_keys, limit)]


def month_tracks(store: Store, user: User, month: Month) -> list[Track]:
    """That month's latest charts, short then medium then long, each track once."""
    ranges = list(TimeRange)
    snapshots = store.snapshots.between(user.id, utc_iso(month.start), utc_iso(month.shift(1).start), ranges)
    unique = {track.key: track for snapshot in latest_per_range(snapshots, ranges) for track in snapshot.tracks}
    return list(unique.values())


def _source_tracks(store: Store, spotify: ChartSource, user: User, now: datetime, source: str) -> list[Track]:
    if source == "gems":
        return gems_tracks(store, spotify, user, now)
    if source == "rotation":
        return rotation_tracks(store, spotify, user, now)
    if source == "discoveries":
        return discovery_tracks(store, spotify, user, now)
    return boomerang_tracks(store, user, now)


def publish_source(
    store: Store, spotify: SpotifyPlaylists, user: User, now: datetime, source: str, options: PlaylistOptions
) -> PlaylistSync:
    """Keep the playlist of `source` (gems, rotation, discoveries, boomerangs) in step with what it says today."""
    request = options.request(source, *PLAYLISTS[source])
    return publish(store, spotify, user, request, _source_tracks(store, spotify, user, now, source), now)


def publish_month(
    store: Store, spotify: PlaylistWriter, user: User, now: datetime, month: Month, options: PlaylistOptions
) -> PlaylistSync:
    """That month's charts as a playlist (short, then medium, then long term; each track once)."""
    request = options.request(f"month-{month}", f"tm: {month}", f"Your charts of {month}")
    return publish(store, spotify, user, request, month_tracks(store, user, month), now)
