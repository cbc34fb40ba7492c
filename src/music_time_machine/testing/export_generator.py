"""A deterministic synthetic Spotify data download (streaming history) plus the counts an importer must report.

``write_export`` replays one seeded listening timeline (from 2016-01-01, busy, unless its ``Habits`` say otherwise)
into Extended Streaming History audio and video files, an older export's ``endsong_<N>.json`` repeating the first
fifth of it, Account Data files for its last 365 days, and two files that are not streaming history
(``Userdata.json``, ``YourLibrary.json``).

The ``ExportTruth`` is counted while writing, without a key set: the timeline's own dedupe keys are unique by
construction (``export_timeline``: a track never ends twice in one UTC minute), so every endsong or Account Data copy
of a music play that is not too short is a duplicate. The first and last plays are full music plays ending on a whole
minute, so they are the first and last stored plays, and their minute-precision Account Data copies give the same
times whichever file an importer reads first. Each output file is one pass over the replayed timeline (regenerated,
not kept), written row by row: memory stays bounded and ``as_zip`` streams straight into zip members.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, TextIO

from music_time_machine.testing.export_timeline import (
    AUDIOBOOK,
    DAY,
    MIN_PLAY_MS,
    MUSIC,
    PODCAST,
    VIDEO,
    Broken,
    Event,
    Habits,
    Timeline,
    Track,
    favourite_tracks,
    replay,
)

__all__ = ["ExportTruth", "Habits", "Track", "write_export"]

_AUDIO_FILES, _VIDEO_FILES = "Streaming_History_Audio", "Streaming_History_Video"
_EXTENDED_DIR, _ACCOUNT_DIR = "Spotify Extended Streaming History", "Spotify Account Data"
_USERNAME = "synthetic_listener"
DEFAULT_HABITS = Habits()
_Role = Literal["timeline", "copy", "account"]
_BROKEN_ROWS = (  # malformed rows, in turn: not an object, unparseable ts, ms_played a string, no ts
    '"not a play"',
    '{{"ts": "yesterday", "ms_played": 123000, {track}}}',
    '{{"ts": "{ts}", "ms_played": "123", {track}}}',
    '{{"ms_played": 123000, {track}}}',
)
_BROKEN_TRACK = '"master_metadata_track_name": "Broken Record", "master_metadata_album_artist_name": "Nobody"'


@dataclass(frozen=True)
class ExportTruth:
    """What a correct importer reports for the export ``write_export`` wrote."""

    history_files: int  # streaming-history JSON files written (audio, video, endsong, account music + podcast)
    other_files: int  # non-history JSON files written (Userdata.json, YourLibrary.json)
    rows: int  # rows in all history files
    stored: int
    duplicates: int
    too_short: int
    not_music: int
    malformed: int
    first_played_at: str  # min play-end time among stored plays, "YYYY-MM-DDTHH:MM:SSZ"
    last_played_at: str  # max, same format

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _offline_timestamp(event: Event) -> str:
    """Play start as epoch milliseconds on odd end seconds, epoch seconds on even ones; null when online."""
    if event.session.offline == "false":
        return "null"
    start_ms = event.end * 1000 - event.ms
    return str(start_ms if event.end % 2 else start_ms // 1000)


def _history_row(event: Event, legacy: bool) -> str:
    session, item = event.session, event.item
    user = f'"username": "{_USERNAME}", ' if legacy else ""
    return (
        f'{{"ts": "{_iso(event.end)}", {user}"platform": {session.platform}, "ms_played": {event.ms}, '
        f"{session.legacy_network if legacy else session.network}, {item.legacy if legacy else item.extended}, "
        f'"reason_start": "{event.reason_start}", "reason_end": "{event.outcome.reason_end}", '
        f'"shuffle": {session.shuffle}, "skipped": {event.outcome.skipped}, "offline": {session.offline}, '
        f'"offline_timestamp": {_offline_timestamp(event)}, "incognito_mode": {session.incognito}}}'
    )


def _account_row(event: Event) -> str:
    """Account Data: the end time in UTC to the minute."""
    return f'{{"endTime": "{_iso(event.end)[:16].replace("T", " ")}", {event.item.account}, "msPlayed": {event.ms}}}'


def _label(event: Event, role: _Role) -> str:
    """The class of a row; timeline music keys are unique, so what the timeline does not store is a duplicate."""
    if event.kind != MUSIC:
        return "not_music"
    skip = role != "account" and (event.outcome.skipped == "true" or event.outcome.reason_end == "fwdbtn")
    if event.ms < MIN_PLAY_MS and not skip:  # Account Data rows carry no skip information
        return "too_short"
    return "stored" if role == "timeline" else "duplicates"


@dataclass(frozen=True)
class _Stream:
    """One family of history files: which timeline rows go in, how they are written and counted."""

    prefix: str
    role: _Role  # the timeline itself, an endsong copy of it, or an Account Data copy
    kinds: tuple[int, ...]
    years: tuple[str, ...] = ()  # "<firstyear>[-<lastyear>]" per file, for Extended Streaming History names
    scan: int = sys.maxsize  # stop at this timeline position
    since: int = 0  # only plays ending after this

    def path(self, number: int) -> str:
        folder = _ACCOUNT_DIR if self.role == "account" else _EXTENDED_DIR
        years = f"_{self.years[number]}" if self.years else ""
        return f"{folder}/{self.prefix}{years}_{number}.json"

    def render(self, event: Event) -> str:
        return _account_row(event) if self.role == "account" else _history_row(event, legacy=self.role == "copy")


def _plan(timeline: Timeline, rows_per_file: int, start: int) -> tuple[dict[str, tuple[str, ...]], int]:
    """The year range of every audio and video file, and the end of the last play."""
    spans: dict[str, list[list[int]]] = {_AUDIO_FILES: [], _VIDEO_FILES: []}
    counts = dict.fromkeys(spans, 0)
    end = start
    for row in timeline():
        end, prefix = row.end, _VIDEO_FILES if isinstance(row, Event) and row.kind == VIDEO else _AUDIO_FILES
        year = time.gmtime(end).tm_year
        if counts[prefix] % rows_per_file == 0:
            spans[prefix].append([year, year])
        spans[prefix][-1][1] = year
        counts[prefix] += 1
    years = {prefix: tuple(f"{a}" if a == b else f"{a}-{b}" for a, b in span) for prefix, span in spans.items()}
    return years, end


def _streams(plays: int, years: dict[str, tuple[str, ...]], end: int) -> list[_Stream]:
    audio, last_year = (MUSIC, PODCAST, AUDIOBOOK), end - 365 * DAY
    return [
        _Stream(_AUDIO_FILES, "timeline", audio, years[_AUDIO_FILES]),
        _Stream(_VIDEO_FILES, "timeline", (VIDEO,), years[_VIDEO_FILES]),
        _Stream("endsong", "copy", audio, scan=plays // 5),
        _Stream("StreamingHistory_music", "account", (MUSIC,), since=last_year),
        _Stream("StreamingHistory_podcast", "account", (PODCAST,), since=last_year),
    ]


class _Sink:
    """Loose files in ``directory``, or members of ``directory/my_spotify_data.zip``; one open file at a time."""

    def __init__(self, directory: Path, as_zip: bool) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.zip = zipfile.ZipFile(directory / "my_spotify_data.zip", "w") if as_zip else None

    def open(self, path: str) -> TextIO:
        if self.zip is None:
            return (self.directory / path.rpartition("/")[2]).open("w", encoding="utf-8", newline="\n")
        info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
        return io.TextIOWrapper(self.zip.open(info, "w", force_zip64=True), encoding="utf-8", newline="\n")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _rows(stream: _Stream, timeline: Timeline, tally: Counter[str]) -> Iterator[str]:
    """The stream's rows, counted as they are produced."""
    for row in itertools.takewhile(lambda row: row.position < stream.scan, timeline()):
        if isinstance(row, Broken):
            if stream.prefix == _AUDIO_FILES:
                tally["malformed"] += 1
                yield _BROKEN_ROWS[row.variant % 4].format(ts=_iso(row.end), track=_BROKEN_TRACK)
        elif row.kind in stream.kinds and row.end > stream.since:
            tally[_label(row, stream.role)] += 1
            yield stream.render(row)


