"""The scrobble file readers on their own (`scrobbles.files`): any bytes are judged without a crash, a valid
listen or scrobble comes back field for field, one bad field makes its row malformed, and no input of any length
is held whole. Every expected value is worked out here from the fields the test wrote, with `datetime`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.privacy_export.jsonstream import MalformedJson
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.files import ScrobbleFormat, detect_scrobbles, read_scrobbles
from music_time_machine.scrobbles.listen import Listen
from strategies import stored

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
LATEST = stored(NOW + timedelta(days=1))  # models.latest_play(NOW), written out here
EARLIEST = datetime(2002, 10, 1, tzinfo=UTC)  # ListenBrainz's LISTEN_MINIMUM_TS
LB, CSV = ScrobbleFormat.LISTENBRAINZ, ScrobbleFormat.LASTFM_CSV
GHAN_HEADER = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]
Row = Listen | SkipReason


def read(text: str, file_format: ScrobbleFormat) -> list[Row]:
    return list(read_scrobbles(io.StringIO(text), file_format, LATEST, lambda size: None))


def export_file(name: str, data: bytes) -> ExportFile:
    return ExportFile(name, len(data), lambda: io.BytesIO(data))


# Starts from the first second ListenBrainz takes to the last second of tomorrow.
starts = st.datetimes(EARLIEST.replace(tzinfo=None), (NOW + timedelta(days=1)).replace(tzinfo=None)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC)
)
# Names a database stores: any text but NUL and half surrogate pairs (st.text() never draws those), not blank.
names = st.text(min_size=1, max_size=1_100).filter(lambda text: text.strip() and "\x00" not in text)
spotify_ids = st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=22, max_size=22)


def listen_line(at: object, artist: object, track: object, album: object, info: dict, ascii_only: bool) -> str:
    metadata = {"artist_name": artist, "track_name": track, "release_name": album, "additional_info": info}
    line = {"listened_at": at, "inserted_at": at, "track_metadata": metadata}
    return json.dumps(line, ensure_ascii=ascii_only)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=starts,
    fraction=st.sampled_from([None, 0.0, 0.25, 0.999]),
    artist=names,
    track=names,
    album=st.none() | names,
    length=st.none() | st.integers(1, 86_400_000),
    in_seconds=st.booleans(),
    spotify=st.none() | spotify_ids,
    ascii_only=st.booleans(),
)
def test_a_listenbrainz_listen_comes_back_field_for_field(
    start: datetime,
    fraction: float | None,
    artist: str,
    track: str,
    album: str | None,
    length: int | None,
    in_seconds: bool,
    spotify: str | None,
    ascii_only: bool,
) -> None:
    seconds = int(start.timestamp())
    info: dict[str, object] = {"music_service": "spotify.com"}
    if length is not None:
        info.update({"duration": length // 1000} if in_seconds else {"duration_ms": length})
    if spotify is not None:
        info["spotify_id"] = f"https://open.spotify.com/track/{spotify}"
    at = seconds if fraction is None else seconds + fraction
    line = listen_line(at, artist, track, album, info, ascii_only)

    found = read(line + "\n", LB)

    duration = (length // 1000 * 1000 or None) if in_seconds and length is not None else length
    uri = None if spotify is None else f"spotify:track:{spotify}"
    assert found == [Listen(stored(start), artist[:1000], track[:1000], album and album[:1000], duration, uri)]


def quoted(fields: list[str], quoting: int) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting).writerow(fields)
    return buffer.getvalue()


def lastfm_date(moment: datetime, comma: bool) -> str:
    """Last.fm's date text (`9 Jun 2008, 17:16`), and lastfm-to-csv's, which strips the comma."""
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[moment.month - 1]
    return f"{moment.day} {month} {moment.year}{',' if comma else ''} {moment.hour:02d}:{moment.minute:02d}"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=starts,
    artist=names,
    track=names,
    album=st.just("") | names,
    header=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_a_csv_scrobble_comes_back_field_for_field_in_both_shapes(
    start: datetime, artist: str, track: str, album: str, header: bool, quoting: int
) -> None:
    assume(header or {artist.strip().lower(), track.strip().lower()}.isdisjoint({"artist", "track"}))  # a header
    if header:  # lastfm.ghan.nl: epoch seconds in uts, to the second
        lines = [quoted(GHAN_HEADER, quoting)]
        lines.append(
            quoted([f"{int(start.timestamp())}", lastfm_date(start, True), artist, "", album, "", track, ""], quoting)
        )
        expected_start = start
    else:  # lastfm-to-csv: the minute
        lines = [quoted([artist, album, track, lastfm_date(start, False)], quoting)]
        expected_start = start.replace(second=0)

    found = read("".join(lines), CSV)

    assert found == [Listen(stored(expected_start), artist[:1000], track[:1000], album[:1000] or None, None, None)]


BAD_TIMES = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.just(float("nan")),
    st.sampled_from([float("inf"), float("-inf"), 1e300, 10**20, -1, 1_486_449_409_000_000_000]),
    st.integers(0, int(EARLIEST.timestamp()) - 1),
    st.integers(int((NOW + timedelta(days=1)).timestamp()) + 1, 2**62),
    st.lists(st.integers(), max_size=2),
)
BAD_NAMES = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(" \t\n\r\u3000", max_size=5),  # blank
    st.text(max_size=10).map(lambda text: text + "\x00"),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


@settings(max_examples=300)
@given(start=starts, field=st.sampled_from(["listened_at", "artist_name", "track_name"]), data=st.data())
def test_one_bad_field_makes_a_listen_malformed(start: datetime, field: str, data: st.DataObject) -> None:
    values = {"listened_at": int(start.timestamp()), "artist_name": "Artist", "track_name": "Track"}
    values[field] = data.draw(BAD_TIMES if field == "listened_at" else BAD_NAMES)
    line = listen_line(values["listened_at"], values["artist_name"], values["track_name"], None, {}, True)

    assert read(line + "\n", LB) == [SkipReason.MALFORMED]


@pytest.mark.parametrize(
    "line",
    [
        "{not json",
        "[1, 2]",
        '"a string"',
        "null",
        json.dumps({"listened_at": 1_700_000_000}),  # no track_metadata
        json.dumps({"listened_at": 1_700_000_000, "track_metadata": None}),
        json.dumps({"listened_at": 1_700_000_000, "track_metadata": ["Artist", "Track"]}),
        '{"listened_at": 1700000000, "track_metadata": {"artist_name": "\\ud800", "track_name": "T"}}',
        '{"listened_at": 1700000000, "track_metadata": {"artist_name": "A", "track_name": "\\udfff"}}',
        '{"listened_at": 1' + "0" * 5000 + ', "track_metadata": {"artist_name": "A", "track_name": "T"}}',
        "[" * 100_000,
    ],
)
def test_a_line_that_is_no_listen_is_malformed(line: str) -> None:
    """After the first line, which decides between JSON Lines and one JSON array (a line starting with `[`)."""
    first = listen_line(1_700_000_000, "A", "T", None, {}, True)

    assert read(f"{first}\n{line}\n", LB)[1:] == [SkipReason.MALFORMED]


def test_an_album_or_length_or_link_that_cannot_be_one_is_unknown_and_the_listen_stays() -> None:
    lines = [
        listen_line(1_700_000_000, "A", "T", "\ud800", {"duration_ms": 0, "spotify_id": "nope"}, True),
        listen_line(1_700_000_000, "A", "T", 7, {"duration_ms": 86_400_001, "origin_url": "spotify:album:x"}, True),
        listen_line(1_700_000_000, "A", "T", "", {"duration_ms": 2.5, "duration": "200"}, True),
        listen_line(1_700_000_000, "A", "T", None, {"duration_ms": True}, True),
    ]

    found = read("\n".join(lines), LB)

    assert found == [Listen("2023-11-14T22:13:20Z", "A", "T", None, None, None)] * 4


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("Artist,Album,Track", "three fields"),
        ("Artist,Album,Track,01 Feb 2021 09:30,extra", "five fields"),
        ("Artist,Album,Track,30 Feb 2021 10:00", "no such day"),
        ("Artist,Album,Track,29 Feb 2021 10:00", "2021 is no leap year"),
        ("Artist,Album,Track,01 Foo 2021 10:00", "no such month"),
        ("Artist,Album,Track,01 Feb 2021 24:00", "no such hour"),
        ("Artist,Album,Track,30 Sep 2002 23:59", "before ListenBrainz's first listen"),
        ("Artist,Album,Track,17 Mar 2025 00:00", "after tomorrow"),
        ("Artist,Album,Track,", "no date (lastfm-to-csv's row of the track playing now)"),
        (" ,Album,Track,01 Feb 2021 09:30", "a blank artist"),
        ("Artist,Album,,01 Feb 2021 09:30", "no track"),
        ('Artist,Album,"A\x00B",01 Feb 2021 09:30', "a NUL"),
    ],
)
def test_a_bad_csv_row_after_a_good_one_is_malformed(row: str, why: str) -> None:
    good = "Artist,Album,Track,01 Feb 2021 09:30\n"

    assert read(good + row + "\n", CSV)[1:] == [SkipReason.MALFORMED], why


def test_a_header_row_decides_the_width_and_a_row_of_another_width_is_malformed() -> None:
    text = "uts,artist,track\n1612171800,A,T\n1612171800,A,T,extra\n1612171800,A\nnot a time,A,T\n"

    assert read(text, CSV) == [Listen("2021-02-01T09:30:00Z", "A", "T", None, None, None), *[SkipReason.MALFORMED] * 3]


def test_a_byte_order_mark_is_no_part_of_the_first_name() -> None:
    for text, file_format in [
        ("\ufeffA,B,T,01 Feb 2021 09:30\n", CSV),
        ("\ufeff" + listen_line(1_612_171_800, "A", "T", "B", {}, True), LB),
    ]:
        assert read(text, file_format) == [Listen("2021-02-01T09:30:00Z", "A", "T", "B", None, None)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    b"{",
                    b"}",
                    b"[",
                    b'"',
                    b",",
                    b"\n",
                    b"\r",
                    b"\x00",
                    b"\xff",
                    b"\xef\xbb\xbf",
                    b'"listened_at": 1700000000',
                    b'"track_metadata": {',
                    b"uts,artist,track",
                    b"1 Feb 2021 09:30",
                    b"\\ud800",
                    b"A",
                ]
            ),
            max_size=40,
        ).map(b"".join),
    ),
    name=st.sampled_from(["5.jsonl", "scrobbles.csv"]),
)
def test_any_bytes_are_judged_and_read_without_a_crash(data: bytes, name: str) -> None:
    """A file's format is judged (None too), and any file reads as listens and malformed rows; a file that is not
    UTF-8 stops with UnicodeDecodeError, and a broken JSON array with MalformedJson, which `tm import` reports as
    the file's own failure."""
    try:
        text: str | None = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")  # as TextIOWrapper
    except UnicodeDecodeError:  # but Python's utf-8-sig decoder drops half a BOM at the end of a stream
        text = "" if data in (b"\xef", b"\xef\xbb") else None

    assert detect_scrobbles(export_file(name, data)) in {None, LB, CSV}
    for file_format in (LB, CSV):
        progress: list[int] = []
        with export_file(name, data).text() as stream:
            try:
                found = list(read_scrobbles(stream, file_format, LATEST, progress.append))
            except UnicodeDecodeError:
                assert text is None
                continue
            except MalformedJson:
                assert file_format is LB
                assert text is not None
                assert text.lstrip().startswith("[")
                continue
        assert all(type(row) is Listen or row is SkipReason.MALFORMED for row in found)
        assert text is not None
        assert sum(progress) == len(text)


