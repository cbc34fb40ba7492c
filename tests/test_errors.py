"""Every failure is one clear line and the right exit code; waits are visible; nothing partial is stored."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import Tm, error_lines

TOP_PATH = "/v1/me/top/tracks"


def _snapshot_count(tm: Tm) -> int:
    if isinstance(tm.database, Path) and not tm.database.exists():
        return 0
    return tm.rows("SELECT count(*) FROM snapshots")[0][0]


def test_expired_refresh_token_removes_the_login_and_says_run_tm_login(logged_in: Tm) -> None:
    logged_in.fake.expire_access_tokens()
    logged_in.fake.revoke_refresh_tokens("Refresh token expired")

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: Your Spotify login expired: refresh tokens last 6 months after you consent.",
        "Hint: Run `tm login`.",
    ]
    assert not logged_in.tokens.path.exists()
    assert _snapshot_count(logged_in) == 0


def test_expired_access_token_is_refreshed_once_and_the_run_completes(logged_in: Tm) -> None:
    logged_in.fake.expire_access_tokens()

    result = logged_in("snapshot")

    assert result.exit_code == 0, result.output
    assert logged_in.fake.count("POST", "/api/token") == 2  # the login's exchange, then one refresh
    assert _snapshot_count(logged_in) == 3


def test_user_missing_from_the_allow_list_is_explained(logged_in: Tm) -> None:
    logged_in.fake.set_allow_listed("fake-listener", False)

    result = logged_in("top")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Spotify refused: this account is not on the app's user allow-list.")
    assert "at most 5 users" in result.stderr


def test_spotifys_real_allow_list_wording_is_recognised_too(logged_in: Tm) -> None:
    message = "Check settings on developer.spotify.com/dashboard, the user may not be registered."
    logged_in.fake.fail_next(TOP_PATH, 403, body={"error": {"status": 403, "message": message}})

    result = logged_in("top")

    assert error_lines(result)[0] == "Error: Spotify refused: this account is not on the app's user allow-list."


def test_short_rate_limit_is_waited_out_visibly_then_succeeds(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": "3"})

    result = logged_in("snapshot")

    assert result.exit_code == 0, result.output
    assert "Spotify rate limit; waiting 3s before retrying." in result.stderr
    assert sum(logged_in.sleeps) == 3
    assert _snapshot_count(logged_in) == 3


def test_long_rate_limit_fails_at_once_with_the_time_to_retry(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": "7200"})

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert "Error: Spotify is rate limiting tm: retry after 2025-03-15 " in result.stderr
    assert "(in 2:00:00)" in result.stderr
    assert logged_in.sleeps == []
    assert _snapshot_count(logged_in) == 0


@pytest.mark.parametrize(
    ("retry_after", "said"),
    [
        ("100000000000000", "retry after not before 2026-03-16 "),  # 10^14 s: a year is as far as tm says
        ("9" * 5000, "(in 0:00:01)"),  # more digits than Python turns into a number: taken as no wait given
        ("Wed, 21 Oct 2026 07:28:00 GMT", "(in 0:00:01)"),
        ("-5", "(in 0:00:01)"),
    ],
)
def test_an_outlandish_retry_after_is_one_clear_line(logged_in: Tm, retry_after: str, said: str) -> None:
    for _ in range(4):  # every try is refused, so the last one's wait is told rather than waited
        logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": retry_after})

    result = logged_in("snapshot")

    assert result.exit_code == 1, result.output
    assert error_lines(result)[0].startswith("Error: Spotify is rate limiting tm: retry after ")
    assert said in result.stderr
    assert sum(logged_in.sleeps) <= 3
    assert _snapshot_count(logged_in) == 0


def test_rate_limit_wait_ceiling_comes_from_tm_max_retry_wait(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": "30"})

    result = logged_in("snapshot", extra_env={"TM_MAX_RETRY_WAIT": "10"})

    assert result.exit_code == 1
    assert "TM_MAX_RETRY_WAIT=10s" in result.stderr


def test_quota_exceeded_is_not_waited_for(logged_in: Tm) -> None:
    body = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    logged_in.fake.fail_next(TOP_PATH, 429, headers={"Retry-After": "1"}, body=body)

    result = logged_in("top")

    assert result.exit_code == 1
    assert "QUOTA_EXCEEDED" in result.stderr
    assert logged_in.sleeps == []


def test_a_burst_of_server_errors_is_retried_with_backoff(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 503, times=2)

    result = logged_in("top", "--json")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 50
    assert "Spotify answered HTTP 503; waiting 1s" in result.stderr
    assert "Spotify answered HTTP 503; waiting 2s" in result.stderr
    assert sum(logged_in.sleeps) == 3


def test_persistent_server_errors_fail_cleanly_and_are_not_called_rate_limits(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 502, times=10)

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert error_lines(result)[0].startswith("Error: Spotify is having trouble (HTTP 502")
    assert "429" not in result.stderr
    assert "rate limit" not in result.stderr
    assert logged_in.fake.count("GET", TOP_PATH) == 4
    assert _snapshot_count(logged_in) == 0


def test_unreachable_spotify_is_a_clean_failure(logged_in: Tm) -> None:
    api_url = logged_in.fake.api_url
    logged_in.fake.stop()  # connection refused from now on

    result = logged_in("top")

    assert result.exit_code == 1
    assert error_lines(result)[0] == f"Error: Cannot reach Spotify at {api_url} (ConnectionError)."
    assert sum(logged_in.sleeps) == 1 + 2 + 4


def test_the_login_is_never_sent_to_other_endpoints_than_it_came_from(logged_in: Tm) -> None:
    from music_time_machine.testing.browser import free_port

    elsewhere = f"http://127.0.0.1:{free_port()}/"

    result = logged_in("top", extra_env={"TM_SPOTIFY_ACCOUNTS_URL": elsewhere})

    assert result.exit_code == 1
    assert "tm will not send it there" in error_lines(result)[0]
    assert logged_in.tokens.path.exists()  # nothing deleted: fixing the setting is enough


def test_a_response_that_is_not_spotify_json_is_an_error_not_an_empty_chart(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 200, body={"html": "captive portal"})

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert "sent an unexpected answer" in error_lines(result)[0]
    assert _snapshot_count(logged_in) == 0


@pytest.mark.sqlite_only("SQLite's file lock")
def test_a_locked_database_is_one_clear_line(logged_in: Tm) -> None:
    logged_in("snapshot")
    blocker = sqlite3.connect(logged_in.db_path)
    blocker.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        result = logged_in("snapshot", "--force", extra_env={"TM_BUSY_TIMEOUT": "0.2"})
    finally:
        waited = time.monotonic() - started
        blocker.rollback()
        blocker.close()

    assert 0.2 <= waited < 4, "tm waits TM_BUSY_TIMEOUT for the lock, not SQLite's default"
    assert result.exit_code == 1
    assert error_lines(result) == [
        "Error: The database is busy: another tm is writing to it.",
        "Hint: Try again in a moment.",
    ]


@pytest.mark.parametrize("uri", ["http://127.0.0.1:99999/callback", "http://127.0.0.1/callback"])
def test_a_redirect_uri_without_a_usable_port_is_a_configuration_error(tm: Tm, uri: str) -> None:
    result = tm("login", "--no-browser", extra_env={"SPOTIPY_REDIRECT_URI": uri})

    assert result.exit_code == 2
    assert error_lines(result)[0] == f"Error: Redirect URI {uri} is not a loopback address with a port."


def test_localhost_redirect_uri_is_refused_with_an_explanation(tm: Tm) -> None:
    result = tm("login", "--no-browser", extra_env={"SPOTIPY_REDIRECT_URI": "http://localhost:8888/callback"})

    assert result.exit_code == 2
    assert "uses `localhost`, which Spotify no longer accepts" in result.stderr
    assert "http://127.0.0.1:8888/callback" in result.stderr


def test_missing_client_id_is_a_configuration_error(tm: Tm) -> None:
    result = tm("top", extra_env={"SPOTIPY_CLIENT_ID": ""})

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: SPOTIPY_CLIENT_ID is not set.")
    assert "tm demo" in result.stderr


@pytest.mark.parametrize("value", ["soon", "-5"])
def test_bad_max_retry_wait_is_a_configuration_error(tm: Tm, value: str) -> None:
    result = tm("history", "--month", "2025-01", extra_env={"TM_MAX_RETRY_WAIT": value})

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: TM_MAX_RETRY_WAIT must be a whole number of seconds (got {value!r})."
    ]


def test_debug_adds_the_traceback_and_hides_no_error(tm: Tm) -> None:
    plain = tm("snapshot")
    debug = tm("--debug", "snapshot")

    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.exit_code == plain.exit_code == 1


@pytest.mark.sqlite_only("PRAGMA user_version")
def test_newer_database_schema_is_refused_in_one_line(tm: Tm) -> None:
    tm.home.mkdir()
    with sqlite3.connect(tm.db_path) as connection:
        connection.execute("PRAGMA user_version = 99")

    result = tm("history", "--month", "2025-01")

    assert result.exit_code == 1
    assert "was written by a newer tm (schema 99" in result.stderr
