"""tm sources: the terminal table and the JSON shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.models import SourceKind
from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.sources import Sources

LABELS = {
    SourceKind.EXTENDED: "Spotify extended history",
    SourceKind.ACCOUNT: "Spotify account data",
    SourceKind.SYNC: "Spotify recently played (tm sync)",
    SourceKind.LISTENBRAINZ: "ListenBrainz",
    SourceKind.LASTFM: "Last.fm (tm import-lastfm)",
    SourceKind.LASTFM_CSV: "Last.fm CSV",
}


def sources_json(sources: Sources) -> JsonObject:
    return {
        "listener": sources.user_id,
        "plays": sources.plays,
        "sources": [
            {
                "kind": summary.kind.value,
                "stamped": summary.stamped,
                "imports": summary.imports,
                "rows_read": summary.rows_read,
                "kept": summary.kept,
                "recognised": summary.recognised,
                "first_played_at": summary.first_played_at,
                "last_played_at": summary.last_played_at,
                "last_imported_at": summary.last_imported_at,
            }
            for summary in sources.sources
        ],
    }


def show_sources(sources: Sources) -> None:
    if not sources.sources:
        message("No plays stored yet: tm import your Spotify export, ListenBrainz export or Last.fm CSV, or tm sync.")
        return
    columns = ("Source", number("Imports"), "First play", "Last play", number("Kept"), number("Recognised"))
    table = Table.of(f"Where {sources.user_id}'s {sources.plays:,} plays came from", *columns)
    for summary in sources.sources:
        first, last = (time[:10] if time else "-" for time in (summary.first_played_at, summary.last_played_at))
        imports, kept, recognised = (f"{count:,}" for count in (summary.imports, summary.kept, summary.recognised))
        table.add_row(LABELS[summary.kind], imports, first, last, kept, recognised)
    show(table)
    message(
        "Recognised: rows that were a play already known (from a richer source, or seen before), counted once.",
        "Spotify stamps when a play ended, ListenBrainz and Last.fm when it started: tm stores when it ended",
        "(the start plus the track's length).",
    )
