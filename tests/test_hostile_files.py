"""`tm import` of files that strangers made: every hostile element, member, file or folder is one malformed row or
one skipped file, named with its reason; everything else imports; nothing hangs, nothing grows without bound."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from music_time_machine.models import User
from music_time_machine.privacy_export.files import open_export
from music_time_machine.privacy_export.jsonstream import UNREADABLE, iter_json_array
from music_time_machine.services.importer import import_history
from music_time_machine.store import as_store_error, open_store
from music_time_machine.testing.export_generator import write_export

from conftest import Tm, error_lines, shown_safely

START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
pytestmark = pytest.mark.sqlite_only("reads the files; the database is --db, a SQLite file")
SUBPROCESS_TIMEOUT = 90  # seconds: an import that hangs (a FIFO opened for reading) fails instead of stalling


def _play(number: int, name: str | None = None) -> dict:
    """A valid music play of its own minute (so no two are duplicates)."""
    return {
        "ts": (START + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ms_played": 200_000,
        "master_metadata_track_name": name or f"Song {number}",
        "master_metadata_album_artist_name": "Artist",
        "spotify_track_uri": f"spotify:track:t{number}",
        "skipped": False,
    }


def _import(tm: Tm, *targets: Path | str, db: Path) -> dict:
    result = tm("import", *map(str, targets), "--user", "listener", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    assert "This is a bug" not in result.output
    return json.loads(result.stdout)


def _stored_names(db: Path) -> set[str]:
    store = open_store(db)
    try:
        return {row[0] for row in store.db.execute("SELECT track_name FROM plays").fetchall()}
    finally:
        store.close()


# 1. Elements the JSON decoder chokes on --------------------------------------------------------------------------

hostile_elements = st.one_of(
    st.integers(4_400, 20_000).map(lambda digits: '{"ts": "2024-01-01T00:00:00Z", "ms_played": ' + "7" * digits + "}"),
    st.integers(1_000, 100_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1_000, 100_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.integers(66_000, 400_000).map(lambda size: json.dumps(_play(99_999, name="x" * size))),
    st.integers(70_000, 300_000).map(lambda size: '"' + '\\"' * size + '"'),
    st.sampled_from(["\\ud800", "\\udfff", "x\\udc00y"]).map(
        lambda half: json.dumps(_play(99_998)).replace('"Song 99998"', f'"{half}"')
    ),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.lists(st.one_of(st.just(None), hostile_elements), min_size=1, max_size=12),
    chunked=st.booleans(),
)
def test_hostile_elements_are_malformed_rows_and_every_valid_row_of_every_file_is_stored(
    tm: Tm, layout: list[str | None], chunked: bool
) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "export"
        folder.mkdir()
        parts, valid = [json.dumps(_play(-1))], {"Song -1"}  # the first play tells the file's format
        for number, hostile in enumerate(layout):
            if hostile is None:
                parts.append(json.dumps(_play(number)))
                valid.add(f"Song {number}")
            else:
                parts.append(hostile)
        separator = ",\n" if chunked else ","
        (folder / "Streaming_History_Audio_2024_0.json").write_text("[" + separator.join(parts) + "]")
        later = [_play(1_000 + number) for number in range(3)]  # a later file must import too
        (folder / "Streaming_History_Audio_2024_1.json").write_text(json.dumps(later))

        summary = _import(tm, folder, db=Path(work) / "tm.sqlite3")

        hostile_count = sum(hostile is not None for hostile in layout)
        assert summary["files_imported"] == 2
        assert summary["skipped"]["malformed"] == hostile_count
        assert summary["stored"] == len(valid) + 3
        assert _stored_names(Path(work) / "tm.sqlite3") == valid | {
            play["master_metadata_track_name"] for play in later
        }


surrogate_halves = st.integers(0xD800, 0xDFFF).map(lambda code: f"\\u{code:04x}")
surrogate_pairs = st.tuples(st.integers(0xD800, 0xDBFF), st.integers(0xDC00, 0xDFFF)).map(
    lambda pair: f"\\u{pair[0]:04X}\\u{pair[1]:04x}"
)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.text(max_size=6), st.one_of(st.none(), surrogate_halves, surrogate_pairs)), max_size=8),
    st.integers(1, 12),
)
def test_half_a_surrogate_pair_is_unreadable_at_any_chunk_size_and_a_whole_pair_is_text(
    strings: list[tuple[str, str | None]], chunk_size: int
) -> None:
    elements = [json.dumps(text)[:-1] + (escape or "") + '"' for text, escape in strings]
    expected = [
        UNREADABLE if escape and len(escape) == 6 else json.loads(element)
        for element, (_, escape) in zip(elements, strings, strict=True)
    ]

    found = list(iter_json_array(io.StringIO("[" + ", ".join(elements) + "]"), chunk_size=chunk_size))

    assert found == expected


# 2 and 3. Files, folders and zip members that are not what they seem -------------------------------------------


def _zip_with(
    archive: Path, members: dict[str, str], *, encrypted: frozenset[str] = frozenset(), method: int | None = None
) -> None:
    """Write a zip; `encrypted` members are marked as encrypted, and with `method` the member method.json says it
    was packed by that compression method, both in the central directory that readers go by."""
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
        for info in zipped.infolist():
            if info.filename in encrypted:
                info.flag_bits |= 0x1
            if info.filename == "method.json" and method is not None:
                info.compress_type = method


def _break_crc(archive: Path, member: str) -> None:
    """Change one byte of a stored member's data, so that its CRC-32 no longer matches."""
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo(member)
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x20  # a letter's case in a name: still valid JSON
    archive.write_bytes(bytes(data))


