"""tm import of ListenBrainz exports and Last.fm CSVs: each row is a play stored at its start plus its length, or
counted as malformed; the expected plays are worked out here from the lines written."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import lastfm_csv, listenbrainz
from music_time_machine.scrobbles.listen import Listen

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


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_listenbrainz_line_is_a_listen_or_malformed(line: str) -> None:
    found = listenbrainz.listen_of(line, LATEST_S)
    assert isinstance(found, Listen) or found is SkipReason.MALFORMED


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300)
@given(st.fixed_dictionaries({"listened_at": JSON_VALUES, "track_metadata": JSON_VALUES}))
def test_any_listenbrainz_object_is_a_listen_or_malformed_and_a_listen_is_sound(value: dict) -> None:
    found = listenbrainz.listen_of(json.dumps(value), LATEST_S)
    if isinstance(found, Listen):
        assert found.artist_name.strip()
        assert found.track_name.strip()
        assert "2002-10-01T00:00:00Z" <= found.started_at <= _stamp(datetime.fromtimestamp(LATEST_S, UTC))
        assert found.duration_ms is None or 0 < found.duration_ms <= 86_400_000
    else:
        assert found is SkipReason.MALFORMED


@settings(max_examples=200)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_any_csv_row_is_a_listen_or_malformed(row: list[str]) -> None:
    found = lastfm_csv.listen_of(row, lastfm_csv.HEADERLESS, LATEST_S)
    assert isinstance(found, Listen) or found is SkipReason.MALFORMED


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


def test_a_libre_fm_export_with_its_comment_lines_imports_its_scrobbles(tm: Tm) -> None:
    rows = list(csv.reader((SAMPLES / "librefm.csv").read_text().splitlines()))
    header = next(at for at, row in enumerate(rows) if row[:1] == ["Artist"])
    expected = {
        (_end(int(time), None), artist, track, album or None, 210_000, None)
        for artist, track, album, time in rows[header + 1 :]
    }

    summary = _import(tm, SAMPLES / "librefm.csv")

    assert set(_plays(tm)) == expected
    assert (summary["rows"], summary["skipped"]["malformed"]) == (len(expected), 0)


def test_a_csv_header_may_call_the_track_title_and_leave_the_album_out(tm: Tm, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("title,artist,date\nSong,Band,1700000000\n")

    _import(tm, path)

    assert _plays(tm) == [(_end(1_700_000_000, None), "Band", "Song", None, 210_000, None)]
