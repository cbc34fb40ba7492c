"""`tm snapshot`: one complete snapshot per user, UTC day and range; all or nothing."""

from __future__ import annotations

import json

import pytest

from conftest import Tm, error_lines

TOP_PATH = "/v1/me/top/tracks"


def test_snapshot_stores_fifty_tracks_per_range_with_artists_and_raw_json(logged_in: Tm) -> None:
    result = logged_in("snapshot", "--json")

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body == {
        "user": "fake-listener",
        "taken_at": "2025-03-15T12:00:00Z",
        "ranges": {"short_term": 50, "medium_term": 50, "long_term": 50},
        "created": True,
    }
    stored = logged_in.rows(
        "SELECT time_range, count(*) FROM snapshots JOIN snapshot_items ON id = snapshot_id "
        "GROUP BY time_range ORDER BY time_range"
    )
    assert stored == [("long_term", 50), ("medium_term", 50), ("short_term", 50)]
    expected = logged_in.fake.top_tracks("short_term")
    first = logged_in.rows(
        "SELECT t.uri, t.name, t.isrc, t.raw_json FROM snapshots s "
        "JOIN snapshot_items i ON s.id = i.snapshot_id JOIN tracks t ON t.uri = i.track_uri "
        "WHERE s.time_range = 'short_term' AND i.rank = 1"
    )[0]
    assert first[:3] == (expected[0]["uri"], expected[0]["name"], expected[0]["external_ids"]["isrc"])
    assert json.loads(first[3]) == expected[0]  # text on both (JSONB on PostgreSQL)
    artists = logged_in.rows(
        "SELECT a.name FROM track_artists ta JOIN artists a ON a.uri = ta.artist_uri "
        "WHERE ta.track_uri = ? ORDER BY ta.position",
        expected[0]["uri"],
    )
    assert [row[0] for row in artists] == [artist["name"] for artist in expected[0]["artists"]]


def test_snapshot_uses_three_top_track_requests_and_no_profile_lookup(logged_in: Tm) -> None:
    logged_in.fake.clear_requests()

    assert logged_in("snapshot").exit_code == 0

    assert logged_in.fake.count("GET", TOP_PATH) == 3
    assert logged_in.fake.count("GET", "/v1/me/") == 3  # only the three top-track calls


def test_second_snapshot_same_day_changes_nothing_and_fetches_nothing(logged_in: Tm) -> None:
    logged_in("snapshot")
    logged_in.fake.clear_requests()

    result = logged_in("snapshot", "--json")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["created"] is False
    assert "already exists" in result.stderr
    assert logged_in.fake.count("GET", TOP_PATH) == 0
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(3,)]


def test_force_replaces_todays_snapshot(logged_in: Tm) -> None:
    logged_in("snapshot")
    logged_in.fake.month = "2025-09"  # Spotify's charts moved on, same day for us

    result = logged_in("snapshot", "--force", "--range", "short")

    assert result.exit_code == 0, result.output
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(3,)]
    top = logged_in.rows(
        "SELECT i.track_uri FROM snapshots s JOIN snapshot_items i ON s.id = i.snapshot_id "
        "WHERE s.time_range = 'short_term' AND i.rank = 1"
    )
    assert top == [(logged_in.fake.top_tracks("short_term")[0]["uri"],)]


def test_snapshots_in_different_months_are_kept_apart(logged_in: Tm) -> None:
    for month in ("2025-01", "2025-02", "2025-03"):
        assert logged_in.at(month)("snapshot").exit_code == 0

    months = logged_in.rows("SELECT substr(taken_at, 1, 7), count(*) FROM snapshots GROUP BY 1 ORDER BY 1")
    assert months == [("2025-01", 3), ("2025-02", 3), ("2025-03", 3)]


def test_failure_on_the_last_range_leaves_no_partial_snapshot(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 403, after=2, body={"error": {"status": 403, "message": "Forbidden"}})

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert "403" in result.stderr
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(0,)]
    assert logged_in.rows("SELECT count(*) FROM snapshot_items") == [(0,)]


def test_ctrl_c_during_a_wait_exits_130_and_keeps_nothing(logged_in: Tm) -> None:
    logged_in.fake.fail_next(TOP_PATH, 429, after=2, headers={"Retry-After": "5"})

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    logged_in.sleeper = interrupt

    result = logged_in("snapshot")

    assert result.exit_code == 130
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(0,)]


@pytest.mark.sqlite_only("a SQLite trigger makes the failure; test_store covers PostgreSQL's rollback")
def test_a_database_failure_in_the_middle_of_saving_rolls_the_whole_snapshot_back(logged_in: Tm) -> None:
    logged_in("history", "--month", "2025-03")  # creates the database
    with logged_in.db() as db:  # fail on the very last row the snapshot writes
        db.execute(
            "CREATE TRIGGER fail_late BEFORE INSERT ON snapshot_items "
            "WHEN NEW.rank = 50 AND (SELECT time_range FROM snapshots WHERE id = NEW.snapshot_id) = 'long_term' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )

    result = logged_in("snapshot")

    assert result.exit_code == 1
    assert error_lines(result)[0] == "Error: Database error: disk on fire."
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(0,)]
    assert logged_in.rows("SELECT count(*) FROM snapshot_items") == [(0,)]
    assert logged_in.rows("SELECT count(*) FROM tracks") == [(0,)]


@pytest.mark.parametrize("args", [["snapshot"], ["snapshot", "--json"]])
def test_snapshot_without_login_says_run_tm_login(tm: Tm, args: list[str]) -> None:
    result = tm(*args)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: You are not logged in to Spotify.", "Hint: Run `tm login`."]
