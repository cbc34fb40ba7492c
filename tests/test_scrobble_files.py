"""tm import of ListenBrainz exports and Last.fm CSVs: each row is a play stored at its start plus its length, or
counted as malformed; the expected plays are worked out here from the lines written."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import Tm

URI_ID = "4uLU6hMCjMI75M1A2tKUQC"
LATEST_S = int(datetime(2025, 3, 16, tzinfo=UTC).timestamp())


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _listen(at: float, artist: object = "Artist", track: object = "Track", **info: object) -> str:
    metadata = {"artist_name": artist, "track_name": track, "release_name": "Album", "additional_info": info}
    return json.dumps({"listened_at": at, "inserted_at": at, "recording_msid": "x", "track_metadata": metadata})


def _import(tm: Tm, path: Path) -> dict:
    result = tm("import", str(path), "--user", "listener", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _plays(tm: Tm) -> list[tuple]:
    return tm.rows("SELECT played_at, artist_name, track_name, album_name, ms_played, track_uri FROM plays ORDER BY 1")


def test_a_listenbrainz_listen_ends_its_length_after_it_started(tm: Tm, tmp_path: Path) -> None:
    start = datetime(2024, 5, 1, 20, 0, 0, tzinfo=UTC)
    seconds = start.timestamp()
    lines = [
        _listen(seconds + 0.75, duration_ms=200_000, spotify_id=f"https://open.spotify.com/track/{URI_ID}"),
        _listen(seconds + 1000, duration=180),  # seconds, as some scrobblers send it
        _listen(seconds + 2000, origin_url=f"https://open.spotify.com/track/{URI_ID}?si=abc"),  # no length: 3:30
        "",
        _listen(seconds + 3000, duration_ms="long", spotify_id="not a link"),
    ]
    archive = tmp_path / "listenbrainz_someone.zip"
    with zipfile.ZipFile(archive, "w") as export:
        export.writestr("user.json", json.dumps({"user_id": 1, "username": "someone"}))
        export.writestr("listens/2024/5.jsonl", "\n".join(lines) + "\n")
        export.writestr("feedback.jsonl", json.dumps({"recording_msid": "x", "score": 1}) + "\n")

    summary = _import(tm, archive)

    uri = f"spotify:track:{URI_ID}"
    expected = [
        (_stamp(start + timedelta(seconds=200)), "Artist", "Track", "Album", 200_000, uri),
        (_stamp(start + timedelta(seconds=1000 + 180)), "Artist", "Track", "Album", 180_000, None),
        (_stamp(start + timedelta(seconds=2000 + 210)), "Artist", "Track", "Album", 210_000, uri),
        (_stamp(start + timedelta(seconds=3000 + 210)), "Artist", "Track", "Album", 210_000, None),
    ]
    assert _plays(tm) == expected
    assert (summary["rows"], summary["stored"], summary["files_not_history"]) == (4, 4, 2)  # user.json, feedback
    assert summary["sources"] == [{"kind": "listenbrainz", "files": 1, "rows": 4, "stored": 4, "recognised": 0}]


def test_bad_listenbrainz_lines_are_malformed_rows_and_the_rest_import(tm: Tm, tmp_path: Path) -> None:
    good = datetime(2024, 5, 1, tzinfo=UTC).timestamp()
    bad = [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"listened_at": good}),  # no track_metadata
        _listen(datetime(2002, 9, 30, 23, 59, 59, tzinfo=UTC).timestamp()),  # before ListenBrainz's first listen
        _listen(LATEST_S + 86_400 * 2),  # after tomorrow
        _listen("1714521600"),  # a string
        _listen(True),
        _listen(good, artist=" "),
        _listen(good, track=None),
        _listen(good, artist="A\x00B"),
        '{"listened_at": 1714521600, "track_metadata": {"artist_name": "\\ud800", "track_name": "T"}}',
        "x" * 200_000,  # a line far over the bound
    ]
    path = tmp_path / "5.jsonl"
    path.write_text("\n".join([_listen(good, track="First"), *bad, _listen(good + 600, track="Last")]) + "\n")

    summary = _import(tm, path)

    assert [row[2] for row in _plays(tm)] == ["First", "Last"]
    assert summary["skipped"]["malformed"] == len(bad)
    assert summary["rows"] == len(bad) + 2


def test_lastfm_csvs_of_both_shapes_import_and_a_header_is_no_row(tm: Tm, tmp_path: Path) -> None:
    headerless = tmp_path / "lastfm-to-csv.csv"
    headerless.write_text(
        '\ufeffArtist One,Album,"Title, with a comma",31 Jan 2021 14:05\r\n'
        'Artist Two,,"A ""quoted""\nline",01 Feb 2021 09:30\r\n'
        "Artist Three,Album,Bad day,30 Feb 2021 10:00\r\n"
    )
    with_header = tmp_path / "scrobbles.csv"
    uts = int(datetime(2021, 3, 1, 12, 0, 7, tzinfo=UTC).timestamp())
    with_header.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        f'{uts},"01 Mar 2021, 12:00",Artist Four,,Album Four,,Track Four,\n'
        'abc,"01 Mar 2021, 12:00",Artist Five,,Album,,Track Five,\n'
    )

    first, second = _import(tm, headerless), _import(tm, with_header)

    assert _plays(tm) == [
        ("2021-01-31T14:08:30Z", "Artist One", "Title, with a comma", "Album", 210_000, None),
        ("2021-02-01T09:33:30Z", "Artist Two", 'A "quoted"\nline', None, 210_000, None),
        ("2021-03-01T12:03:37Z", "Artist Four", "Track Four", "Album Four", 210_000, None),
    ]
    assert (first["rows"], first["skipped"]["malformed"]) == (3, 1)
    assert (second["rows"], second["skipped"]["malformed"]) == (2, 1)


def test_a_csv_or_jsonl_that_is_not_scrobbles_is_not_history(tm: Tm, tmp_path: Path) -> None:
    (tmp_path / "budget.csv").write_text("date,amount\n2024-01-01,3\n")
    (tmp_path / "pinned_recording.jsonl").write_text(json.dumps({"recording_msid": "x", "blurb_content": "hi"}) + "\n")

    summary = _import(tm, tmp_path)

    assert (summary["files_not_history"], summary["rows"]) == (2, 0)


SAMPLES = Path(__file__).parent / "data" / "scrobbles"  # real files from other projects: see SOURCES.md


def _end(start: int, length_ms: int | None) -> str:
    return _stamp(datetime.fromtimestamp(start, UTC) + timedelta(milliseconds=length_ms or 210_000))


@pytest.mark.parametrize("name", ["listenbrainz_listens.jsonl", "listenbrainz_mixed_validity.jsonl"])
def test_listenbrainz_s_own_sample_files_import_as_they_read(tm: Tm, tmp_path: Path, name: str) -> None:
    lines = [json.loads(line) for line in (SAMPLES / name).read_text().splitlines() if line.strip()]
    expected = set()
    for line in lines:
        metadata = line["track_metadata"]
        info = metadata.get("additional_info", {})
        spotify = info.get("spotify_id")
        if metadata["artist_name"].strip() and metadata["track_name"].strip():
            uri = f"spotify:track:{spotify.rsplit('/', 1)[1]}" if spotify else None
            length = info.get("duration_ms")
            row = (
                metadata["artist_name"],
                metadata["track_name"],
                metadata.get("release_name"),
                length or 210_000,
                uri,
            )
            expected.add((_end(line["listened_at"], length), *row))

    summary = _import(tm.at("2026-01"), SAMPLES / name)  # the listens are of June 2025

    assert set(_plays(tm)) == expected
    assert summary["skipped"]["malformed"] == len(lines) - len(expected)


@pytest.mark.parametrize(
    "name", ["librefm.csv", "librefm_no_album_column.csv", "librefm_with_comments.csv", "librefm_via_maloja.csv"]
)
def test_libre_fm_exports_with_their_comment_lines_and_columns_import_their_scrobbles(tm: Tm, name: str) -> None:
    rows = list(csv.reader((SAMPLES / name).read_text().splitlines()))
    header_at = next(at for at, row in enumerate(rows) if {"artist", "track", "time"} <= {f.lower() for f in row})
    header = [field.lower() for field in rows[header_at]]
    expected = set()
    for row in rows[header_at + 1 :]:
        field = dict(zip(header, row, strict=True))
        album = field.get("album") or None
        expected.add((_end(int(field["time"]), None), field["artist"], field["track"], album, 210_000, None))

    summary = _import(tm.at("2026-01"), SAMPLES / name)  # the last scrobbles are of November 2025

    assert set(_plays(tm)) == expected
    assert (summary["rows"], summary["skipped"]["malformed"]) == (len(expected), 0)


def test_listenbrainz_s_all_invalid_sample_is_all_malformed_and_its_csv_without_a_header_is_no_history(tm: Tm) -> None:
    lines = (SAMPLES / "listenbrainz_all_invalid.jsonl").read_text().splitlines()

    invalid, no_header = (
        _import(tm, SAMPLES / "listenbrainz_all_invalid.jsonl"),
        _import(tm, SAMPLES / "librefm_no_header.csv"),
    )

    assert (invalid["rows"], invalid["skipped"]["malformed"], invalid["stored"]) == (len(lines), len(lines), 0)
    assert (no_header["files_not_history"], no_header["rows"]) == (1, 0)


def _as_lastfm_to_csv_writes(field: str) -> str:
    """index.html's csv(): every comma and double quote taken out of each field, the fields joined by commas."""
    return field.replace(",", "").replace('"', "")


