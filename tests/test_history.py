"""`tm history --month`: look back at what was captured; clear answers for empty or malformed months."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import Tm


def test_history_shows_that_months_charts(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01", "2025-03")
    tm.fake.month = "2025-01"
    expected = tm.fake.top_tracks("long_term")[0]["name"]

    result = tm("history", "--month", "2025-01", "--range", "long")

    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert "long_term" in result.stdout
    assert "short_term" not in result.stdout


def test_history_json_rows_have_the_documented_shape(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")

    rows = json.loads(tm("history", "--month", "2025-02", "--json").stdout)

    assert len(rows) == 150
    assert set(rows[0]) == {"taken_at", "time_range", "rank", "uri", "name", "artists", "album"}
    assert {row["time_range"] for row in rows} == {"short_term", "medium_term", "long_term"}
    assert [row["rank"] for row in rows if row["time_range"] == "long_term"] == list(range(1, 51))


def test_history_shows_the_latest_snapshot_per_range_unless_all(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")
    tm.now = tm.now.replace(day=20)
    assert tm("snapshot", "--range", "short").exit_code == 0

    latest = json.loads(tm("history", "--month", "2025-02", "--range", "short", "--json").stdout)
    every = json.loads(tm("history", "--month", "2025-02", "--range", "short", "--all", "--json").stdout)

    assert {row["taken_at"] for row in latest} == {"2025-02-20T12:00:00Z"}
    assert {row["taken_at"] for row in every} == {"2025-02-15T12:00:00Z", "2025-02-20T12:00:00Z"}


def test_month_without_data_names_the_nearest_months(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01", "2025-06")

    table = tm("history", "--month", "2025-03")
    as_json = tm("history", "--month", "2025-03", "--json")

    assert table.exit_code == 0
    assert "No snapshots in 2025-03. Nearest months with data: 2025-01, 2025-06." in table.stderr
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []


def test_history_works_offline_after_logout(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-01")
    tm("logout")
    tm.fake.clear_requests()

    result = tm("history", "--month", "2025-01", "--json")

    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 150
    assert tm.fake.requests == []


@pytest.mark.parametrize("month", ["2025-13", "March", "2025-3x", "2025-00", "25-03", "", "9999-12", "0000-01"])
def test_malformed_month_is_a_usage_error_on_one_line(tm: Tm, month: str) -> None:
    result = tm("history", "--month", month)

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: Invalid month {month!r}: use YYYY-MM, for example 2025-03."]


def test_names_that_look_like_markup_are_printed_verbatim(snapshot_months: Callable[..., Tm]) -> None:
    tm = snapshot_months("2025-02")
    with tm.db() as db:
        db.execute("UPDATE tracks SET name = '[/] Song [Live]'")

    result = tm("history", "--month", "2025-02", "--range", "short")

    assert result.exit_code == 0, result.output
    assert "[/] Song [Live]" in result.stdout
