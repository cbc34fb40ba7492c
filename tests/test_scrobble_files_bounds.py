"""No scrobble file is held whole, however long its lines or rows (tracemalloc measures what reading holds), and
ListenBrainz's export from before August 2024, one JSON array often on one line, reads listen by listen."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import UTC, datetime

import pytest

from music_time_machine.privacy_export.jsonstream import MalformedJson
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.files import ScrobbleFormat, detect_scrobbles, read_scrobbles
from music_time_machine.scrobbles.listen import Listen
from strategies import stored
from test_scrobble_files_parsing import CSV, LATEST, LB, export_file


class _Generated(io.TextIOBase):
    """A text stream of each `unit`, `count` times over, made up as it is read and never held whole."""

    def __init__(self, *parts: tuple[str, int]) -> None:
        self._pieces = (unit for unit, count in parts for _ in range(count))
        self._held = ""

    def read(self, size: int | None = -1) -> str:
        limit = size if size is not None and size > 0 else 1 << 16
        while len(self._held) < limit and (piece := next(self._pieces, None)) is not None:
            self._held += piece
        found, self._held = self._held[:limit], self._held[limit:]
        return found

    def readline(self, size: int | None = -1) -> str:
        limit = size if size is not None and size > 0 else 1 << 16
        while "\n" not in self._held and len(self._held) < limit:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._held += piece
        newline = self._held.find("\n", 0, limit)
        end = limit if newline < 0 else newline + 1
        found, self._held = self._held[:end], self._held[end:]
        return found


@pytest.mark.parametrize(
    ("file_format", "opening", "after"),
    [
        (LB, '{"listened_at": 1700000000, "track_metadata": {"artist_name": "', "\n"),
        (CSV, "A,B,", "\nA,B,T,01 Feb 2021 09:30\n"),
        (CSV, 'A,B,"', '"\nA,B,T,01 Feb 2021 09:30\n'),
    ],
)
def test_a_line_of_a_hundred_megabytes_is_one_malformed_row_and_never_held(
    file_format: ScrobbleFormat, opening: str, after: str
) -> None:
    stream = _Generated((opening, 1), ("x" * (1 << 16), 1600), (after, 1))
    tracemalloc.start()
    try:
        found = list(read_scrobbles(stream, file_format, LATEST, lambda size: None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    expected = [Listen("2021-02-01T09:30:00Z", "A", "T", "B", None, None)] if "T," in after else []
    assert found == [SkipReason.MALFORMED, *expected]
    assert peak < 2 << 20


def test_a_row_of_quoted_fields_across_200_000_lines_is_cut_short_and_never_held() -> None:
    """Each line closes a quoted field and opens the next, so that no one field grows past the csv module's own
    limit: only a bound on the whole row stops it."""
    stream = _Generated(('A,B,"T\n', 1), ('field","next\n', 200_000))
    tracemalloc.start()
    try:
        found = read_scrobbles(stream, CSV, LATEST, lambda size: None)
        rows = sum(1 for row in found if row is SkipReason.MALFORMED)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 2 << 20
    assert rows > 1


def _api_listen(at: int, track: str) -> dict:
    """A listen as ListenBrainz's Listen.to_api() gave it to the export before August 2024."""
    metadata = {"artist_name": "Artist", "track_name": track, "release_name": "Album", "additional_info": {}}
    return {"track_metadata": metadata, "listened_at": at, "recording_msid": "x", "user_name": "u", "inserted_at": 0}


def test_a_listenbrainz_export_from_before_august_2024_is_one_json_array_of_the_same_listens() -> None:
    """Streamed as `[`, the listens joined by commas, `]` on one line: far longer than any line read whole."""
    starts = [1_600_000_000 + 300 * number for number in range(3_000)]
    array = [_api_listen(at, f"Track {number}") for number, at in enumerate(starts)]
    array.insert(1, {"listened_at": 1_600_000_000})  # no track_metadata
    text = "\n  " + json.dumps(array, separators=(",", ":"))
    assert len(text) > 4 * (1 << 16)

    judged = detect_scrobbles(export_file("someone_lb-2024-07-01.json", text.encode()))
    progress: list[int] = []
    found = list(read_scrobbles(io.StringIO(text), LB, LATEST, progress.append))

    expected = [
        Listen(stored(datetime.fromtimestamp(at, UTC)), "Artist", f"Track {number}", "Album", None, None)
        for number, at in enumerate(starts)
    ]
    assert judged is LB
    assert found == [expected[0], SkipReason.MALFORMED, *expected[1:]]
    assert sum(progress) == len(text)


def test_a_json_file_that_is_no_array_of_listens_is_not_scrobbles_and_a_broken_array_stops_its_reading() -> None:
    spotify = [{"ts": "2024-01-01T00:00:00Z", "ms_played": 1000}]
    for name, value in [("Streaming_History_Audio_2024.json", spotify), ("user.json", {"username": "u"})]:
        assert detect_scrobbles(export_file(name, json.dumps(value).encode())) is None
    broken = "[" + json.dumps(_api_listen(1_600_000_000, "First")) + ", {broken"
    rows = read_scrobbles(io.StringIO(broken), LB, LATEST, lambda size: None)

    assert next(rows) == Listen("2020-09-13T12:26:40Z", "Artist", "First", "Album", None, None)
    with pytest.raises(MalformedJson):
        next(rows)
