"""The CSVs that Last.fm export tools write, in their two common shapes:

- benjaminbenben's lastfm-to-csv (lastfm.ghan.nl/export's predecessor, and the tools that copy it): no header,
  `artist,album,track,date`, the date in UTC to the minute: `31 Jan 2021 14:05`;
- a header row naming the columns, as newer exporters write: `uts,utc_time,artist,artist_mbid,album,album_mbid,
  track,track_mbid` (uts: epoch seconds), Libre.fm's `Artist,Track,Album,Time` (after a few comment lines), or
  any order of an artist, a track (or `title`), an optional album and a time (`uts`, `timestamp`, `time` or
  `date`: epoch seconds or a date as above); NAMES lists the words taken for each.

Either way the time is when the scrobble started (Last.fm's own meaning).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import rows
from music_time_machine.scrobbles.listen import Listen

_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
_DATE = re.compile(r"([0-9]{1,2}) ([A-Z][a-z]{2}) ([0-9]{4}),? ([0-9]{2}):([0-9]{2})")


def _date_seconds(text: str) -> int | None:
    match = _DATE.fullmatch(text.strip())
    if match is None or match[2] not in _MONTHS:
        return None
    try:
        moment = datetime(int(match[3]), _MONTHS[match[2]], int(match[1]), int(match[4]), int(match[5]), tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp())


# What exporters call each column (the first a header has wins): Last.fm's own words, Libre.fm's, other tools'.
NAMES = {
    "artist": ("artist", "artist_name", "artist name"),
    "album": ("album", "album_name", "album name", "release"),
    "track": ("track", "title", "track_name", "track name", "name"),
    "time": ("uts", "timestamp", "time", "date"),
}
Columns = dict[str, int | None]
HEADERLESS: Columns = {"artist": 0, "album": 1, "track": 2, "time": 3}


def columns_of(first: list[str]) -> Columns | None:
    """Where artist, album (if any), track and the time are: from a header row, or HEADERLESS when the row is
    itself a scrobble of the header-less shape (None: neither)."""
    header = {field.strip().lower().lstrip("\ufeff"): at for at, field in enumerate(first)}
    found = {column: next((header[name] for name in names if name in header), None) for column, names in NAMES.items()}
    if found["artist"] is not None and found["track"] is not None and found["time"] is not None:
        return found
    if len(first) == 4 and _date_seconds(first[3].lstrip("\ufeff")) is not None:
        return HEADERLESS
    return None


def _seconds(text: str) -> int | None:
    """Epoch seconds, or a date as lastfm-to-csv writes it."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return _date_seconds(text)


def listen_of(row: list[str], columns: Columns, latest_s: int) -> Listen | SkipReason:
    if len(row) <= max(at for at in columns.values() if at is not None):
        return SkipReason.MALFORMED
    seconds = _seconds(row[columns["time"] or 0])
    started_at = None if seconds is None else rows.start_time(seconds, latest_s)
    album = row[columns["album"]] if columns["album"] is not None else None
    return rows.listen(started_at, row[columns["artist"] or 0], row[columns["track"] or 0], album or None, None, None)


def listens(lines: Iterator[str | None], latest_s: int) -> Iterator[Listen | SkipReason]:
    """Each row's listen. Rows before the header (or the first scrobble, without one) are the exporter's preamble
    (Libre.fm writes comments there) and the header is no row either. A line too long to read (None) or a row the
    csv module cannot parse is malformed."""
    rows_read = csv.reader(line if line is not None else "\x00\n" for line in lines)  # "\x00": never a scrobble
    columns: Columns | None = None
    while True:
        try:
            row = next(rows_read)
        except StopIteration:
            return
        except csv.Error:
            yield SkipReason.MALFORMED
            continue
        if not row or row == [""]:
            continue
        if columns is None:
            columns = columns_of(row)
            if columns is None:  # the preamble
                continue
            if columns is not HEADERLESS:
                continue  # the header row
        yield listen_of(row, columns, latest_s)
