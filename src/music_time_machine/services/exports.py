"""tm export: a listener's snapshots or managed playlists as rows, streamed from the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from music_time_machine.models import User
from music_time_machine.store import Store


class ExportRows(NamedTuple):
    columns: list[str]
    rows: Iterator[tuple[object, ...]]  # a cursor: one row in memory at a time


def export_rows(store: Store, user: User, what: str) -> ExportRows:
    columns, rows = store.exports.rows(user.id, what)
    return ExportRows(columns, rows)
