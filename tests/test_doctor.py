"""`tm doctor`: pass / warn / fail with the fix, exit 1 on any failure; the client id masked, secrets never shown."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import CLIENT_ID, CLIENT_SECRET, Tm


def _checks(result_stdout: str) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(result_stdout)["checks"]}


def test_a_healthy_setup_passes_every_check(logged_in: Tm) -> None:
    logged_in("snapshot")
    logged_in("sync")

    result = logged_in("doctor", "--json")

    assert result.exit_code == 0, result.output
    checks = _checks(result.stdout)
    assert {name: c["status"] for name, c in checks.items() if c["status"] != "pass"} == {"plays": "warn"}
    assert checks["Spotify API"]["detail"].endswith("is allowed to use this app")
    assert checks["client id"]["detail"] == "tm-t…nt"
    assert checks["login expiry"]["detail"] == "182 days left (refresh tokens last 6 months)"
    token = logged_in.tokens.token_info()
    assert token is not None
    for secret in (CLIENT_SECRET, CLIENT_ID, token["access_token"], token["refresh_token"]):
        assert secret not in result.stdout + result.stderr


def test_a_login_about_to_expire_is_a_warning_and_an_expired_one_a_failure(logged_in: Tm) -> None:
    logged_in.now += timedelta(days=175)
    soon = _checks(logged_in("doctor", "--offline", "--json").stdout)
    logged_in.now += timedelta(days=10)
    late = logged_in("doctor", "--offline", "--json")

    assert (soon["login expiry"]["status"], soon["login expiry"]["detail"]) == (
        "warn",
        "7 days left (refresh tokens last 6 months)",
    )
    assert _checks(late.stdout)["login expiry"]["status"] == "fail"
    assert late.exit_code == 1


def test_not_logged_in_and_a_localhost_redirect_fail_with_their_fixes(tm: Tm) -> None:
    result = tm("doctor", "--json", extra_env={"SPOTIPY_REDIRECT_URI": "http://localhost:8888/callback"})

    assert result.exit_code == 1
    checks = _checks(result.stdout)
    assert (checks["login"]["status"], checks["login"]["fix"]) == ("fail", "Run `tm login`.")
    assert checks["redirect URI"]["status"] == "fail"
    assert "localhost" in checks["redirect URI"]["detail"]


def test_an_account_missing_from_the_allow_list_fails_the_api_check(logged_in: Tm) -> None:
    logged_in.fake.set_allow_listed("fake-listener", False)

    result = logged_in("doctor", "--json")

    assert result.exit_code == 1
    check = _checks(result.stdout)["Spotify API"]
    assert check["status"] == "fail"
    assert "allow-list" in check["detail"]


@pytest.mark.sqlite_only("a damaged file")
def test_a_damaged_database_is_reported_not_a_traceback(logged_in: Tm) -> None:
    logged_in.db_path.write_bytes(b"not a database at all" * 50)

    result = logged_in("doctor", "--offline", "--json")

    assert result.exit_code == 1
    assert _checks(result.stdout)["database"]["status"] == "fail"


def test_doctor_table_output(logged_in: Tm) -> None:
    result = logged_in("doctor", "--offline")

    assert result.exit_code == 0, result.output
    assert "tm doctor" in result.stdout
    assert "login expiry" in result.stdout


def test_a_listener_with_only_their_export_has_nothing_to_fail_offline(tm: Tm, tmp_path: Path) -> None:
    export = tmp_path / "Streaming_History_Audio_2024_0.json"
    export.write_text(
        json.dumps(
            [
                {
                    "ts": "2024-05-01T09:00:00Z",
                    "ms_played": 200_000,
                    "reason_end": "trackdone",
                    "master_metadata_track_name": "Song",
                    "master_metadata_album_artist_name": "Artist",
                    "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
                }
            ]
        )
    )
    no_app = {"SPOTIPY_CLIENT_ID": "", "SPOTIPY_CLIENT_SECRET": ""}
    assert tm("import", str(export), extra_env=no_app).exit_code == 0

    offline = tm("doctor", "--offline", "--json", extra_env=no_app)
    online = tm("doctor", "--json", extra_env=no_app)

    assert offline.exit_code == 0, offline.output
    statuses = {name: check["status"] for name, check in _checks(offline.stdout).items()}
    assert (statuses["client id"], statuses["login"]) == ("warn", "warn")
    assert "fail" not in statuses.values()
    assert online.exit_code == 1  # asked to check Spotify too: a missing app is a failure
    assert _checks(online.stdout)["client id"]["status"] == "fail"
