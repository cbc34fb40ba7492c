"""Scrobble files among an export's files: which format each holds, judged by its content, and its rows.

- ListenBrainz: `listens/<year>/<month>.jsonl` of its export zip (since August 2024), one listen per line; and
  the `<user>_lb-<date>.json` it exported before, one JSON array of the same listens.
- Last.fm: the CSVs of the common export tools (`scrobbles.lastfm_csv`).

Lines are read at most MAX_LINE characters at a time: a longer one is one malformed row, passed over a chunk at a
time, never held whole. A line is one listen or scrobble, a few hundred characters; ListenBrainz takes no listen
over 10,240 bytes (MAX_LISTEN_SIZE in listenbrainz-server), and its export adds a mapping of a few hundred more.
A JSON array is read element by element (`privacy_export.jsonstream`, with the same bound).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import TextIO, cast

from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.privacy_export.jsonstream import MalformedJson, iter_json_array
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import lastfm_csv, listenbrainz
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.scrobbles.rows import Latest

MAX_LINE = 1 << 16
PREAMBLE_LINES = 10  # lines read for a header or a first scrobble (Libre.fm's CSV starts with three comments)
SCROBBLE_SUFFIXES = (".jsonl", ".csv")
Progress = Callable[[int], None]


class ScrobbleFormat(StrEnum):
    LISTENBRAINZ = "listenbrainz"
    LASTFM_CSV = "lastfm-csv"


def _first_line(text: TextIO, on_progress: Progress) -> str:
    """The text's first line as `readline(MAX_LINE)` reads it, without a byte order mark before it."""
    head = text.read(1)
    if head == "\ufeff":
        on_progress(1)
        return text.readline(MAX_LINE)
    return head if head in ("", "\n") else head + text.readline(MAX_LINE - 1)


def _lines(first: str, text: TextIO, on_progress: Progress) -> Iterator[str | None]:
    """`first`, then the text's other lines; None for each line over MAX_LINE characters."""
    line = first
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


class _Resumed(io.TextIOBase):
    """A text whose first line was read to judge it, with that line put back in front of the rest."""

    def __init__(self, first: str, rest: TextIO) -> None:
        super().__init__()
        self._first, self._rest = first, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        first, self._first = self._first, ""
        if size is None or size < 0:
            return first + self._rest.read()
        return first + self._rest.read(max(size - len(first), 0))


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


def _format_of_json(text: TextIO) -> ScrobbleFormat | None:
    """LISTENBRAINZ when a JSON file is an array whose first element is a listen."""
    try:
        first = next(iter_json_array(text), None)
    except MalformedJson:
        return None
    return ScrobbleFormat.LISTENBRAINZ if listenbrainz.is_listen(first) else None


def _ignore(size: int) -> None:
    """Progress that nobody follows: judging a file's format."""


def detect_scrobbles(export_file: ExportFile) -> ScrobbleFormat | None:
    """The scrobble format of a .jsonl or .csv file, by its first non-blank lines, or of a .json file, by its
    first element (None: not scrobbles). Raises UnreadableFile when the file cannot be read."""
    name = export_file.name.lower()
    if not name.endswith((*SCROBBLE_SUFFIXES, ".json")):
        return None
    try:
        with export_file.text() as text:
            if name.endswith(".json"):
                return _format_of_json(text)
            lines = _lines(_first_line(text, _ignore), text, _ignore)
            judged = (line for line in lines if line is None or not line.isspace())
            first = [line for line, _ in zip(judged, range(PREAMBLE_LINES), strict=False) if line is not None]
    except UnicodeDecodeError:
        return None
    return next(filter(None, map(_format_of_line, first)), None)


def read_scrobbles(
    text: TextIO, file_format: ScrobbleFormat, latest: str, on_progress: Progress
) -> Iterator[Listen | SkipReason]:
    """Every row of the file: a listen, or why it is left out. `latest`: `models.latest_play(now)`. Raises
    MalformedJson when a ListenBrainz JSON array stops being one (the rows before it were given)."""
    first = _first_line(text, on_progress)
    if file_format is ScrobbleFormat.LASTFM_CSV:
        yield from lastfm_csv.listens(_lines(first, text, on_progress), Latest.of(latest))
        return
    while first.isspace():
        on_progress(len(first))
        first = text.readline(MAX_LINE)
    if first.lstrip().startswith("["):
        resumed = cast(TextIO, _Resumed(first, text))  # a TextIO to iter_json_array, which only calls read()
        yield from listenbrainz.array_listens(iter_json_array(resumed, on_progress), Latest.of(latest))
        return
    yield from listenbrainz.listens(_lines(first, text, on_progress), Latest.of(latest))
