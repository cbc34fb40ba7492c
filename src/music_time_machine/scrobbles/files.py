"""Scrobble files among an export's files: which format each holds, judged by its first line, and its rows.

Lines are read at most MAX_LINE characters at a time: a longer one is one malformed row, passed over a chunk at a
time, never held whole. A line is one listen or scrobble, a few hundred characters; ListenBrainz takes no listen
over 10,240 bytes (MAX_LISTEN_SIZE in listenbrainz-server), and its export adds a mapping of a few hundred more."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import TextIO

from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import lastfm_csv, listenbrainz
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.scrobbles.rows import Latest

MAX_LINE = 1 << 16
PREAMBLE_LINES = 10  # lines read for a header or a first scrobble (Libre.fm's CSV starts with three comments)
SCROBBLE_SUFFIXES = (".jsonl", ".csv")


class ScrobbleFormat(StrEnum):
    LISTENBRAINZ = "listenbrainz"
    LASTFM_CSV = "lastfm-csv"


def _lines(text: TextIO, on_progress: Callable[[int], None]) -> Iterator[str | None]:
    """The text's lines, without a byte order mark before the first; None for each line over MAX_LINE
    characters."""
    line = text.readline(MAX_LINE)
    if line.startswith("\ufeff"):
        on_progress(1)
        line = line[1:] or text.readline(MAX_LINE)
    while line:
        on_progress(len(line))
        if len(line) < MAX_LINE or line.endswith("\n"):
            yield line
        else:
            while (rest := text.readline(MAX_LINE)) and not rest.endswith("\n"):
                on_progress(len(rest))
            on_progress(len(rest))
            yield None
        line = text.readline(MAX_LINE)


def _format_of_line(line: str) -> ScrobbleFormat | None:
    try:
        first = json.loads(line)
    except (ValueError, RecursionError):
        first = None
    if listenbrainz.is_listen(first):
        return ScrobbleFormat.LISTENBRAINZ
    try:
        row = next(csv.reader([line]), [])
    except csv.Error:
        return None
    return ScrobbleFormat.LASTFM_CSV if lastfm_csv.columns_of(row) is not None else None


def detect_scrobbles(export_file: ExportFile) -> ScrobbleFormat | None:
    """The scrobble format of a .jsonl or .csv file, by its first non-blank lines (None: not scrobbles). Raises
    UnreadableFile when the file cannot be read."""
    if not export_file.name.lower().endswith(SCROBBLE_SUFFIXES):
        return None
    try:
        with export_file.text() as text:
            lines = (line for line in _lines(text, lambda size: None) if line is None or line.strip())
            first = [line for line, _ in zip(lines, range(PREAMBLE_LINES), strict=False) if line is not None]
    except UnicodeDecodeError:
        return None
    return next(filter(None, map(_format_of_line, first)), None)


def read_scrobbles(
    text: TextIO, file_format: ScrobbleFormat, latest: str, on_progress: Callable[[int], None]
) -> Iterator[Listen | SkipReason]:
    """Every row of the file: a listen, or why it is left out. `latest`: `models.latest_play(now)`."""
    reader = listenbrainz.listens if file_format is ScrobbleFormat.LISTENBRAINZ else lastfm_csv.listens
    return reader(_lines(text, on_progress), Latest.of(latest))