HOSTILE_NAMES = {
    "/etc/Streaming_History_Audio_abs.json": "its name is an absolute path",
    "../../Streaming_History_Audio_up.json": "its name climbs out of the archive (..)",
    "Streaming_History_Audio_\x1b]52;c;aGk=\x07.json": "its name holds control characters",
    "Streaming_History_Audio_\u202egnp.json": "its name holds control characters",
}


def test_damaged_encrypted_unknown_and_hostile_zip_members_are_skipped_and_named(tm: Tm, tmp_path: Path) -> None:
    archive = tmp_path / "my_spotify_data.zip"
    members = {"good.json": json.dumps([_play(1)]), "crc.json": json.dumps([_play(2)] * 50)}
    members |= {"locked.json": json.dumps([_play(3)]), "method.json": json.dumps([_play(4)])}
    members |= {name: json.dumps([_play(10 + n)]) for n, name in enumerate(HOSTILE_NAMES)}
    _zip_with(archive, members, encrypted=frozenset({"locked.json"}), method=99)
    _break_crc(archive, "crc.json")

    result = tm("import", str(archive), "--user", "listener", "--db", str(tmp_path / "tm.sqlite3"), "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["files_imported"], summary["files_malformed"], summary["stored"]) == (1, 7, 1)
    assert _stored_names(tmp_path / "tm.sqlite3") == {"Song 1"}
    problems = "\n".join(summary["problems"])
    assert "my_spotify_data.zip!crc.json: cannot be read (Bad CRC-32" in problems
    assert "my_spotify_data.zip!locked.json: skipped: encrypted" in problems
    assert "my_spotify_data.zip!method.json: skipped: packed with compression method 99" in problems
    for reason in HOSTILE_NAMES.values():
        assert reason in problems
    assert shown_safely(result.stdout)  # named in JSON escapes, which read back to the very name
    assert "my_spotify_data.zip!Streaming_History_Audio_\x1b]52;c;aGk=\x07.json: skipped" in problems


def _run_tm(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed tm in a process of its own, so that a hang is a timeout here, not a stalled suite."""
    env = {**os.environ, "TM_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "music_time_machine", "import", *args, "--user", "listener", "--json"]
    return subprocess.run(
        [*command, "--db", str(tmp_path / "tm.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=SUBPROCESS_TIMEOUT,
    )


def test_fifos_devices_folder_zips_and_deep_trees_are_skipped_or_walked_and_nothing_hangs(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "inner.zip").mkdir(parents=True)  # a folder named like a zip is a folder
    (export / "inner.zip" / "Streaming_History_Audio_1.json").write_text(json.dumps([_play(1)]))
    (export / "Streaming_History_Audio_0.json").write_text(json.dumps([_play(0)]))
    os.mkfifo(export / "Streaming_History_Audio_fifo.json")
    os.mkfifo(tmp_path / "pipe")
    (export / "link.zip").symlink_to(tmp_path / "pipe")
    deep = export.joinpath(*["d"] * 40)
    deep.mkdir(parents=True)
    (deep / "Streaming_History_Audio_deep.json").write_text(json.dumps([_play(2)]))

    done = _run_tm(tmp_path, str(export), "/dev/zero", str(tmp_path / "pipe"))

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["files_imported"], summary["stored"], summary["files_malformed"]) == (2, 2, 5)
    problems = "\n".join(summary["problems"])
    assert f"{export / 'Streaming_History_Audio_fifo.json'}: skipped: not a regular file (a FIFO)" in problems
    assert f"{export / 'link.zip'}: skipped: not a regular file (a FIFO)" in problems
    assert "/dev/zero: skipped: not a regular file (a character device)" in problems
    assert f"{tmp_path / 'pipe'}: skipped: not a regular file (a FIFO)" in problems
    assert "skipped: a folder more than 32 levels deep" in problems


def test_a_zip_of_thousands_of_members_imports_each_once_in_bounded_time(tmp_path: Path) -> None:
    members = {f"Streaming_History_Audio_{n}.json": json.dumps([_play(n)]) for n in range(5_000)}
    _zip_with(tmp_path / "many.zip", members)

    done = _run_tm(tmp_path, str(tmp_path / "many.zip"))  # two minutes when each member reopened the zip

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stored"] == 5_000


# 4. The hash of the bytes parsed ----------------------------------------------------------------------------------


def test_a_file_that_changes_while_it_is_read_is_rolled_back_named_and_imported_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    steady = folder / "Streaming_History_Audio_0.json"
    steady.write_text(json.dumps([_play(n) for n in range(10)]))
    changing = folder / "Streaming_History_Audio_1.json"
    plays = [_play(100 + n) for n in range(20_000)]  # megabytes: read in many chunks
    changing.write_text(json.dumps(plays))
    original_size = changing.stat().st_size
    store = open_store(tmp_path / "tm.sqlite3")
    rewritten = []

    def rewrite_the_end_once(size: int) -> None:
        """Once the parse of the changing file has begun, give its last play another name of the same length."""
        if not rewritten and changing.stat().st_size == original_size:
            with changing.open("r+b") as handle:
                handle.seek(-200, os.SEEK_END)
                tail = handle.read()
                handle.seek(-200, os.SEEK_END)
                handle.write(tail.replace(b"Song 20099", b"Song XXXXX"))
            rewritten.append(True)

    with open_export([folder]) as files:
        changing_first = sorted(files, key=lambda export_file: export_file.name != str(changing))
        summary = import_history(store, User("listener"), changing_first, NOW, on_progress=rewrite_the_end_once)

    assert rewritten
    assert summary.files_malformed == 1
    assert summary.problems == [
        f"{changing}: it changed while tm read it (run tm import again when nothing writes "
        "to it); nothing from this file was imported."
    ]
    assert store.plays.count("listener") == 10  # the steady file only; the changed one rolled back whole
    with open_export([folder]) as files:
        again = import_history(store, User("listener"), files, NOW)
    assert (again.files_already_imported, again.files_imported, again.stored) == (1, 1, 20_000)
    stored = {row[0] for row in store.db.execute("SELECT track_name FROM plays").fetchall()}
    assert "Song XXXXX" in stored  # the rows of the bytes that are there now
    assert "Song 20099" not in stored
    store.close()


# 5. A full disk ---------------------------------------------------------------------------------------------------


def test_a_full_disk_reports_the_disk_error_and_keeps_only_whole_files(tmp_path: Path) -> None:
    write_export(tmp_path / "export", plays=20_000, seed=9, rows_per_file=5_000)
    store = open_store(tmp_path / "tm.sqlite3")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own SQLITE_FULL, two files in, where SQLite itself rolls the transaction back (and the ROLLBACK
    # that followed hid the disk error behind "cannot rollback - no transaction is active")
    store.db.execute(f"PRAGMA max_page_count = {pages + 1200}")

    with pytest.raises(sqlite3.OperationalError) as raised, open_export([tmp_path / "export"]) as files:
        import_history(store, User("listener"), files, NOW)

    assert str(raised.value) == "database or disk is full"
    failure = as_store_error(raised.value)
    assert failure is not None
    assert failure.message.startswith("The disk is full")
    assert "Free some space" in (failure.hint or "")
    kept = store.db.execute(
        "SELECT count(*), coalesce(sum(plays_stored), 0), (SELECT count(*) FROM plays) FROM play_sources"
    ).fetchone()
    assert kept[0] > 0  # the disk filled up mid-import, after whole files had been stored
    assert kept[1] == kept[2]  # and only whole files were kept
    store.close()


# 6. A memory bomb ------------------------------------------------------------------------------------------------

BOMB_RSS_LIMIT_MB = 300  # a 1M-play import peaks near 130 MB


def write_memory_bomb(archive: Path, rows: int = 400, name_length: int = 900_000) -> None:
    """A small zip (names of one repeated letter compress ~1,000:1) whose rows carry megabyte-long names."""
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zipped,
        zipped.open("Streaming_History_Audio_bomb.json", "w", force_zip64=True) as member,
    ):
        member.write(b"[")
        for number in range(rows):
            member.write(b"," if number else b"")
            member.write(json.dumps(_play(number, name="a" * name_length)).encode())
        member.write(b"]")


def test_a_memory_bomb_imports_in_bounded_memory(tmp_path: Path) -> None:
    write_memory_bomb(tmp_path / "bomb.zip")
    assert (tmp_path / "bomb.zip").stat().st_size < 5_000_000
    env = {**os.environ, "TM_HOME": str(tmp_path / "home")}
    tm_command = [sys.executable, "-m", "music_time_machine", "import", str(tmp_path / "bomb.zip"), "--user", "x"]
    measure = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )

    done = subprocess.run(
        [sys.executable, "-c", measure, *tm_command, "--db", str(tmp_path / "tm.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=SUBPROCESS_TIMEOUT,
    )

    assert done.returncode == 0, done.stderr
    assert int(done.stdout) / 1024 < BOMB_RSS_LIMIT_MB  # kilobytes on Linux; the bomb drove tm to 3 GB


def test_an_empty_path_is_a_usage_error_not_the_current_folder(tm: Tm, tmp_path: Path) -> None:
    Path("Streaming_History_Audio_0.json").write_text(json.dumps([_play(0)]))  # in the current folder

    result = tm("import", "", "--user", "listener", "--db", str(tmp_path / "tm.sqlite3"))

    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: An empty path names no export.",
        "Hint: Pass the export zip or folder (. for this folder).",
    ]
    assert not (tmp_path / "tm.sqlite3").exists()


def test_a_userdata_file_nested_past_the_recursion_limit_names_nobody_and_the_plays_import(
    tm: Tm, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Userdata.json").write_text('{"username": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (folder / "Streaming_History_Audio_0.json").write_text(json.dumps([_play(0)]))

    result = tm("import", str(folder), "--db", str(tmp_path / "tm.sqlite3"), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] == 1
    assert "'local'" in result.stderr  # the export names nobody that tm can read


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.none() | st.floats(0, 1),
)
def test_a_zip_damaged_anywhere_is_imported_as_far_as_it_reads_never_failing_unexpectedly(
    tm: Tm, damage: list[tuple[float, int]], cut: float | None
) -> None:
    with tempfile.TemporaryDirectory() as work:
        archive = Path(work) / "my_spotify_data.zip"
        members = {
            f"Streaming_History_Audio_{n}.json": json.dumps([_play(10 * n + k) for k in range(10)]) for n in range(3)
        }
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for name, text in members.items():
                zipped.writestr(name, text)
        data = bytearray(archive.read_bytes())
        for where, value in damage:
            data[int(where * len(data))] = value
        archive.write_bytes(bytes(data[: int(cut * len(data))] if cut is not None else data))

        result = tm("import", str(archive), "--user", "listener", "--db", str(Path(work) / "tm.sqlite3"), "--json")

        assert result.exit_code in (0, 2), result.output  # imported what it could, or: not a readable zip
        if result.exit_code == 0:
            summary = json.loads(result.stdout)
            assert (
                summary["files_imported"] + summary["files_malformed"] + summary["files_not_history"]
                == summary["files"]
            )