def _write_stream(sink: _Sink, stream: _Stream, rows: Iterator[str], rows_per_file: int) -> int:
    """JSON arrays of at most ``rows_per_file`` rows, one row per line; returns the number of files written."""
    count = 0
    for first in rows:
        with sink.open(stream.path(count)) as out:
            out.write("[\n" + first)
            for row in itertools.islice(rows, rows_per_file - 1):
                out.write(",\n" + row)
            out.write("\n]")
        count += 1
    return count


def _write_other_files(sink: _Sink, seed: int, habits: Habits) -> int:
    """``Userdata.json`` and ``YourLibrary.json`` (the 50 most popular tracks); returns the number of files."""
    keys = ("track", "artist", "album", "uri")  # the first four content fields, in order
    top = [json.loads("{" + item.extended + "}").values() for item in favourite_tracks(seed, 50, habits.tracks)]
    library = [dict(zip(keys, values, strict=False)) for values in top]
    documents = {
        "Userdata.json": {"username": _USERNAME, "email": f"listener{seed}@example.com", "country": "DE"},
        "YourLibrary.json": {"tracks": library, "albums": [], "shows": [], "episodes": [], "artists": []},
    }
    for name, document in documents.items():
        with sink.open(f"{_ACCOUNT_DIR}/{name}") as out:
            out.write(json.dumps(document, ensure_ascii=False, indent=2))
    return len(documents)


