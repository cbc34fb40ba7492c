"""An independent oracle for charts from plays: what Spotify's chart would have said at the end of a month,
computed from the privacy-export JSON files themselves (it imports nothing of tm).

The rules it re-implements, from README ("Importing your listening history") and the charts-from-plays contract:
- which rows are plays: Extended Streaming History rows (`ts`, `ms_played`) with a track URI and a track name, at
  least 30 s or a skip (`skipped` true or `reason_end` "fwdbtn"); Account Data rows (`endTime`, `msPlayed`, minute
  precision, read as UTC, no URI) with a track name and at least 30 s. Video and podcast files hold no plays;
- the dedupe: one play per artist, title (ASCII-lowercased, like SQLite's lower()) and UTC minute of the play's end;
  the first stored wins. Within one import the files go in path order, richer formats first (extended history,
  then account data), so the row with a URI and seconds is the one kept; a later import never replaces a play;
- a full play: at least 30 s and not marked skipped (null counts as not skipped);
- the track key: the play's URI; a play without one takes the smallest URI of the stored plays with the same
  artist and title (ASCII case-insensitive), else it is keyed by lower(artist) + "\\t" + lower(title);
- the chart of month M and a range: full plays ending in [start of M+1 - N days, start of M+1), N = 28, 182 or
  365; ranked by full plays, then their milliseconds (desc), then the latest full play (desc), then the key
  (ascending, plain string order); the top 50.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

MIN_FULL_MS = 30_000
RANGE_DAYS = {"short_term": 28, "medium_term": 182, "long_term": 365}
TOP = 50

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_ACCOUNT_MINUTE = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)")
_EXTENDED, _VIDEO, _ACCOUNT, _ACCOUNT_PODCAST = "extended", "video", "account", "account-podcast"
_FORMAT_ORDER = (_EXTENDED, _VIDEO, _ACCOUNT, _ACCOUNT_PODCAST)


def ascii_lower(text: str) -> str:
    """A-Z to a-z and nothing else ("CAFÉ" -> "cafÉ"), as SQLite's lower() does."""
    return text.translate(_ASCII_LOWER)


class Play(NamedTuple):
    played_at: str  # UTC end of the play, "YYYY-MM-DDTHH:MM:SSZ"
    uri: str | None
    title: str
    artist: str
    ms_played: int
    skipped: bool | None
    album: str | None = None  # Account Data names none

    @property
    def full(self) -> bool:
        return self.ms_played >= MIN_FULL_MS and self.skipped is not True

    @property
    def name_key(self) -> str:
        return ascii_lower(self.artist) + "\t" + ascii_lower(self.title)

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        return self.played_at[:16], ascii_lower(self.artist), ascii_lower(self.title)


def _utc_seconds(ts: object) -> str | None:
    if not isinstance(ts, str):
        return None
    if _ISO_SECONDS.fullmatch(ts):
        return ts
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _whole_ms(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def extended_play(row: object) -> Play | None:
    if not isinstance(row, dict):
        return None
    played_at, ms = _utc_seconds(row.get("ts")), _whole_ms(row.get("ms_played"))
    uri, title = row.get("spotify_track_uri"), row.get("master_metadata_track_name")
    if played_at is None or ms is None or not title or not isinstance(uri, str):
        return None
    if not uri.startswith("spotify:track:"):
        return None
    skipped = row.get("skipped") if isinstance(row.get("skipped"), bool) else None
    if ms < MIN_FULL_MS and skipped is not True and row.get("reason_end") != "fwdbtn":
        return None  # too short, and not a skip
    artist, album = row.get("master_metadata_album_artist_name") or "", row.get("master_metadata_album_album_name")
    return Play(played_at, uri, title, artist, ms, skipped, album if isinstance(album, str) and album else None)


def account_play(row: object) -> Play | None:
    if not isinstance(row, dict):
        return None
    end, ms, title = row.get("endTime"), _whole_ms(row.get("msPlayed")), row.get("trackName")
    match = _ACCOUNT_MINUTE.fullmatch(end) if isinstance(end, str) else None
    if match is None or ms is None or not title or ms < MIN_FULL_MS:
        return None
    return Play(f"{match.group(1)}T{match.group(2)}:00Z", None, title, row.get("artistName") or "", ms, None)


def _format(path: Path, rows: object) -> str | None:
    if not isinstance(rows, list):
        return None
    first = next((row for row in rows if isinstance(row, dict)), None)
    if first is None:
        return None
    if "ts" in first and "ms_played" in first:
        return _VIDEO if "Video" in path.name else _EXTENDED
    if "endTime" in first and "msPlayed" in first:
        return _ACCOUNT_PODCAST if "podcastName" in first else _ACCOUNT
    return None


def _json_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()) if path.is_dir() else [path])
    return found


