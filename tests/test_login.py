"""`tm login` end to end: the printed URL, our loopback listener, state checks, timeouts; logout and whoami."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from music_time_machine.config import SETTING_NAMES

from conftest import Tm, error_lines, login

TM = str(Path(sys.executable).with_name("tm"))


def _start_login(tm: Tm, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Run the installed `tm login --no-browser` and read the authorize URL it prints."""
    environment = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | tm.env
    process = subprocess.Popen(
        [TM, "login", "--no-browser", *args],
        env=environment,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=30)
    return process.returncode, stdout, stderr


def test_login_follows_the_printed_url_and_keeps_the_token_private(tm: Tm) -> None:
    process, url = _start_login(tm)
    assert url.startswith(tm.fake.accounts_url + "authorize?")
    assert requests.get(url, timeout=10).status_code == 200  # the fake consents and redirects to our listener

    code, stdout, stderr = _finish(process)

    assert code == 0, stderr
    assert stdout.strip().splitlines()[-1] == "Logged in as Fake Listener (fake-listener)"
    assert stat.S_IMODE(tm.tokens.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tm.home.stat().st_mode) == 0o700
    token = tm.tokens.token_info()
    assert token is not None
    for secret in (token["access_token"], token["refresh_token"], "tm-test-secret"):
        assert secret not in stdout + stderr
    assert tm.rows("SELECT id, display_name FROM users") == [("fake-listener", "Fake Listener")]


def test_login_asks_for_every_scope_tm_needs_with_a_state(tm: Tm) -> None:
    process, url = _start_login(tm)
    query = parse_qs(urlsplit(url).query)
    requests.get(url, timeout=10)
    _finish(process)

    assert set(query["scope"][0].split()) == {
        "user-top-read",
        "user-read-recently-played",
        "playlist-read-private",
        "playlist-modify-private",
        "playlist-modify-public",
    }
    assert len(query["state"][0]) >= 16
    assert query["redirect_uri"] == [tm.env["SPOTIPY_REDIRECT_URI"]]


def test_login_ignores_stray_requests_such_as_favicon(tm: Tm) -> None:
    process, url = _start_login(tm)
    base = tm.env["SPOTIPY_REDIRECT_URI"].rsplit("/", 1)[0]

    assert requests.get(f"{base}/favicon.ico", timeout=10).status_code == 404
    assert requests.get(tm.env["SPOTIPY_REDIRECT_URI"], timeout=10).status_code == 404  # no code: not for us
    requests.get(url, timeout=10)

    assert _finish(process)[0] == 0


def test_a_callback_with_the_wrong_state_is_refused_and_the_login_still_completes(tm: Tm) -> None:
    process, url = _start_login(tm)

    forged = requests.get(tm.env["SPOTIPY_REDIRECT_URI"] + "?code=stolen&state=forged", timeout=10)
    requests.get(url, timeout=10)
    code, _stdout, stderr = _finish(process)

    assert forged.status_code == 400
    assert code == 0, stderr
    assert tm.tokens.user() is not None


def test_only_wrong_state_callbacks_end_in_a_state_error(tm: Tm) -> None:
    process, _url = _start_login(tm, "--timeout", "2")

    requests.get(tm.env["SPOTIPY_REDIRECT_URI"] + "?code=stolen&state=forged", timeout=10)
    code, _stdout, stderr = _finish(process)

    assert code == 1
    assert "did not carry the state tm sent" in stderr
    assert not tm.tokens.path.exists()


def test_a_failed_login_keeps_the_previous_one(logged_in: Tm) -> None:
    before = logged_in.tokens.read()
    logged_in.fake.fail_next("/api/token", 500, times=1)

    process, url = _start_login(logged_in)
    requests.get(url, timeout=10)
    code, _stdout, stderr = _finish(process)

    assert code == 1
    assert "Error: Spotify did not accept the login: it answered with an error." in stderr
    assert logged_in.tokens.read() == before
    assert logged_in("snapshot").exit_code == 0


def test_login_reports_a_declined_consent(tm: Tm) -> None:
    tm.fake.deny_next_authorize()
    process, url = _start_login(tm)
    requests.get(url, timeout=10)

    code, _stdout, stderr = _finish(process)

    assert code == 1
    assert "Error: Spotify did not log you in: access_denied." in stderr


def test_login_gives_up_after_the_timeout(tm: Tm) -> None:
    result = tm("login", "--no-browser", "--timeout", "1")

    assert result.exit_code == 1
    assert result.stdout.startswith(tm.fake.accounts_url + "authorize?")
    assert error_lines(result)[0] == "Error: No answer from the browser within 1 seconds; gave up."


def test_login_on_a_busy_port_without_a_terminal_explains(tm: Tm) -> None:
    port = urlsplit(tm.env["SPOTIPY_REDIRECT_URI"]).port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = tm("login", "--no-browser")

    assert result.exit_code == 1
    assert error_lines(result)[0] == f"Error: Port {port} on 127.0.0.1 is in use, so tm cannot receive the login."


def test_login_without_a_secret_uses_pkce(tm: Tm) -> None:
    tm.env.pop("SPOTIPY_CLIENT_SECRET")

    user = login(tm)

    assert user.id == "fake-listener"
    exchange = next(r for r in tm.fake.requests if r.path == "/api/token")
    assert isinstance(exchange.body, dict)
    assert exchange.body["code_verifier"]


