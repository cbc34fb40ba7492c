"""The offline read paths search indexes: a history of years must not turn `tm history` into a table scan."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from music_time_machine.models import Month, utc_iso
from music_time_machine.store import Store, open_store
from music_time_machine.store.sqlite import SqliteBackend
from music_time_machine.testing.export_generator import write_export
from music_time_machine.testing.query_plans import full_scans, indexes_used, offline_work, query_plans

from conftest import Tm

# Each read path of the charts from plays, and the index it must search (a full scan of it fails the test anyway).
PLAYS_CHART_INDEXES = {
    "play_months_key",  # a listener's months from first to last: the sums a chart adds up
    "sqlite_autoindex_play_charts_1",  # the kept charts, by listener, range and month
    "sqlite_autoindex_play_charts_stale_1",  # which of them to compute again
    "play_months_without_uri",  # the plays without a URI (account data), which take one by name
    "play_months_by_name",  # the URIs other plays of that artist and title have
    "plays_by_user_time",  # the edge days of a window, read from plays
    "INTEGER PRIMARY KEY",  # the plays a batch stored, read back past its duplicates
}
# What an import of scrobbles reads: the plays near each day of them, with their sources.
LEDGER_INDEXES = {"plays_by_user_time"}
# tm report's sums: the plays of a span of hours, the artists of a span of months (the year's edges: plays).
REPORT_INDEXES = {"play_quarters PRIMARY KEY", "artist_months PRIMARY KEY", "plays_by_user_time"}


@pytest.mark.sqlite_only("SQLite's query planner")
def test_every_offline_read_path_searches_indexes(snapshot_months: Callable[..., Tm], tmp_path: Path) -> None:
    tm = snapshot_months("2025-01", "2025-02", "2025-03")
    write_export(tmp_path / "export", plays=3_000)
    assert tm("import", str(tmp_path / "export")).exit_code == 0
    store = open_store(tm.db_path)
    [user] = store.users.all()
    work = offline_work(store, user, Month.parse("2025-02"), tm.now, tmp_path / "export")

    plans = {name: query_plans(store, run) for name, run in work.items()}

    assert all(plans.values())  # every path ran queries, so an empty result can't pass by accident
    assert {name: full_scans(p) for name, p in plans.items()} == {name: [] for name in work}
    assert indexes_used({sql: lines for p in plans.values() for sql, lines in p.items()}) >= PLAYS_CHART_INDEXES
    assert indexes_used(plans["report"]) >= REPORT_INDEXES
    assert any("play_sources.kind IN" in sql for sql in plans["import of scrobbles of them"])  # the ledger read
    assert indexes_used(plans["import of scrobbles of them"]) >= LEDGER_INDEXES


@pytest.mark.sqlite_only("SQLite's query planner")
def test_a_full_scan_is_recognised(logged_in: Tm) -> None:
    logged_in("snapshot")
    store = open_store(logged_in.db_path)

    plans = query_plans(store, lambda: store.db.execute("SELECT count(*) FROM snapshot_items WHERE rank > 3"))

    [scan] = full_scans(plans)
    assert scan.startswith("SCAN snapshot_items")


def _vm_steps(store: Store, work: Callable[[], object]) -> int:
    """How many SQLite virtual-machine instructions `work` runs: the work its queries do, rows read included."""
    assert isinstance(store.db, SqliteBackend)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    store.db.connection.set_progress_handler(count, 1)
    try:
        work()
    finally:
        store.db.connection.set_progress_handler(None, 1)
    return steps


def _cursor_work(tm: Tm) -> tuple[int, dict[str, list[str]]]:
    """The work of sync's cursor for the listener, and its query plans."""
    store = open_store(tm.db_path)
    [user] = store.users.all()
    cursor = functools.partial(store.plays.sync_cursor, user.id, utc_iso(tm.now))
    try:
        return _vm_steps(store, cursor), query_plans(store, cursor)
    finally:
        store.close()


@pytest.mark.sqlite_only("SQLite's query planner")
def test_the_sync_cursor_reads_synced_plays_only_however_many_plays_are_imported(logged_in: Tm, tmp_path: Path) -> None:
    """With no synced play left, the cursor used to read every imported play of the listener (a million: 0.8 to
    2.3 s, each sync). It searches the sync's own plays by time: ten times the plays imported, no more work but
    for the import's files (play_sources rows)."""
    assert logged_in("sync").exit_code == 0  # Spotify has no plays: the sync's source, and nothing in it
    steps, stored = [], 0
    for seed, plays in ((1, 2_000), (2, 20_000)):
        stored += write_export(tmp_path / f"export-{seed}", plays=plays, seed=seed).stored
        assert logged_in("import", str(tmp_path / f"export-{seed}")).exit_code == 0
        work, plans = _cursor_work(logged_in)
        steps.append(work)

    assert logged_in.rows("SELECT count(*) FROM plays") == [(stored,)]  # all of them imported, none synced
    assert steps[1] - steps[0] < 1_000  # for 18,000 plays more (the old query: 150,000 steps more); a few files more
    [reads_plays] = [lines for sql, lines in plans.items() if " FROM plays " in sql]
    assert indexes_used({"cursor": reads_plays}) == {"plays_synced_by_time"}