def _plays_of_import(paths: Sequence[Path]) -> list[Play]:
    """One `tm import PATH…`: its plays in the order they are stored (richer formats first)."""
    planned = []
    for path in _json_files(paths):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        found = _format(path, rows)
        if found is not None:
            planned.append((_FORMAT_ORDER.index(found), found, rows))
    planned.sort(key=lambda entry: entry[0])  # stable: path order within a format
    converter = {_EXTENDED: extended_play, _ACCOUNT: account_play}
    plays = []
    for _, found, rows in planned:
        if found in converter:
            plays.extend(play for row in rows if (play := converter[found](row)) is not None)
    return plays


def stored_plays(imports: Iterable[Sequence[Path]]) -> list[Play]:
    """The plays one listener holds after these imports, in turn: one per dedupe key, the first one kept."""
    kept: dict[tuple[str, str, str], Play] = {}
    for paths in imports:
        for play in _plays_of_import(paths):
            kept.setdefault(play.dedupe_key, play)
    return sorted(kept.values(), key=lambda play: (play.played_at, play.artist, play.title))


def track_key_of(plays: Sequence[Play]) -> dict[Play, str]:
    """Each play's track key: its URI, the smallest URI stored under its artist and title, or its name key."""
    uri_by_name: dict[str, str] = {}
    for play in plays:
        if play.uri is not None and (play.name_key not in uri_by_name or play.uri < uri_by_name[play.name_key]):
            uri_by_name[play.name_key] = play.uri
    return {play: play.uri or uri_by_name.get(play.name_key, play.name_key) for play in plays}


