"""`tm demo`: the whole product offline, then explorable with the ordinary offline commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import Tm


def db_count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


def test_demo_builds_a_database_of_monthly_snapshots_plays_and_a_gems_playlist(tm: Tm, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.sqlite3"

    result = tm("demo", "--months", "6", "--db", str(demo_db))

    assert result.exit_code == 0, result.output
    with sqlite3.connect(demo_db) as db:
        months = db.execute("SELECT substr(taken_at, 1, 7), count(*) FROM snapshots GROUP BY 1 ORDER BY 1").fetchall()
        playlists = db.execute("SELECT kind, track_count FROM managed_playlists").fetchall()
    assert months == [(m, 3) for m in ("2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03")]
    assert db_count(demo_db, "SELECT count(*) FROM plays") == 6 * 45  # synced each month, none missed
    assert len(playlists) == 1
    assert playlists[0][0] == "gems"
    assert playlists[0][1] > 0
    assert f"tm history --month 2025-01 --db {demo_db}" in result.stderr
    assert not tm.tokens.path.exists()  # the demo never touches your real login


def test_demo_data_is_explorable_offline_with_history_and_gems(tm: Tm, tmp_path: Path) -> None:
    demo_db = str(tmp_path / "demo.sqlite3")
    tm("demo", "--months", "3", "--db", demo_db)
    tm.fake.clear_requests()

    history = tm("history", "--month", "2025-02", "--json", "--db", demo_db)
    gems = tm("gems", "--json", "--db", demo_db)

    assert history.exit_code == 0, history.output
    assert len(json.loads(history.stdout)["charts"]) == 150
    assert gems.exit_code == 0, gems.output
    assert json.loads(gems.stdout)
    assert tm.fake.requests == []


def test_demo_twice_keeps_one_snapshot_per_month(tm: Tm, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.sqlite3"

    tm("demo", "--months", "2", "--db", str(demo_db))
    again = tm("demo", "--months", "2", "--db", str(demo_db))

    assert again.exit_code == 0, again.output
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT count(*) FROM snapshots").fetchone() == (6,)
        assert db.execute("SELECT count(*) FROM plays").fetchone() == (2 * 45,)
