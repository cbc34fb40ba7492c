"""`tm playlists [USER]` and `tm playlist show`: your playlists, a user's public ones (2026 rules), backups."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import stat
import subprocess
import sys
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from music_time_machine.config import SETTING_NAMES
from music_time_machine.models import parse_user_ref
from music_time_machine.render.streaming import write_csv
from music_time_machine.testing.fake_spotify import FakeSpotify

from conftest import CLIENT_ID, CLIENT_SECRET, Tm, error_lines, shown_safely

TM = str(Path(sys.executable).with_name("tm"))


@pytest.fixture
def legacy(tm: Tm, redirect_uri: str) -> Iterator[Tm]:
    """The same tm, pointed at an older app that still has GET /users/{id}/playlists."""
    with FakeSpotify(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(redirect_uri,), legacy_app=True
    ) as old:
        env = {**tm.env, "TM_SPOTIFY_API_URL": old.api_url, "TM_SPOTIFY_ACCOUNTS_URL": old.accounts_url}
        yield Tm(env=env, home=tm.home, fake=old, database=tm.database)


def test_a_users_public_playlists_follow_every_page_with_client_credentials(legacy: Tm) -> None:
    ids = legacy.fake.add_public_playlists("someone", 125, "Some One")

    result = legacy("playlists", "someone", "--json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == ids
    assert set(rows[0]) == {"id", "name", "owner", "tracks", "public", "managed"}
    assert (rows[0]["owner"], rows[0]["public"]) == ("someone", True)
    assert legacy.fake.count("GET", "/v1/users/someone/playlists") == 3
    app_token = legacy.home / "app-token.json"
    assert app_token.exists()
    assert stat.S_IMODE(app_token.stat().st_mode) == 0o600
    assert not (legacy.home / "token.json").exists()  # never the user's login file


def test_limit_and_csv_for_a_users_playlists(legacy: Tm) -> None:
    legacy.fake.add_public_playlists("someone", 60)

    result = legacy("playlists", "https://open.spotify.com/user/someone?si=abc", "--limit", "7", "--csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 7
    assert list(rows[0]) == ["id", "name", "owner", "tracks", "public", "managed"]


def test_an_unknown_user_gets_its_own_message(legacy: Tm) -> None:
    result = legacy("playlists", "nobody-here")

    assert result.exit_code == 1
    assert error_lines(result)[0] == "Error: Spotify has no user with the id 'nobody-here'."


def test_a_2026_app_is_told_spotify_removed_the_endpoint(tm: Tm) -> None:
    tm.fake.add_public_playlists("someone", 3)

    result = tm("playlists", "spotify:user:someone")

    assert result.exit_code == 1
    lines = error_lines(result)
    assert lines[0].startswith("Error: Spotify no longer lets apps created since February 2026 list another user")
    assert "not a tm bug" in lines[0]
    assert lines[1] == "Hint: Run `tm playlists` without a user to list your own."


def test_a_users_playlists_need_the_client_secret(tm: Tm) -> None:
    result = tm("playlists", "someone", extra_env={"SPOTIPY_CLIENT_SECRET": ""})

    assert result.exit_code == 2
    assert "needs SPOTIPY_CLIENT_SECRET" in error_lines(result)[0]


def test_your_own_playlists_mark_the_ones_tm_manages(logged_in: Tm) -> None:
    logged_in("gems", "--create-playlist")
    logged_in("playlist", "rotation")
    logged_in.fake.add_public_playlists("fake-listener", 2)

    rows = json.loads(logged_in("playlists", "--json").stdout)

    assert sorted((row["name"], row["managed"]) for row in rows) == [
        ("Forgotten Gems", True),
        ("Public Playlist 001", False),
        ("Public Playlist 002", False),
        ("Rotation", True),
    ]


def test_playlist_show_backs_up_the_items(logged_in: Tm) -> None:
    logged_in("playlist", "rotation")
    [playlist] = logged_in.fake.playlists.values()

    as_json = json.loads(logged_in("playlist", "show", f"spotify:playlist:{playlist.id}", "--json").stdout)
    as_csv = list(csv.DictReader(io.StringIO(logged_in("playlist", "show", playlist.id, "--csv").stdout)))

    assert [row["uri"] for row in as_json] == playlist.uris
    assert as_json[0]["name"] == logged_in.fake.top_tracks("short_term")[0]["name"]
    assert [row["uri"] for row in as_csv] == playlist.uris


def test_playlist_show_of_someone_elses_playlist_explains_the_403(logged_in: Tm) -> None:
    [other] = logged_in.fake.add_public_playlists("someone-else", 1)

    result = logged_in("playlist", "show", f"https://open.spotify.com/playlist/{other}")

    assert result.exit_code == 1
    assert "only shows the items of playlists you own" in error_lines(result)[0]


@pytest.mark.parametrize(
    ("text", "user_id"),
    [
        ("someone", "someone"),
        ("spotify:user:some.one", "some.one"),
        ("https://open.spotify.com/user/abc_123?si=x", "abc_123"),
    ],
)
def test_user_references(text: str, user_id: str) -> None:
    assert parse_user_ref(text) == user_id


def test_a_display_name_is_not_a_user_id(tm: Tm) -> None:
    result = tm("playlists", "Some One")

    assert result.exit_code == 2
    assert "not a Spotify user id" in error_lines(result)[0]
    assert "not the display name" in error_lines(result)[1]


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_names_a_spreadsheet_would_run_are_written_as_text(legacy: Tm) -> None:
    ids = legacy.fake.add_public_playlists("someone", len(FORMULAS) + 1)
    for playlist_id, name in zip(ids, [*FORMULAS, "Plain - name"], strict=True):
        legacy.fake.playlists[playlist_id].name = name

    result = legacy("playlists", "someone", "--csv")

    assert result.exit_code == 0, result.output
    names = [row["name"] for row in csv.DictReader(io.StringIO(result.stdout, newline=""))]
    assert names == [*("'" + name for name in FORMULAS), "Plain - name"]


@given(st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none()), min_size=1, max_size=5))
def test_no_csv_cell_starts_like_a_formula(cells: list[object]) -> None:
    out = io.StringIO(newline="")
    write_csv(out, [f"c{i}" for i in range(len(cells))], iter([tuple(cells)]))

    [_header, row] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    for written, cell in zip(row, cells, strict=True):
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r")) or isinstance(cell, int)
        text = "" if cell is None else str(cell)
        assert written in (text, "'" + text)  # nothing else changes


HOSTILE_NAMES = ["Clear\x1b[2J", "Clip\x1b]52;c;cm0=\x07board", "C1\x9b31m", "Bidi\u202eoverride", "Line\u2028break"]


def test_other_peoples_names_reach_a_pipe_as_data_and_a_terminal_as_text(legacy: Tm) -> None:
    ids = legacy.fake.add_public_playlists("someone", len(HOSTILE_NAMES))
    for playlist_id, name in zip(ids, HOSTILE_NAMES, strict=True):
        legacy.fake.playlists[playlist_id].name = name
    environment = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | legacy.env

    piped_csv = legacy("playlists", "someone", "--csv")
    piped_json = legacy("playlists", "someone", "--json")
    controller, terminal = pty.openpty()
    tty.setraw(terminal)  # what tm writes, byte for byte (no \n -> \r\n)
    with os.fdopen(controller, "rb", buffering=0) as screen:
        run = subprocess.run([TM, "playlists", "someone", "--csv"], env=environment, stdout=terminal, check=False)
        os.close(terminal)
        shown = b""
        while chunk := _read_available(screen):
            shown += chunk

    assert [row["name"] for row in csv.DictReader(io.StringIO(piped_csv.stdout, newline=""))] == HOSTILE_NAMES
    assert [row["name"] for row in json.loads(piped_json.stdout)] == HOSTILE_NAMES
    assert shown_safely(piped_json.stdout)
    assert run.returncode == 0
    assert shown_safely(shown.decode().replace("\r\n", "\n"))
    assert "Clear\ufffd[2J" in shown.decode()


def _read_available(screen: io.RawIOBase) -> bytes:
    """What the terminal shows, until nothing more is there (a closed terminal reads as EIO on Linux)."""
    try:
        return os.read(screen.fileno(), 65536)
    except OSError:
        return b""