def test_whoami_shows_the_user_and_when_the_login_expires(logged_in: Tm) -> None:
    result = logged_in("whoami", "--json")

    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["id"] == "fake-listener"
    assert info["display_name"] == "Fake Listener"
    assert info["consented_at"] == "2025-03-15T12:00:00Z"
    assert info["login_expires_at"] == "2025-09-13T12:00:00Z"


def test_logout_forgets_the_login_and_keeps_the_data(logged_in: Tm) -> None:
    logged_in("snapshot")

    first = logged_in("logout")
    second = logged_in("logout")
    whoami = logged_in("whoami")

    assert first.exit_code == 0
    assert "Logged out" in first.stdout
    assert "Not logged in" in second.stdout
    assert whoami.exit_code == 1
    assert "Run `tm login`" in whoami.stderr
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(3,)]


def test_login_on_a_busy_port_at_a_terminal_takes_the_pasted_redirect_url(tm: Tm) -> None:
    import pty

    port = urlsplit(tm.env["SPOTIPY_REDIRECT_URI"]).port
    environment = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | tm.env | {"COLUMNS": "2000"}
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [TM, "login", "--no-browser"],
            env=environment,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
        )
        os.close(terminal)
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        redirected = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
        os.write(controller, (redirected + "\n").encode())
        stdout, _ = process.communicate(timeout=30)
        os.close(controller)

    assert process.returncode == 0
    assert stdout.strip().splitlines()[-1] == "Logged in as Fake Listener (fake-listener)"


def _import_as_local(tm: Tm, tmp_path: Path, *extra: str) -> int:
    """An export that names no account, imported before any login; returns the plays it holds."""
    rows = [
        {
            "ts": f"2024-05-0{day}T09:00:00Z",
            "ms_played": 200_000,
            "reason_end": "trackdone",
            "master_metadata_track_name": f"Song {day}",
            "master_metadata_album_artist_name": "Artist",
            "spotify_track_uri": f"spotify:track:{day:022d}",
        }
        for day in range(1, 6)
    ]
    tmp_path.mkdir(exist_ok=True)
    export = tmp_path / "Streaming_History_Audio_2024_0.json"
    export.write_text(json.dumps(rows))
    assert tm("import", str(export), *extra).exit_code == 0
    return len(rows)


def test_the_first_login_adopts_the_plays_imported_before_it(tm: Tm, tmp_path: Path) -> None:
    plays = _import_as_local(tm, tmp_path)
    tm("ban", "spotify:track:0000000000000000000001")
    process, url = _start_login(tm)
    requests.get(url, timeout=10)

    code, _stdout, stderr = _finish(process)

    assert code == 0, stderr
    assert f"({plays:,}) are now Fake Listener (fake-listener)'s" in stderr
    assert tm.rows("SELECT id FROM users") == [("fake-listener",)]
    assert tm.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id") == [("fake-listener", plays)]
    assert tm.rows("SELECT user_id, count(*) FROM play_sources GROUP BY user_id") == [("fake-listener", 1)]
    assert tm.rows("SELECT user_id FROM track_rules") == [("fake-listener",)]
    assert _import_as_local(tm, tmp_path) == plays  # the same file again: already imported, nothing doubles
    assert tm.rows("SELECT count(*) FROM plays") == [(plays,)]


def test_a_login_moves_nothing_when_the_database_holds_other_listeners(tm: Tm, tmp_path: Path) -> None:
    plays = _import_as_local(tm, tmp_path)
    _import_as_local(tm, tmp_path / "housemate", "--user", "housemate")
    process, url = _start_login(tm)
    requests.get(url, timeout=10)

    code, _stdout, stderr = _finish(process)

    assert code == 0, stderr
    assert "are now" not in stderr
    assert tm.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id ORDER BY user_id") == [
        ("housemate", plays),
        ("local", plays),
    ]
    hints = [line for line in stderr.splitlines() if "tm db adopt" in line]
    assert [hint.split("`")[1] for hint in hints] == [
        "tm db adopt housemate --into fake-listener",
        "tm db adopt local --into fake-listener",
    ]

    adopted = tm("db", "adopt", "local", "--into", "fake-listener", "--json")

    assert adopted.exit_code == 0, adopted.output
    assert json.loads(adopted.stdout)["plays"] == plays
    assert tm.rows("SELECT id FROM users ORDER BY id") == [("fake-listener",), ("housemate",)]
    assert tm.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id ORDER BY user_id") == [
        ("fake-listener", plays),
        ("housemate", plays),
    ]
    assert tm.rows("SELECT user_id, sum(plays) FROM play_months GROUP BY user_id ORDER BY user_id") == [
        ("fake-listener", plays),
        ("housemate", plays),
    ]


def test_adopting_names_the_listeners_there_are(tm: Tm, tmp_path: Path) -> None:
    _import_as_local(tm, tmp_path)

    for args in (["nobody", "--into", "local"], ["local", "--into", "nobody"], ["local", "--into", "local"]):
        result = tm("db", "adopt", *args)
        assert result.exit_code == 2, result.output
        assert "local" in result.stderr
    assert tm.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id") == [("local", 5)]
