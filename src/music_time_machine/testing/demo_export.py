"""The demo listener's years before `tm`: a small privacy export of the fake Spotify's own tracks.

The export is written by the shipped generator (``export_generator``) at a quiet listener's pace, a few thousand
plays a year, and the demo imports it as `tm import` does. Its tracks are the fake catalog's, the listener's
favourites of those years first, so the charts from plays share tracks, artists and albums with the snapshots.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from music_time_machine.models import Month
from music_time_machine.testing.export_generator import ExportTruth, Habits, Track, write_export
from music_time_machine.testing.export_timeline import plays_before
from music_time_machine.testing.fake_catalog import Catalog, JsonObject, month_index

EXPORT_MONTHS = 42  # whole months of plays before the month the export ends in
SEED = 1
SESSION_GAP = (8 * 3600, 40 * 3600)  # about one session a day ...
SESSION_PLAYS = (3, 15)  # ... of 9 plays: some 3,000 plays a year


def export_tracks(catalog: Catalog, user_key: str, months: Sequence[Month]) -> tuple[Track, ...]:
    """The catalog's tracks, the listener's favourites over ``months`` first (by the fake's interest model, which
    its charts rank by too); one per artist and title ignoring case, as the generator needs."""
    indexes = [month_index(str(month)) for month in months]

    def interest(track: JsonObject) -> float:
        return sum(catalog.interest(str(track["uri"]), index, user_key) for index in indexes)

    tracks: dict[tuple[str, str], Track] = {}
    for track in sorted(catalog.tracks, key=interest, reverse=True):
        artist, title = str(track["artists"][0]["name"]), str(track["name"])
        entry = Track(title, artist, str(track["album"]["name"]), str(track["uri"]), int(track["duration_ms"]))
        tracks.setdefault((artist.lower(), title.lower()), entry)
    return tuple(tracks.values())


def write_demo_export(directory: Path, catalog: Catalog, user_key: str, until: datetime) -> ExportTruth:
    """Replace ``directory`` with the listener's export of the ``EXPORT_MONTHS`` before ``until``'s month and that
    month up to ``until``."""
    start = Month.of(until).shift(-EXPORT_MONTHS)
    months = [start.shift(offset) for offset in range(EXPORT_MONTHS + 1)]
    habits = Habits(
        start=int(start.start.timestamp()),
        session_gap=SESSION_GAP,
        session_plays=SESSION_PLAYS,
        tracks=export_tracks(catalog, user_key, months),
    )
    shutil.rmtree(directory, ignore_errors=True)  # an earlier demo's files, whose names hold other years
    plays = plays_before(int(until.timestamp()), SEED, habits)
    return write_export(directory, plays=plays, seed=SEED, habits=habits)
