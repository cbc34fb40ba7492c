"""Spotify's chart rank next to what you actually played in the same window: where do they disagree?"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from music_time_machine.errors import TmError
from music_time_machine.models import PlayCount, TimeRange, Track, utc_iso
from music_time_machine.store import Store

# How far back each chart looks (Spotify: ~4 weeks, ~6 months, ~1 year).
WINDOWS = {
    TimeRange.SHORT: timedelta(weeks=4),
    TimeRange.MEDIUM: timedelta(days=182),
    TimeRange.LONG: timedelta(days=365),
}
FLAGGED = 5


@dataclass(frozen=True)
class RankedTrack:
    rank: int
    track: Track
    plays: int
    minutes: float
    play_rank: int | None  # None: not played at all in the window
    flagged: bool = False

    @property
    def gap(self) -> int:
        """How far apart chart and plays are; never played counts as one past the last played track."""
        return abs(self.rank - (self.play_rank or 10_000))


@dataclass(frozen=True)
class RankVsPlays:
    time_range: TimeRange
    taken_at: str
    window_start: str
    charted: list[RankedTrack]
    played_not_charted: list[PlayCount]  # your most played tracks that the chart leaves out


def _name_key(name: str, artist: str) -> tuple[str, str]:
    return name.lower(), artist.lower()


def _keys(track: Track) -> tuple[str | None, tuple[str, str]]:
    """A chart track is matched to plays by URI, or by title and main artist (account data has no URIs)."""
    return track.uri, _name_key(track.name, track.artists[0].name if track.artists else "")


def compare(chart: list[Track], counts: list[PlayCount]) -> tuple[list[RankedTrack], list[PlayCount]]:
    """Pure: each chart track with its plays and play rank, the most disagreeing ones flagged; and the most
    played tracks the chart leaves out."""
    play_rank: dict[object, int] = {}
    for position, count in enumerate(counts, start=1):
        for key in (count.uri, _name_key(count.name, count.artist)):
            if key:
                play_rank.setdefault(key, position)
    rows = []
    for rank, track in enumerate(chart, start=1):
        by_uri, by_name = _keys(track)
        found = play_rank.get(by_uri) or play_rank.get(by_name)
        played = counts[found - 1] if found else None
        plays, minutes = (played.plays, round(played.minutes, 1)) if played else (0, 0.0)
        rows.append(RankedTrack(rank, track, plays, minutes, found))
    flagged = {row.rank for row in sorted(rows, key=lambda row: row.gap, reverse=True)[:FLAGGED] if row.gap}
    rows = [replace(row, flagged=row.rank in flagged) for row in rows]
    charted = {key for track in chart for key in _keys(track)}
    missing = [c for c in counts if c.uri not in charted and _name_key(c.name, c.artist) not in charted]
    return rows, missing[:FLAGGED]


def rank_vs_plays(store: Store, user_id: str, time_range: TimeRange) -> RankVsPlays:
    snapshot = store.snapshots.latest(user_id, time_range)
    if snapshot is None:
        raise TmError(f"No {time_range.value} snapshot yet to compare with.", hint="Run `tm snapshot` first.")
    if not store.plays.latest_at(user_id):
        raise TmError("No plays stored yet to compare with.", hint="Run `tm import` or `tm sync` first.")
    end = datetime.fromisoformat(snapshot.taken_at)
    start = utc_iso(end - WINDOWS[time_range])
    charted, missing = compare(snapshot.tracks, store.plays.counts(user_id, start, snapshot.taken_at))
    return RankVsPlays(time_range, snapshot.taken_at, start, charted, missing)