def month_window(month: str, time_range: str) -> tuple[str, str]:
    """[start, end) of the chart of `month` ("YYYY-MM") and range, as UTC ISO strings."""
    year, number = map(int, month.split("-"))
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    start = end - timedelta(days=RANGE_DAYS[time_range])
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def taken_at(month: str) -> str:
    """The last second of the month: when a plays chart is said to be taken."""
    end = datetime.strptime(month_window(month, "short_term")[1], "%Y-%m-%dT%H:%M:%SZ")
    return (end - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ChartRow:
    rank: int
    key: str
    uri: str | None  # None: a name-keyed track
    full_plays: int
    full_ms: int
    last_full_play: str
    names: frozenset[str] = frozenset()  # every title stored under the key
    artists: frozenset[str] = frozenset()


@dataclass
class _Tally:
    full_plays: int = 0
    full_ms: int = 0
    last_full_play: str = ""


class Oracle:
    """Charts over one listener's stored plays."""

    def __init__(self, plays: Sequence[Play]) -> None:
        self.plays = list(plays)
        self.key_of = track_key_of(self.plays)
        self.names: dict[str, set[str]] = {}
        self.artists: dict[str, set[str]] = {}
        for play in self.plays:
            self.names.setdefault(self.key_of[play], set()).add(play.title)
            self.artists.setdefault(self.key_of[play], set()).add(play.artist)
        self.uris = {play.uri for play in self.plays if play.uri}
        self._full_plays = sorted((play for play in self.plays if play.full), key=lambda play: play.played_at)
        self._full_ends = [play.played_at for play in self._full_plays]  # a window is a slice: bisect, not a scan

    @classmethod
    def from_exports(cls, *imports: Sequence[Path]) -> Oracle:
        return cls(stored_plays(imports))

    def chart_between(self, start: str, end: str, top: int = TOP, *, inclusive_end: bool = False) -> list[ChartRow]:
        tallies: dict[str, _Tally] = {}
        after_end = bisect.bisect_right if inclusive_end else bisect.bisect_left
        inside = slice(bisect.bisect_left(self._full_ends, start), after_end(self._full_ends, end))
        for play in self._full_plays[inside]:
            tally = tallies.setdefault(self.key_of[play], _Tally())
            tally.full_plays += 1
            tally.full_ms += play.ms_played
            tally.last_full_play = max(tally.last_full_play, play.played_at)
        order = _ranked(list(tallies.items()))
        return [
            ChartRow(
                rank,
                key,
                key if key in self.uris else None,
                tally.full_plays,
                tally.full_ms,
                tally.last_full_play,
                frozenset(self.names[key]),
                frozenset(self.artists[key]),
            )
            for rank, (key, tally) in enumerate(order[:top], start=1)
        ]

    def chart(self, month: str, time_range: str, top: int = TOP) -> list[ChartRow]:
        return self.chart_between(*month_window(month, time_range), top)

    def months(self) -> list[str]:
        """Every month from the first play's to the last play's."""
        first, last = min(p.played_at for p in self.plays)[:7], max(p.played_at for p in self.plays)[:7]
        return months_between(first, last)

    def evolution(self, time_range: str, since: str, until: str, top: int = TOP) -> list[MonthChange]:
        changes, previous = [], None
        for month in months_between(since, until):
            chart = [row.key for row in self.chart(month, time_range, top)]
            if not chart:
                changes.append(MonthChange(month, False, None, [], []))
                previous = None
                continue
            if previous is None:
                changes.append(MonthChange(month, True, None, [], []))
            else:
                entries = [key for key in chart if key not in previous]
                exits = [key for key in previous if key not in chart]
                changes.append(MonthChange(month, True, len(entries) / len(chart), entries, exits))
            previous = chart
        return changes

    def month_totals(self) -> dict[str, tuple[int, int]]:
        """Per month that has plays: its full plays and its skips (every other stored play), by UTC end time."""
        totals: dict[str, tuple[int, int]] = {}
        for play in self.plays:
            full, skips = totals.get(play.played_at[:7], (0, 0))
            totals[play.played_at[:7]] = (full + 1, skips) if play.full else (full, skips + 1)
        return dict(sorted(totals.items()))

    def last_month_with_plays(self) -> str:
        return max(play.played_at for play in self.plays)[:7]

    def gems(self, this_month: str) -> list[ChartRow]:
        """The long-term chart minus the short-term one, in long-term order, of the last month with plays before
        `this_month` (YYYY-MM, today's: it is not over yet), else of `this_month`."""
        over = [play.played_at[:7] for play in self.plays if play.played_at[:7] < this_month]
        month = max(over) if over else self.last_month_with_plays()
        short = {row.key for row in self.chart(month, "short_term")}
        return [row for row in self.chart(month, "long_term") if row.key not in short]

    def compare(self, a: str, b: str, time_range: str) -> dict[str, list[str]]:
        """Track keys new in B, gone since A, and in both (in B's, A's and B's rank order)."""
        keys_a = [row.key for row in self.chart(a, time_range)]
        keys_b = [row.key for row in self.chart(b, time_range)]
        return {
            "new": [key for key in keys_b if key not in keys_a],
            "gone": [key for key in keys_a if key not in keys_b],
            "stayed": [key for key in keys_b if key in keys_a],
        }


class MonthChange(NamedTuple):
    month: str
    snapshot: bool  # False: the window held no full plays (a gap)
    turnover: float | None  # None for the first month and after a gap
    entries: list[str]  # track keys, in this month's rank order
    exits: list[str]  # in the previous month's rank order


def _ranked(order: list[tuple[str, _Tally]]) -> list[tuple[str, _Tally]]:
    """Full plays, then their ms (desc); the latest full play (desc); the key (asc): stable sorts, last key first."""
    order = sorted(order, key=lambda item: item[0])
    order = sorted(order, key=lambda item: item[1].last_full_play, reverse=True)
    return sorted(order, key=lambda item: (-item[1].full_plays, -item[1].full_ms))


def months_between(first: str, last: str) -> list[str]:
    year, number = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months
