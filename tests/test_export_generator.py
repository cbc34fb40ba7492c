"""The synthetic Spotify export: file layout, row shapes, and a truth that an independent classifier agrees with."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from music_time_machine.testing.export_generator import ExportTruth, Habits, Track, write_export
from music_time_machine.testing.export_timeline import plays_before

PLAYS = 3_000
ROWS_PER_FILE = 700
MALFORMED = 10
LABELS = ("stored", "duplicates", "too_short", "not_music", "malformed")
FAMILIES = {
    "Streaming_History_Audio",
    "Streaming_History_Video",
    "endsong",
    "StreamingHistory_music",
    "StreamingHistory_podcast",
}
HISTORY_NAME = re.compile(
    r"(?P<family>Streaming_History_(Audio|Video)_(?P<first>\d{4})(-(?P<last>\d{4}))?"
    r"|endsong|StreamingHistory_music|StreamingHistory_podcast)_(?P<number>\d+)\.json"
)
OTHER_NAMES = {"Userdata.json", "YourLibrary.json"}
QUIET_START = datetime(2021, 3, 1, tzinfo=UTC)
OWN_TRACKS = tuple(
    Track(f"Song {n}", f"Artist {n % 7}", "Album", f"spotify:track:{n:022d}", 200_000) for n in range(40)
)
QUIET = Habits(
    int(QUIET_START.timestamp()), session_gap=(8 * 3600, 40 * 3600), session_plays=(3, 15), tracks=OWN_TRACKS
)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExportTruth]:
    directory = tmp_path_factory.mktemp("export")
    truth = write_export(directory, plays=PLAYS, seed=7, rows_per_file=ROWS_PER_FILE, malformed_rows=MALFORMED)
    return directory, truth


def loose_files(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.iterdir())}


def history_rows(files: dict[str, str], prefix: str) -> list[Any]:
    return [row for name, text in sorted(files.items()) if name.startswith(prefix) for row in json.loads(text)]


def plays_in(files: dict[str, str], prefix: str) -> list[dict[str, Any]]:
    """The well-formed Extended Streaming History rows."""
    rows = history_rows(files, prefix)
    return [row for row in rows if isinstance(row, dict) and parse_time(row.get("ts")) and "audiobook_uri" in row]


# --- a small reference classifier, written straight from the importer's rules ---------------------------------


def parse_time(value: object, pattern: str = "%Y-%m-%dT%H:%M:%SZ") -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None


def classify(name: str, row: object) -> tuple[str, tuple[str, str, datetime] | None, datetime | None]:
    """(class, dedupe key, play end); class "music" means stored or duplicate, depending on the key."""
    account = name.startswith("StreamingHistory_")
    if not isinstance(row, dict):
        return "malformed", None, None
    when = parse_time(row.get("endTime"), "%Y-%m-%d %H:%M") if account else parse_time(row.get("ts"))
    ms = row.get("msPlayed" if account else "ms_played")
    if when is None or type(ms) is not int or ms < 0:
        return "malformed", None, None
    if name.startswith(("Streaming_History_Video_", "StreamingHistory_podcast_")):
        return "not_music", None, None
    if account:
        artist, track, skip = row["artistName"], row["trackName"], False
    else:
        uri, track = row.get("spotify_track_uri"), row.get("master_metadata_track_name")
        if not (isinstance(uri, str) and uri.startswith("spotify:track:")) or track is None:
            return "not_music", None, None
        artist = row["master_metadata_album_artist_name"]
        skip = row.get("skipped") is True or row.get("reason_end") == "fwdbtn"
    if ms < 30_000 and not skip:
        return "too_short", None, None
    return "music", (artist.lower(), track.lower(), when.replace(second=0)), when


def reference_truth(files: Iterable[tuple[str, str]]) -> dict[str, int | str]:
    counts = Counter(dict.fromkeys(["history_files", "other_files", "rows", *LABELS], 0))
    seen: set[tuple[str, str, datetime]] = set()
    stored_at: list[datetime] = []
    for path, text in files:
        name, data = path.rpartition("/")[2], json.loads(text)
        if not HISTORY_NAME.fullmatch(name) or not isinstance(data, list):
            counts["other_files"] += 1
            continue
        counts["history_files"] += 1
        for row in data:
            label, key, when = classify(name, row)
            if label == "music" and key in seen:
                label = "duplicates"
            elif label == "music" and key is not None and when is not None:
                label = "stored"
                seen.add(key)
                stored_at.append(when)
            counts[label] += 1
            counts["rows"] += 1
    first, last = (f"{moment:%Y-%m-%dT%H:%M:%SZ}" for moment in (min(stored_at), max(stored_at)))
    return dict(counts) | {"first_played_at": first, "last_played_at": last}


# --- tests -----------------------------------------------------------------------------------------------------


def test_files_have_spotify_names_and_are_json_arrays(export: tuple[Path, ExportTruth]) -> None:
    directory, truth = export
    files = loose_files(directory)
    history = {name: json.loads(text) for name, text in files.items() if name not in OTHER_NAMES}
    assert set(files) - set(history) == OTHER_NAMES
    assert isinstance(json.loads(files["Userdata.json"]), dict)
    assert isinstance(json.loads(files["YourLibrary.json"])["tracks"], list)
    assert (truth.history_files, truth.other_files) == (len(history), 2)
    numbers: dict[str, list[int]] = {}  # audio and video files are numbered across year ranges
    for name, rows in history.items():
        match = HISTORY_NAME.fullmatch(name)
        assert match, name
        assert isinstance(rows, list)
        assert 0 < len(rows) <= ROWS_PER_FILE
        family = match["family"].rstrip("_0123456789-")
        numbers.setdefault(family, []).append(int(match["number"]))
        if match["first"]:
            years = {row["ts"][:4] for row in plays_in({name: files[name]}, family)}
            assert (min(years), max(years)) == (match["first"], match["last"] or match["first"]), name
    assert set(numbers) == FAMILIES
    assert all(sorted(found) == list(range(len(found))) for found in numbers.values())


def test_rows_have_the_spotify_shapes(export: tuple[Path, ExportTruth]) -> None:
    files = loose_files(export[0])
    audio = plays_in(files, "Streaming_History_Audio_")
    assert list(audio[0])[:5] == ["ts", "platform", "ms_played", "conn_country", "ip_addr"]
    assert "username" not in audio[0]
    endsong = history_rows(files, "endsong_")[0]
    assert {"username", "ip_addr_decrypted", "user_agent_decrypted"} <= set(endsong)
    assert not any(key.startswith("audiobook") or key == "ip_addr" for key in endsong)
    assert set(history_rows(files, "StreamingHistory_music_")[0]) == {"endTime", "artistName", "trackName", "msPlayed"}
    podcast = history_rows(files, "StreamingHistory_podcast_")[0]
    assert set(podcast) == {"endTime", "podcastName", "episodeName", "msPlayed"}
    kinds = Counter("book" if row["audiobook_uri"] else "podcast" if row["episode_name"] else "music" for row in audio)
    assert kinds["music"] > 0.8 * len(audio)
    assert min(kinds["podcast"], kinds["book"]) > 0
    assert any(row["skipped"] is None and row["reason_end"] == "fwdbtn" and row["ms_played"] < 30_000 for row in audio)


def test_truth_adds_up(export: tuple[Path, ExportTruth]) -> None:
    truth = export[1]
    assert truth.stored + truth.duplicates + truth.too_short + truth.not_music + truth.malformed == truth.rows
    assert truth.malformed == MALFORMED
    assert min(truth.duplicates, truth.too_short, truth.not_music) > 0
    assert truth.as_dict()["stored"] == truth.stored
    assert truth.first_played_at < truth.last_played_at


@pytest.mark.parametrize("reverse", [False, True], ids=["name-order", "reverse-order"])
def test_reference_classifier_agrees_in_any_file_order(export: tuple[Path, ExportTruth], reverse: bool) -> None:
    directory, truth = export
    files = sorted(loose_files(directory).items(), reverse=reverse)
    assert reference_truth(files) == truth.as_dict()


def test_plays_never_overlap_nor_repeat_back_to_back(export: tuple[Path, ExportTruth]) -> None:
    plays = []
    for row in plays_in(loose_files(export[0]), "Streaming_History_"):
        end = parse_time(row["ts"])
        assert end is not None
        item = row["spotify_track_uri"] or row["spotify_episode_uri"] or row["audiobook_chapter_uri"]
        plays.append((end.timestamp(), row["ms_played"] / 1000, item))
    plays.sort()
    assert len(plays) == PLAYS
    assert all(end - seconds >= previous_end for (previous_end, _, _), (end, seconds, _) in pairwise(plays))
    assert all(previous != item for (_, _, previous), (_, _, item) in pairwise(plays))


def test_offline_timestamps_come_in_seconds_and_milliseconds(export: tuple[Path, ExportTruth]) -> None:
    rows = plays_in(loose_files(export[0]), "Streaming_History_")
    assert all(row["offline_timestamp"] is None for row in rows if not row["offline"])
    offline = [row for row in rows if row["offline"]]
    seconds = [row for row in offline if row["offline_timestamp"] < 10**11]
    assert 0 < len(seconds) < len(offline)
    for row in offline:
        end = parse_time(row["ts"])
        assert end is not None
        started = row["offline_timestamp"] / (1 if row["offline_timestamp"] < 10**11 else 1000)
        assert end.timestamp() - row["ms_played"] / 1000 - 1 <= started <= end.timestamp()


def test_zip_has_the_same_truth_and_spotify_folders(tmp_path: Path, export: tuple[Path, ExportTruth]) -> None:
    directory = tmp_path / "zipped"
    options = {"plays": PLAYS, "seed": 7, "rows_per_file": ROWS_PER_FILE, "malformed_rows": MALFORMED}
    truth = write_export(directory, **options, as_zip=True)
    assert [path.name for path in directory.iterdir()] == ["my_spotify_data.zip"]
    with zipfile.ZipFile(directory / "my_spotify_data.zip") as archive:
        members = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert {name.partition("/")[0] for name in members} == {
        "Spotify Extended Streaming History",
        "Spotify Account Data",
    }
    assert "Spotify Account Data/StreamingHistory_music_0.json" in members
    assert truth == export[1]
    assert reference_truth(members.items()) == truth.as_dict()
    assert {name.rpartition("/")[2]: text for name, text in members.items()} == loose_files(export[0])


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for run, seed, as_zip in [("a", 3, False), ("b", 3, False), ("c", 4, False), ("d", 3, True), ("e", 3, True)]:
        write_export(tmp_path / run, plays=2_000, seed=seed, rows_per_file=500, as_zip=as_zip)
        outputs.append({path.name: path.read_bytes() for path in (tmp_path / run).iterdir()})
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]
    assert outputs[3] == outputs[4]


def test_invalid_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plays"):
        write_export(tmp_path, plays=0)
    with pytest.raises(ValueError, match="rows_per_file"):
        write_export(tmp_path, plays=10, rows_per_file=0)


def test_habits_set_the_start_the_pace_and_the_music(tmp_path: Path) -> None:
    truth = write_export(tmp_path / "export", plays=900, rows_per_file=500, habits=QUIET)

    files = loose_files(tmp_path / "export")
    audio = plays_in(files, "Streaming_History_Audio_")
    ends = sorted(moment for row in audio if (moment := parse_time(row["ts"])) is not None)
    days = (ends[-1] - QUIET_START).days
    music = {row["spotify_track_uri"] for row in audio if row["spotify_track_uri"]}
    library = {track["uri"] for track in json.loads(files["YourLibrary.json"])["tracks"]}
    assert QUIET_START < ends[0] < QUIET_START + timedelta(days=2)
    assert 5 < len(audio) / days < 15  # a quiet listener: about 9 plays a day, not hundreds
    assert music <= {track.uri for track in OWN_TRACKS}
    assert len(music) > 20
    assert library == {track.uri for track in OWN_TRACKS}
    assert reference_truth(files.items()) == truth.as_dict()


def test_plays_before_a_deadline_make_an_export_that_ends_there(tmp_path: Path) -> None:
    deadline = QUIET_START + timedelta(days=200)

    plays = plays_before(int(deadline.timestamp()), 1, QUIET)
    truth = write_export(tmp_path, plays=plays, habits=QUIET)

    last = parse_time(truth.last_played_at)
    assert last is not None
    assert deadline - timedelta(days=2) < last < deadline + timedelta(minutes=10)


def test_tracks_that_share_artist_and_title_are_refused(tmp_path: Path) -> None:
    twins = (OWN_TRACKS[0], OWN_TRACKS[0]._replace(title="SONG 0", uri="spotify:track:" + "x" * 22))

    with pytest.raises(ValueError, match="distinct"):
        write_export(tmp_path, plays=10, habits=QUIET._replace(tracks=twins))