def test_last_fm_s_own_answer_written_as_lastfm_to_csv_does_imports_at_the_utc_minute_of_its_uts(
    tm: Tm, tmp_path: Path
) -> None:
    """lastfm-to-csv's test fixture is Last.fm's answer to user.getrecenttracks; the tool writes each track's
    artist, album, name and date text. Each date's `uts` attribute says which moment the text means: the expected
    start is that moment, to the minute, so the test also holds the reader to Last.fm's dates being UTC."""
    tracks = ElementTree.parse(SAMPLES / "lastfm_to_csv_fixture.xml").getroot().iter("track")
    lines, expected = [], set()
    for track in tracks:
        fields = [track.findtext(tag) or "" for tag in ("artist", "album", "name", "date")]
        lines.append(",".join(map(_as_lastfm_to_csv_writes, fields)) + "\n")
        uts = int(track.find("date").get("uts"))  # type: ignore[union-attr]
        artist, album, name = (_as_lastfm_to_csv_writes(field) for field in fields[:3])
        expected.add((_end(uts - uts % 60, None), artist, name, album or None, 210_000, None))
    exported = tmp_path / "benjaminf.csv"  # the tool names its file after the user
    exported.write_text("".join(lines))

    summary = _import(tm, exported)

    assert set(_plays(tm)) == expected
    assert (summary["rows"], summary["stored"]) == (len(lines), len(expected))


