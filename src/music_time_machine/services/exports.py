"""tm export: a listener's snapshots (or the charts of their plays) or managed playlists as rows, streamed from
the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from music_time_machine.models import ChartsFrom, Month, TimeRange, User
from music_time_machine.services.chart_source import choose_source
from music_time_machine.services.play_charts import chart_taken_at, plays_months, refresh_play_charts
from music_time_machine.store import Store


class ExportRows(NamedTuple):
    columns: list[str]
    rows: Iterator[tuple[object, ...]]  # a cursor: one row in memory at a time
    source: ChartsFrom | None = None  # snapshots: which charts


def _at_month_end(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    """Plays chart rows with their month replaced by the chart's time, the end of its window."""
    for time_range, month, *rest in rows:
        yield (time_range, chart_taken_at(Month.parse(str(month))), *rest)


def export_rows(store: Store, user: User, what: str, charts_from: ChartsFrom | None = None) -> ExportRows:
    """`playlists`, or `snapshots`: every chart position of Spotify's charts or (`charts_from` plays; by default
    when there are no snapshots) of the charts of plays, every month and range, computed first where needed."""
    if what != "snapshots":
        return ExportRows(*store.exports.rows(user.id, what))
    source = choose_source(store, user.id, charts_from)
    if source is ChartsFrom.SPOTIFY:
        return ExportRows(*store.exports.rows(user.id, what), source)
    months = plays_months(store, user.id)
    if months:
        for time_range in TimeRange:
            refresh_play_charts(store, user.id, time_range, months[0], months[-1])
    columns, rows = store.exports.rows(user.id, "play_charts")
    return ExportRows(columns, _at_month_end(rows), source)
