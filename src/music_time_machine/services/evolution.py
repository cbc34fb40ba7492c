"""How your taste moves: pure functions over monthly snapshots (no database, no clock).

Months without a snapshot are gaps: they are reported as such and never interpolated, and nothing is
inferred across them (a track present before and after a gap did not "leave").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from music_time_machine.models import Month, Snapshot, Track

RBO_PERSISTENCE = 0.9  # how top-weighted the overlap is: the top 10 carry ~86% of the weight


@dataclass(frozen=True)
class MonthChart:
    month: Month
    tracks: list[Track] | None  # None: no snapshot that month (a gap)


@dataclass(frozen=True)
class MonthChange:
    month: Month
    taken: bool
    entries: list[Track]
    exits: list[Track]
    turnover: float | None  # share of this month's chart that is new; None after a gap or for the first month
    overlap: float | None  # rank-biased overlap with the previous month (1.0 = same order); None likewise


@dataclass(frozen=True)
class ArtistShift:
    artist: str
    before: int  # tracks in the first month's chart
    after: int  # tracks in the last month's chart

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Returning:
    key: str
    name: str
    returns: int
    gaps: list[int]  # months away, for each return


@dataclass(frozen=True)
class Staying:
    track: Track
    months: int  # months with a snapshot in which it was in the chart
    longest_run: int  # the longest stretch of consecutive snapshot months in the chart


@dataclass(frozen=True)
class Evolution:
    changes: list[MonthChange]
    artist_shifts: list[ArtistShift]
    returning_tracks: list[Returning]
    returning_albums: list[Returning]
    returning_artists: list[Returning]
    longest_staying: list[Staying]


def monthly_charts(snapshots: Iterable[Snapshot], first: Month, last: Month, top: int) -> list[MonthChart]:
    """The latest snapshot of each month from `first` to `last`, cut to `top`; gaps where there is none."""
    latest: dict[Month, list[Track]] = {}
    for snapshot in sorted(snapshots, key=lambda s: s.taken_at):
        latest[Month.parse(snapshot.taken_at[:7])] = snapshot.tracks[:top]
    months, month = [], first
    while month <= last:
        months.append(MonthChart(month, latest.get(month)))
        month = month.shift(1)
    return months


def rank_biased_overlap(first: list[str], second: list[str], p: float = RBO_PERSISTENCE) -> float:
    """Extrapolated RBO (Webber, Moffat & Zobel 2010, eq. 30) of two rankings cut at the same depth."""
    depth = min(len(first), len(second))
    if depth == 0:
        return 1.0 if not first and not second else 0.0
    seen_first: set[str] = set()
    seen_second: set[str] = set()
    overlap, weighted = 0, 0.0
    for d in range(1, depth + 1):
        a, b = first[d - 1], second[d - 1]
        overlap += (a in seen_second) + (b in seen_first) + (a == b)
        seen_first.add(a)
        seen_second.add(b)
        weighted += overlap / d * p**d
    return overlap / depth * p**depth + (1 - p) / p * weighted


def _changes(charts: list[MonthChart]) -> list[MonthChange]:
    changes, previous = [], None
    for chart in charts:
        if chart.tracks is None:
            changes.append(MonthChange(chart.month, False, [], [], None, None))
        elif previous is None:
            changes.append(MonthChange(chart.month, True, [], [], None, None))
        else:
            before, now = {t.key for t in previous}, {t.key for t in chart.tracks}
            entries = [t for t in chart.tracks if t.key not in before]
            exits = [t for t in previous if t.key not in now]
            turnover = len(entries) / len(chart.tracks) if chart.tracks else 0.0
            overlap = rank_biased_overlap([t.key for t in previous], [t.key for t in chart.tracks])
            changes.append(MonthChange(chart.month, True, entries, exits, round(turnover, 4), round(overlap, 4)))
        previous = chart.tracks  # after a gap there is no previous month to compare with
    return changes


def _artist_counts(tracks: list[Track]) -> Counter[str]:
    return Counter(artist.name for track in tracks for artist in track.artists)


def artist_shifts(charts: list[MonthChart], limit: int = 10) -> list[ArtistShift]:
    """Artists whose share of the chart grew or shrank most between the first and last snapshot months."""
    taken = [chart.tracks for chart in charts if chart.tracks is not None]
    if len(taken) < 2:
        return []
    before, after = _artist_counts(taken[0]), _artist_counts(taken[-1])
    shifts = [ArtistShift(name, before[name], after[name]) for name in before.keys() | after.keys()]
    moved = [shift for shift in shifts if shift.change]
    return sorted(moved, key=lambda s: (-abs(s.change), s.artist))[:limit]


def returning(
    charts: list[MonthChart], keys_of: Callable[[Track], Iterable[tuple[str, str]]], limit: int = 10
) -> list[Returning]:
    """Items that left the chart (absent in a snapshot month) and came back: how often, and for how long away."""
    last_seen: dict[str, int] = {}  # key -> index of the last month it was in the chart
    names: dict[str, str] = {}
    gaps: dict[str, list[int]] = {}
    previous: dict[str, str] = {}  # the previous snapshot month's keys
    for chart in (c for c in charts if c.tracks is not None):
        present = {key: name for track in chart.tracks or [] for key, name in keys_of(track)}
        names.update(present)
        month = chart.month.index
        for key in present.keys() - previous.keys():
            if key in last_seen:  # seen before, missing from the last snapshot month: back
                gaps.setdefault(key, []).append(month - last_seen[key] - 1)
        last_seen.update(dict.fromkeys(present, month))
        previous = present
    found = [Returning(key, names[key], len(away), away) for key, away in gaps.items()]
    return sorted(found, key=lambda r: (-r.returns, -sum(r.gaps), r.name))[:limit]


def longest_staying(charts: list[MonthChart], limit: int = 10) -> list[Staying]:
    months: Counter[str] = Counter()
    runs: dict[str, int] = {}
    best: dict[str, int] = {}
    tracks: dict[str, Track] = {}
    for chart in (c for c in charts if c.tracks is not None):
        present = {track.key: track for track in chart.tracks or []}
        tracks.update(present)
        runs = {uri: runs.get(uri, 0) + 1 for uri in present}  # a run ends with the first month without it
        for uri, run in runs.items():
            months[uri] += 1
            best[uri] = max(best.get(uri, 0), run)
    staying = [Staying(tracks[uri], count, best[uri]) for uri, count in months.items()]
    return sorted(staying, key=lambda s: (-s.months, -s.longest_run, s.track.name))[:limit]


def track_keys(track: Track) -> list[tuple[str, str]]:
    return [(track.key, track.name)]


def album_keys(track: Track) -> list[tuple[str, str]]:
    return [(track.album_uri, track.album_name or track.album_uri)] if track.album_uri else []


def artist_keys(track: Track) -> list[tuple[str, str]]:
    return [(artist.uri or artist.name, artist.name) for artist in track.artists]


def evolution(charts: list[MonthChart], limit: int = 10) -> Evolution:
    return Evolution(
        changes=_changes(charts),
        artist_shifts=artist_shifts(charts, limit),
        returning_tracks=returning(charts, track_keys, limit),
        returning_albums=returning(charts, album_keys, limit),
        returning_artists=returning(charts, artist_keys, limit),
        longest_staying=longest_staying(charts, limit),
    )
