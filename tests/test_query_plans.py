"""The offline read paths search indexes: a history of years must not turn `tm history` into a table scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from music_time_machine.models import Month, TimeRange
from music_time_machine.services.gems import gems_from_plays
from music_time_machine.services.history import month_history
from music_time_machine.services.month_charts import charts_between
from music_time_machine.services.on_this_day import on_this_day
from music_time_machine.services.rank_vs_plays import rank_vs_plays
from music_time_machine.store import open_store
from music_time_machine.testing.export_generator import write_export
from music_time_machine.testing.query_plans import full_scans, query_plans

from conftest import Tm


@pytest.mark.sqlite_only("SQLite's query planner")
def test_history_evolution_gems_and_plays_queries_use_indexes(
    snapshot_months: Callable[..., Tm], tmp_path: Path
) -> None:
    tm = snapshot_months("2025-01", "2025-02", "2025-03")
    write_export(tmp_path / "export", plays=3_000)
    assert tm("import", str(tmp_path / "export")).exit_code == 0
    store = open_store(tm.db_path)
    [user] = store.users.all()
    work = {
        "history": lambda: month_history(store, user.id, Month.parse("2025-02"), list(TimeRange)),
        "evolution": lambda: charts_between(store, user.id, TimeRange.SHORT, None, None, 50),
        "gems --from-history": lambda: gems_from_plays(store, user, tm.now),
        "on-this-day": lambda: on_this_day(store, user.id, date(2025, 3, 15), [1, 5]),
        "rank-vs-plays": lambda: rank_vs_plays(store, user.id, TimeRange.MEDIUM),
    }

    plans = {name: query_plans(store, run) for name, run in work.items()}

    assert all(plans.values())  # every path ran queries, so an empty result can't pass by accident
    assert {name: full_scans(p) for name, p in plans.items()} == {name: [] for name in work}


@pytest.mark.sqlite_only("SQLite's query planner")
def test_a_full_scan_is_recognised(logged_in: Tm) -> None:
    logged_in("snapshot")
    store = open_store(logged_in.db_path)

    plans = query_plans(store, lambda: store.db.execute("SELECT count(*) FROM snapshot_items WHERE rank > 3"))

    [scan] = full_scans(plans)
    assert scan.startswith("SCAN snapshot_items")