@settings(max_examples=200)
@given(artist=st.text(max_size=20), track=st.text(max_size=20), escaped=st.booleans())
def test_every_listen_read_is_stored_by_sqlite_as_it_was_read(artist: str, track: str, escaped: bool) -> None:
    """Hostile names (control characters, NUL, half surrogate pairs from JSON escapes): read, they are either a
    row SQLite stores and gives back unchanged or a malformed row."""
    line = listen_line(1_700_000_000, artist + "\ud800" * escaped, track, None, {}, True)

    (found,) = read(line, LB)

    if found is SkipReason.MALFORMED:
        assert escaped or not artist.strip() or not track.strip() or "\x00" in artist + track
        return
    assert isinstance(found, Listen)
    with sqlite3.connect(":memory:") as database:
        database.execute("CREATE TABLE plays (artist TEXT, track TEXT)")
        database.execute("INSERT INTO plays VALUES (?, ?)", (found.artist_name, found.track_name))
        assert database.execute("SELECT artist, track FROM plays").fetchall() == [(artist, track)]


def test_a_listenbrainz_export_s_other_files_are_not_listens_and_a_csv_needs_its_columns() -> None:
    files = {
        "feedback.jsonl": json.dumps({"recording_msid": "x", "score": 1, "created": 1_700_000_000}),
        "pinned_recording.jsonl": json.dumps({"recording_msid": "x", "blurb_content": "hi", "pinned_until": 1}),
        "user.json": json.dumps({"user_id": 1, "username": "someone"}),
        "budget.csv": "date,amount\n2024-01-01,3\n",
        "names.csv": "artist,track\nA,T\n",
        "empty.csv": "",
        "listens.txt": listen_line(1_700_000_000, "A", "T", None, {}, True),
    }
    judged = {name: detect_scrobbles(export_file(name, text.encode())) for name, text in files.items()}

    assert judged == dict.fromkeys(files)


def test_formats_are_judged_by_content_past_blank_and_broken_first_lines() -> None:
    listen = listen_line(1_700_000_000, "A", "T", None, {}, True)
    files = {
        "listens.csv": (listen + "\n", LB),
        "5.jsonl": ("\n\n{broken\n" + listen + "\n", LB),
        "a.jsonl": ("A,B,T,01 Feb 2021 09:30\n", CSV),
        "b.csv": ("# preamble\n\nArtist,Album,Track,Time\n", CSV),
    }

    assert {name: detect_scrobbles(export_file(name, text.encode())) for name, (text, _) in files.items()} == {
        name: file_format for name, (_, file_format) in files.items()
    }
