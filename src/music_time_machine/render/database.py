"""tm db copy and tm export: the database as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Styled, Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.adopt import Adoption
    from music_time_machine.services.db_copy import CopyReport


def copy_json(report: CopyReport) -> JsonObject:
    return {
        "source": report.source,
        "target": report.target,
        "added": report.added,
        "counts": {
            user: {table: {"source": source, "target": target} for table, (source, target) in tables.items()}
            for user, tables in report.counts.items()
        },
    }


def show_copy_step(table: str, added: int) -> None:
    message(f"{table}: +{added:,}")


def show_copy(report: CopyReport) -> None:
    columns = ("Listener", "Table", number("Source"), number("Target"), "")
    table = Table.of(f"Copied {report.source} → {report.target}", *columns)
    for user, tables in report.counts.items():
        for name, (source, target) in tables.items():
            table.add_row(user, name, source, target, "ok" if target >= source else Styled("SHORT", "red"))
    show(table)


def show_export_written(count: int, out: Path) -> None:
    message(f"Wrote {count} rows to {out}.")


def adoption_json(adoption: Adoption) -> JsonObject:
    return {
        "from": adoption.old_id,
        "into": adoption.into.id,
        "plays": adoption.plays,
        "duplicates": adoption.duplicates,
        "moved": adoption.moved,
    }


def show_adoption(adoption: Adoption) -> None:
    moved = ", ".join(f"{count:,} {table.replace('_', ' ')}" for table, count in adoption.moved.items())
    message(
        f"{adoption.old_id}'s data is now {adoption.into.label}'s: {adoption.plays:,} plays "
        f"({adoption.duplicates:,} they already had), {moved}; {adoption.old_id!r} is gone."
    )
