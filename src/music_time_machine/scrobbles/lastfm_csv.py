"""The CSVs that Last.fm export tools write, in their two common shapes:

- benjaminbenben's lastfm-to-csv (benjaminbenben.com/lastfm-to-csv, and the tools that copy it): no header,
  `artist,album,track,date`, with Last.fm's own date text in UTC to the minute (`22 May 2014, 20:11`) from which
  the tool strips every comma and double quote, names included: `22 May 2014 20:11`;
- a header row naming the columns: lastfm.ghan.nl/export's `uts,utc_time,artist,artist_mbid,album,album_mbid,
  track,track_mbid` (uts: epoch seconds; utc_time as Last.fm writes it), Libre.fm's `Artist,Track,Album,Time`
  (after a few comment lines), or any order of an artist, a track (or `title`), an optional album and a time
  (`uts`, `timestamp`, `time` or `date`: epoch seconds or a date as above), in any case; NAMES lists the words
  taken for each.

Either way the time is when the scrobble started (Last.fm's own meaning), in UTC. A row is malformed when it has
not as many fields as the header (four without one), besides the rules of `scrobbles.rows`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import NamedTuple

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import rows
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.scrobbles.rows import Latest

MAX_RECORD = 1 << 16  # characters of one row, however many lines its quoted fields span
# Last.fm writes month names in English, whatever the listener's language.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: f"{number:02d}" for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTH_DAYS = dict(zip(_MONTHS.values(), (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True))
_DATE = re.compile(r" *([0-9]{1,2}) ([A-Z][a-z]{2}) ([0-9]{4}),? ([01][0-9]|2[0-3]):([0-5][0-9]) *")
_EPOCH_SECONDS = re.compile(r" *([0-9]{1,12}) *")
# What exporters call each column (the first a header has wins): Last.fm's own words, Libre.fm's, other tools'.
NAMES = {
    "artist": ("artist", "artist_name", "artist name"),
    "album": ("album", "album_name", "album name", "release"),
    "track": ("track", "title", "track_name", "track name", "name"),
    "time": ("uts", "timestamp", "time", "date"),
}


class Columns(NamedTuple):
    """Where a row's fields are, and how many it has."""

    width: int
    artist: int
    album: int | None
    track: int
    time: int


HEADERLESS = Columns(4, 0, 1, 2, 3)


def _date_text(text: str) -> str | None:
    """A date as Last.fm writes it, as a stored time (no datetime: one regex and a table of month lengths)."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = int(match[1]), _MONTHS.get(match[2]), int(match[3])
    if month is None or not 1 <= day <= _MONTH_DAYS[month]:
        return None
    if month == "02" and day == 29 and (year % 4 != 0 or (year % 100 == 0 and year % 400 != 0)):
        return None
    return f"{match[3]}-{month}-{day:02d}T{match[4]}:{match[5]}:00Z"


def _start(text: str, latest: Latest) -> str | None:
    """Epoch seconds, or a date as Last.fm writes it."""
    seconds = _EPOCH_SECONDS.fullmatch(text)
    if seconds is not None:
        return rows.start_time(int(seconds[1]), latest.seconds)
    started_at = _date_text(text)
    return None if started_at is None else rows.in_range(started_at, latest)


def columns_of(first: list[str]) -> Columns | None:
    """Where artist, album (if any), track and the time are: from a header row, or HEADERLESS when the row is
    itself a scrobble of the header-less shape (None: neither)."""
    header = {field.strip().lower(): at for at, field in reversed(list(enumerate(first)))}
    found = {column: next((header[name] for name in names if name in header), None) for column, names in NAMES.items()}
    artist, album, track, time = found["artist"], found["album"], found["track"], found["time"]
    if artist is not None and track is not None and time is not None:
        return Columns(len(first), artist, album, track, time)
    if len(first) == 4 and _date_text(first[3]) is not None:
        return HEADERLESS
    return None


def listen_of(row: list[str], columns: Columns, latest: Latest) -> Listen | SkipReason:
    if len(row) != columns.width:
        return SkipReason.MALFORMED
    album = row[columns.album] if columns.album is not None else None
    return rows.listen(_start(row[columns.time], latest), row[columns.artist], row[columns.track], album, None, None)


class _Feed:
    """The lines the csv module reads, held to MAX_RECORD characters a row: a row that grows past it (a quoted
    field left open, line after line) or a line too long to read (None) is cut short and marked `broken`."""

    def __init__(self, lines: Iterator[str | None]) -> None:
        self._lines = lines
        self.held = 0  # characters of the row being read; the reader of the rows sets it back to 0
        self.broken = False

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            if line is not None and self.held + len(line) <= MAX_RECORD:
                self.held += len(line)
                yield line
                continue
            self.broken = True
            # Past its first line, a row is open only inside a quoted field: a quote and a newline close it.
            yield '"\n' if self.held else "\n"


def listens(lines: Iterator[str | None], latest: Latest) -> Iterator[Listen | SkipReason]:
    """Each row's listen. Rows before the header (or the first scrobble, without one) are the exporter's preamble
    (Libre.fm writes comments there) and the header is no row either. A row too long to read or one the csv module
    cannot parse is malformed."""
    feed = _Feed(lines)
    reader = csv.reader(feed)
    columns: Columns | None = None
    while True:
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:
            row = None
        broken, feed.held, feed.broken = feed.broken, 0, False
        if row is None or broken:
            yield SkipReason.MALFORMED
        elif row and row != [""]:
            if columns is None:
                columns = columns_of(row)
                if columns is not HEADERLESS:
                    continue  # the preamble, or the header
            yield listen_of(row, columns, latest)