def test_a_csv_header_may_call_the_track_title_and_leave_the_album_out(tm: Tm, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("title,artist,date\nSong,Band,1700000000\n")

    _import(tm, path)

    assert _plays(tm) == [(_end(1_700_000_000, None), "Band", "Song", None, 210_000, None)]


def test_a_listenbrainz_export_from_before_august_2024_imports_as_its_listens(tm: Tm, tmp_path: Path) -> None:
    """`<user>_lb-<date>.json`: one JSON array of listens as ListenBrainz's Listen.to_api() gave them."""
    start = datetime(2024, 5, 1, 20, 0, 0, tzinfo=UTC)
    listens = [
        json.loads(_listen(start.timestamp() + 600 * n, track=f"Track {n}", duration_ms=200_000)) for n in range(3)
    ]
    for listen in listens:
        listen.update(listened_at=int(listen["listened_at"]), user_name="someone", inserted_at=0)
    exported = tmp_path / "someone_lb-2024-07-01.json"
    exported.write_text(json.dumps(listens))

    summary = _import(tm, exported)

    ends = [_stamp(start + timedelta(seconds=600 * n + 200)) for n in range(3)]
    assert _plays(tm) == [(end, "Artist", f"Track {n}", "Album", 200_000, None) for n, end in enumerate(ends)]
    assert summary["sources"] == [{"kind": "listenbrainz", "files": 1, "rows": 3, "stored": 3, "recognised": 0}]
