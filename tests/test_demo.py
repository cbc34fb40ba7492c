"""`tm demo`: the whole product offline, then explorable with the ordinary offline commands."""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from plays_oracle import stored_plays

from conftest import Tm

pytestmark = pytest.mark.sqlite_only("every demo writes its own SQLite file (--db); a PostgreSQL run repeats it")
SYNCED = "s.kind = 'recently-played'"


def db_count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


def plays_per_month(path: Path, which: str) -> Counter[str]:
    """Stored plays per month, of the synced (SYNCED) or the imported (NOT SYNCED) ones."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT substr(p.played_at, 1, 7), count(*) FROM plays p JOIN play_sources s ON s.id = p.source_id "
            f"WHERE {which} GROUP BY 1"
        ).fetchall()
    return Counter(dict(rows))


def try_next(stderr: str) -> list[list[str]]:
    """The arguments of each command the demo suggests, without the `tm` and any `| head`."""
    suggested = stderr.partition("Try next (all offline):\n")[2]
    return [shlex.split(line.partition(" | ")[0])[1:] for line in suggested.splitlines() if line.startswith("  tm ")]


def test_demo_builds_a_database_of_monthly_snapshots_plays_and_a_gems_playlist(tm: Tm, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.sqlite3"

    result = tm("demo", "--months", "6", "--db", str(demo_db))

    assert result.exit_code == 0, result.output
    with sqlite3.connect(demo_db) as db:
        months = db.execute("SELECT substr(taken_at, 1, 7), count(*) FROM snapshots GROUP BY 1 ORDER BY 1").fetchall()
        playlists = db.execute("SELECT kind, track_count FROM managed_playlists").fetchall()
    assert months == [(m, 3) for m in ("2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03")]
    assert plays_per_month(demo_db, SYNCED) == {month: 45 for month, _ in months}  # none missed
    assert len(playlists) == 1
    assert playlists[0][0] == "gems"
    assert playlists[0][1] > 0
    assert f"tm history --month 2025-01 --db {demo_db}" in result.stderr
    assert not tm.tokens.path.exists()  # the demo never touches your real login
    pages = [Path(line.strip()) for line in result.stderr.partition("Pages (open them in your browser):\n")[2].split()]
    assert [page.name for page in pages] == ["demo-wrapped-2024.html", "demo-report.html"]  # the clock: 2025-03
    wrapped, report = (page.read_text(encoding="utf-8") for page in pages)
    assert "<title>Your 2024 in music</title>" in wrapped
    assert 'id="clock"' in wrapped
    assert all(f'<figure id="{chart}"' in report for chart in ("years", "bump", "stream", "calendar", "clock"))


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
    before = db_count(demo_db, "SELECT count(*) FROM plays")
    again = tm("demo", "--months", "2", "--db", str(demo_db))

    assert again.exit_code == 0, again.output
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT count(*) FROM snapshots").fetchone() == (6,)
        assert db.execute("SELECT count(*) FROM plays").fetchone() == (before,)  # the same export, not again
    assert plays_per_month(demo_db, SYNCED).total() == 2 * 45


def test_demo_imports_years_of_a_privacy_export_of_the_fakes_tracks(tm: Tm, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.sqlite3"

    result = tm("demo", "--months", "6", "--db", str(demo_db))

    assert result.exit_code == 0, result.output
    export = tm.home / "demo-export"
    assert f"written to {export} and imported" in result.stderr
    expected = stored_plays([[export]])
    per_month = Counter(play.played_at[:7] for play in expected)
    assert plays_per_month(demo_db, f"NOT {SYNCED}") == per_month
    assert (min(per_month), max(per_month)) == ("2021-04", "2024-10")  # 3.5 years, into the first snapshot month
    assert 2_000 < len(expected) / 3.5 < 5_000  # a quiet listener: a few thousand plays a year
    catalog_uris = {track["uri"] for track in tm.fake.catalog.tracks}
    assert {play.uri for play in expected if play.uri} <= catalog_uris


def test_every_command_the_demo_suggests_runs_offline_on_its_data(tm: Tm, tmp_path: Path) -> None:
    demo_db = str(tmp_path / "demo.sqlite3")
    suggested = try_next(tm("demo", "--months", "6", "--db", demo_db).stderr)
    tm.fake.clear_requests()
    track_names = {str(track["name"]) for track in tm.fake.catalog.tracks}

    results = {" ".join(command): tm(*command) for command in suggested}

    assert "evolution --source plays --db " + demo_db in results
    compare = next(command for command in suggested if command[0] == "compare")
    assert compare[1:3] == ["2022-04", "2025-03"]  # a year into the export, against the last snapshot month
    for command, result in results.items():
        assert result.exit_code == 0, (command, result.output)
        assert any(name in result.stdout for name in track_names), (command, result.stdout)
    assert "2021-05" in results["evolution --source plays --db " + demo_db].stdout  # the export's months
    assert tm.fake.requests == []
