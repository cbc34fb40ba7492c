"""The SQL a piece of work runs and how SQLite plans each query: for tests and `bench/run.py`."""

from __future__ import annotations

from collections.abc import Callable

from music_time_machine.store import Store

BIG_TABLES = ("plays", "snapshot_items", "snapshots", "track_artists")  # they grow with years of history


def query_plans(store: Store, work: Callable[[], object]) -> dict[str, list[str]]:
    """Run `work`, then EXPLAIN QUERY PLAN every distinct query it sent: {sql: [plan lines]}."""
    sent: list[str] = []
    store.connection.set_trace_callback(sent.append)
    try:
        work()
    finally:
        store.connection.set_trace_callback(None)
    queries = [sql for sql in dict.fromkeys(sent) if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    return {sql: [row[-1] for row in store.connection.execute(f"EXPLAIN QUERY PLAN {sql}")] for sql in queries}


def full_scans(plans: dict[str, list[str]]) -> list[str]:
    """Plan lines that read a big table from end to end instead of searching an index."""
    return [
        line for lines in plans.values() for line in lines if line.startswith("SCAN ") and line.split()[1] in BIG_TABLES
    ]