def write_export(
    directory: Path,
    *,
    plays: int,
    seed: int = 1,
    rows_per_file: int = 15_000,
    malformed_rows: int = 0,
    as_zip: bool = False,
    habits: Habits = DEFAULT_HABITS,
) -> ExportTruth:
    """Write a synthetic export of ``plays`` listening events into ``directory`` (created if missing; files of the
    same names are overwritten) and return what a correct importer reports for it.

    ``habits``: when the listening starts, how dense it is and which tracks it plays (by default 2016-01-01, about
    250 plays a day, a made-up catalog of 4,000 tracks).
    ``malformed_rows`` broken rows are spread over the audio files on top of the events. With ``as_zip`` everything
    goes into ``directory/my_spotify_data.zip`` under ``Spotify Extended Streaming History/`` and
    ``Spotify Account Data/`` instead of loose files in ``directory``. The same arguments give the same bytes.
    """
    if plays < 1 or rows_per_file < 1 or malformed_rows < 0:
        raise ValueError("need plays >= 1, rows_per_file >= 1 and malformed_rows >= 0")
    timeline = functools.partial(replay, seed, plays, malformed_rows, habits)
    years, end = _plan(timeline, rows_per_file, habits.start)
    tally: Counter[str] = Counter()
    with contextlib.closing(_Sink(directory, as_zip)) as sink:
        streams = _streams(plays, years, end)
        history_files = sum(
            _write_stream(sink, stream, _rows(stream, timeline, tally), rows_per_file) for stream in streams
        )
        other_files = _write_other_files(sink, seed, habits)
    first = next(row for row in timeline() if isinstance(row, Event)).end  # the first and last plays are stored
    return ExportTruth(
        history_files=history_files,
        other_files=other_files,
        rows=tally.total(),  # every row written is counted under exactly one label
        stored=tally["stored"],
        duplicates=tally["duplicates"],
        too_short=tally["too_short"],
        not_music=tally["not_music"],
        malformed=tally["malformed"],
        first_played_at=_iso(first),
        last_played_at=_iso(end),
    )
