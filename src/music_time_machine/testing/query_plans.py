"""The SQL a piece of work runs and how SQLite plans each query: for tests and `bench/run.py` (SQLite only)."""

from __future__ import annotations

from collections.abc import Callable

from music_time_machine.store import Store
from music_time_machine.store.sqlite import SqliteBackend

BIG_TABLES = ("plays", "snapshot_items", "snapshots", "track_artists")  # they grow with years of history


def query_plans(store: Store, work: Callable[[], object]) -> dict[str, list[str]]:
    """Run `work`, then EXPLAIN QUERY PLAN every distinct query it sent: {sql: [plan lines]}."""
    assert isinstance(store.db, SqliteBackend)
    connection = store.db.connection
    sent: list[str] = []
    connection.set_trace_callback(sent.append)
    try:
        work()
    finally:
        connection.set_trace_callback(None)
    queries = [sql for sql in dict.fromkeys(sent) if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    return {sql: [row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}")] for sql in queries}


def full_scans(plans: dict[str, list[str]]) -> list[str]:
    """Plan lines that read a big table from end to end instead of searching an index."""
    return [
        line for lines in plans.values() for line in lines if line.startswith("SCAN ") and line.split()[1] in BIG_TABLES
    ]
