"""The SQL a piece of work runs and how SQLite plans each query: for tests and `bench/run.py` (SQLite only)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from music_time_machine.models import ChartsFrom, Month, TimeRange, User
from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.privacy_export.jsonstream import iter_json_array
from music_time_machine.services.gems import gems_from_plays
from music_time_machine.services.history import month_history
from music_time_machine.services.importer import import_history
from music_time_machine.services.month_charts import charts_between
from music_time_machine.services.on_this_day import on_this_day
from music_time_machine.services.rank_vs_plays import rank_vs_plays
from music_time_machine.services.report import listening_report
from music_time_machine.store import Store
from music_time_machine.store.sqlite import SqliteBackend

# They grow with years of history (play_months a third as many rows as plays; the charts 150 rows a month).
BIG_TABLES = (
    "plays",
    "snapshot_items",
    "snapshots",
    "track_artists",
    "play_months",
    "play_charts",
    "play_charts_stale",
    "play_quarters",
    "artist_months",
)
_INDEX = re.compile(r"USING (?:COVERING )?INDEX (\w+)|USING (INTEGER PRIMARY KEY)|(\w+ )USING (PRIMARY KEY)")


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


def indexes_used(plans: dict[str, list[str]]) -> set[str]:
    """The indexes the plans search (INTEGER PRIMARY KEY: by rowid; "table PRIMARY KEY": a WITHOUT ROWID table's)."""
    return {"".join(found) for lines in plans.values() for line in lines for found in _INDEX.findall(line)}


Work = Callable[[], object]


def offline_work(store: Store, user: User, month: Month, now: datetime, export: Path) -> dict[str, Work]:
    """What the offline commands ask of the store, by command, for a listener with snapshots and plays imported
    from `export` (the last: a dry-run import of plays already stored, with account data among them)."""
    ranges = list(TimeRange)
    return {
        "history": lambda: month_history(store, user.id, month, ranges),
        "history --source plays": lambda: month_history(store, user.id, month, ranges, source=ChartsFrom.PLAYS),
        "evolution": lambda: charts_between(store, user.id, TimeRange.SHORT, None, None, 50),
        "evolution --source plays": lambda: charts_between(
            store, user.id, TimeRange.SHORT, None, None, 50, ChartsFrom.PLAYS
        ),
        "gems --from-history": lambda: gems_from_plays(store, user, now),
        "on-this-day": lambda: on_this_day(store, user.id, now.date(), [1, 5]),
        "rank-vs-plays": lambda: rank_vs_plays(store, user.id, TimeRange.MEDIUM),
        "report": lambda: listening_report(store, user, ZoneInfo("Asia/Kathmandu"), None, None, None, now),
        "import of plays stored before": lambda: import_history(store, user, [_seen_again(export)], now, dry_run=True),
        "import of scrobbles of them": lambda: import_history(store, user, [_scrobbled(export)], now, dry_run=True),
    }


def _first_rows(export: Path, rows: int) -> list[object]:
    with sorted(export.glob("Streaming_History_Audio_*.json"))[0].open() as handle:
        return list(islice(iter_json_array(handle), rows))


def _seen_again(export: Path, rows: int = 500) -> ExportFile:
    """The first rows of the export's first audio file, as a file of their own (so not skipped as imported)."""
    data = json.dumps(_first_rows(export, rows)).encode()
    return ExportFile("seen-again.json", len(data), lambda: io.BytesIO(data))


def _scrobbled(export: Path, rows: int = 500) -> ExportFile:
    """The same plays as a scrobbler's CSV: each met by the ledger against the plays near it."""
    lines = ["uts,artist,album,track"]
    for row in _first_rows(export, rows):
        if (
            isinstance(row, dict)
            and row.get("master_metadata_track_name")
            and row.get("master_metadata_album_artist_name")
        ):
            start = int(datetime.fromisoformat(row["ts"]).timestamp()) - row["ms_played"] // 1000
            names = (row["master_metadata_album_artist_name"], "", row["master_metadata_track_name"])
            lines.append(f"{start}," + ",".join(f'"{name.replace(chr(34), chr(34) * 2)}"' for name in names))
    data = "\n".join(lines).encode()
    return ExportFile("scrobbled.csv", len(data), lambda: io.BytesIO(data))
