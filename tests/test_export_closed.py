"""The zip an import reads is closed when the import ends, failure or not: a process that lives on after an import
(tm demo, a test run, anything importing in-process) must not keep archives open behind it."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from music_time_machine.models import User
from music_time_machine.privacy_export.files import open_export
from music_time_machine.services.importer import import_history
from music_time_machine.store import open_store
from music_time_machine.testing.export_generator import write_export

from conftest import Tm, error_lines

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def descriptors_on(path: Path) -> int:
    """How many of this process's open file descriptors are `path` (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in os.listdir(fds) if os.path.realpath(fds / fd) == str(path.resolve()))


def nameless_zip(tmp_path: Path) -> Path:
    """An export zip whose history names no account (as newer extended exports do): tm looks into its rows."""
    rows = [
        {
            "ts": f"2024-01-0{day}T10:00:00Z",
            "ms_played": 200_000,
            "spotify_track_uri": f"spotify:track:{day:022d}",
            "master_metadata_track_name": f"Song {day}",
            "master_metadata_album_artist_name": "Artist",
        }
        for day in range(1, 4)
    ]
    archive = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Spotify Extended Streaming History/Streaming_History_Audio_2024.json", json.dumps(rows))
    return archive


def test_an_import_that_fails_after_reading_the_zip_leaves_it_closed(tm: Tm, tmp_path: Path) -> None:
    archive = nameless_zip(tmp_path)
    for listener in ("anna", "ben"):
        assert tm("import", str(archive), "--user", listener).exit_code == 0

    result = tm("import", str(archive))  # reads the history's first row for a name, finds none, and fails

    assert result.exit_code == 2
    assert (
        error_lines(result)[0]
        == "Error: This database holds several listeners (anna, ben) and the export names none of them."
    )
    assert result.exc_info is not None  # the failure, and the frames of the import with it, are still held here
    assert descriptors_on(archive) == 0


def test_the_zip_is_open_while_its_members_are_read_and_closed_when_the_export_ends_even_on_failure(
    tmp_path: Path,
) -> None:
    write_export(tmp_path / "export", plays=3_000, seed=9, rows_per_file=500, as_zip=True)
    archive = tmp_path / "export" / "my_spotify_data.zip"
    store = open_store(tmp_path / "tm.sqlite3")
    open_while_read: list[int] = []

    def interrupt(size: int) -> None:
        open_while_read.append(descriptors_on(archive))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), open_export([archive]) as files:
        import_history(store, User("listener"), files, NOW, on_progress=interrupt)

    assert open_while_read == [1]  # the test sees the zip while it is read
    assert descriptors_on(archive) == 0
    with open_export([archive]) as files:
        summary = import_history(store, User("listener"), files, NOW)
    assert summary.stored > 0
    assert descriptors_on(archive) == 0
    store.close()


def test_a_member_read_after_its_export_was_closed_is_a_bug_and_opens_nothing(tmp_path: Path) -> None:
    archive = nameless_zip(tmp_path)
    with open_export([archive]) as files:
        assert files[0].sha256()

    with pytest.raises(RuntimeError, match="was read after its export was closed"):
        files[0].sha256()
    assert descriptors_on(archive) == 0
