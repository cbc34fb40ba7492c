"""`tm db copy`: move a database (say, years of SQLite history) into another (say, the household's PostgreSQL).

Idempotent: rows are matched by natural keys (a snapshot by user, day and range; a play by the dedupe rule; an
imported file by its SHA-256), so a second copy adds nothing. Afterwards every table is counted per listener:
the target must hold at least what the source has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

from music_time_machine.errors import UsageError
from music_time_machine.store import Store
from music_time_machine.store.copying import PLAIN_TABLES  # in an order that satisfies the foreign keys

BATCH = 10_000
Row = TypeVar("Row", bound=tuple[object, ...])


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    added: dict[str, int]  # table -> rows the target did not have
    counts: dict[str, dict[str, tuple[int, int]]]  # listener -> table -> (source rows, target rows)

    @property
    def short(self) -> list[str]:
        """`user/table` where the target holds fewer rows than the source."""
        return [
            f"{user}/{table}"
            for user, tables in self.counts.items()
            for table, (source, target) in tables.items()
            if target < source
        ]


def _batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def copy_database(source: Store, target: Store, on_step: Callable[[str, int], None]) -> CopyReport:
    """Copy every row `target` lacks; `on_step(table, rows added)` after each table. Check `report.short`."""
    added: dict[str, int] = {}
    for table in PLAIN_TABLES:
        with target.transaction():
            added[table] = sum(
                target.copying.add_rows(table, batch) for batch in _batches(source.copying.table_rows(table))
            )
        on_step(table, added[table])
    with target.transaction():
        added["snapshots"] = sum(
            target.copying.add_snapshot(
                user_id, time_range, taken_at, taken_on, source.copying.snapshot_items(snapshot_id)
            )
            for snapshot_id, user_id, time_range, taken_at, taken_on in source.copying.snapshot_rows()
        )
    on_step("snapshots", added["snapshots"])
    with target.transaction():
        source_ids = {row[0]: target.copying.play_source_id(row) for row in source.copying.play_source_rows()}
    added["plays"] = 0
    for batch in _batches(source.copying.play_rows()):
        with target.transaction():
            added["plays"] += target.plays.insert(
                [play._replace(source_id=source_ids[play.source_id]) for play in batch]
            )
    on_step("plays", added["plays"])
    counts = {}
    for user in source.users.all():
        theirs, ours = source.copying.counts_for(user.id), target.copying.counts_for(user.id)
        counts[user.id] = {table: (theirs[table], ours[table]) for table in theirs}
    return CopyReport(source.location, target.location, added, counts)


def _same(a: Path | str, b: Path | str) -> bool:
    if isinstance(a, Path) and isinstance(b, Path):
        return a.resolve() == b.resolve()
    return a == b


def copy_to(
    source: Callable[[], Store],
    source_at: Path | str,
    target_at: Path | str,
    open_target: Callable[[Path | str], Store],
    on_step: Callable[[str, int], None],
) -> CopyReport:
    """Copy the database at `source_at` (opened by `source`) into the one at `target_at` (opened, and made if
    missing, by `open_target`)."""
    if isinstance(source_at, Path) and not source_at.is_file():
        raise UsageError(f"There is no database at {source_at} to copy.", hint="Check --db or TM_DB.")
    if _same(source_at, target_at):
        raise UsageError(f"Source and target are the same database ({source().location}).")
    target = open_target(target_at)
    try:
        return copy_database(source(), target, on_step)
    finally:
        target.close()
