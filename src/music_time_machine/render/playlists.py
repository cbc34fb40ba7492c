"""Managed playlists (what changed, which ones), bans and pins, and browsing anyone's playlists."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from music_time_machine.printable import printable
from music_time_machine.render.console import JsonObject, line, message
from music_time_machine.render.streaming import write_csv, write_json
from music_time_machine.render.tables import Table, show

if TYPE_CHECKING:
    from music_time_machine.models import ManagedPlaylist
    from music_time_machine.services.playlist_sources import SourcePlaylist
    from music_time_machine.services.playlists import PlaylistSync, RuleChange


def playlist_sync_json(sync: PlaylistSync) -> JsonObject:
    return {
        "source": sync.source,
        "name": sync.name,
        "playlist_id": sync.playlist_id,
        "track_count": sync.track_count,
        "added": sync.added,
        "removed": sync.removed,
        "created": sync.created,
        "written": sync.written,
        "dry_run": sync.dry_run,
    }


def source_playlist_json(result: SourcePlaylist) -> JsonObject:
    """A playlist sync, and the charts its tracks came from."""
    return {
        **playlist_sync_json(result.sync),
        "chart_source": result.charts_from.value,
        "chart_month": str(result.month) if result.month else None,
    }


def show_playlist_sync(sync: PlaylistSync) -> None:
    """The +added/-removed diff and what was done, on stderr."""
    for uri in sync.added:
        message(f"  + {sync.names.get(uri, uri)}")
    for uri in sync.removed:
        message(f"  - {sync.names.get(uri, uri)}")
    change = f"+{len(sync.added)} / -{len(sync.removed)}"
    if sync.dry_run:
        action = "would update" if sync.playlist_id else "would create"
        message(f"Dry run: {action} playlist {sync.name!r} ({sync.track_count} tracks, {change}); nothing written.")
    elif sync.created:
        message(f"Created playlist {sync.name!r} ({sync.track_count} tracks), id {sync.playlist_id}.")
    elif sync.written:
        message(f"Updated playlist {sync.name!r} in place ({sync.track_count} tracks, {change}).")
    else:
        message(f"Playlist {sync.name!r} is already up to date ({sync.track_count} tracks); nothing written.")


def managed_playlists_json(playlists: list[ManagedPlaylist]) -> list[JsonObject]:
    return [
        {
            "kind": p.source,  # "kind" in JSON since it shipped (README)
            "playlist_id": p.playlist_id,
            "name": p.name,
            "track_count": p.track_count,
            "updated_at": p.updated_at,
        }
        for p in playlists
    ]


def show_managed_playlists(playlists: list[ManagedPlaylist]) -> None:
    for p in playlists:
        line(f"{p.source:<20} {p.name:<30} {p.track_count:>4} tracks  updated {p.updated_at}  id {p.playlist_id}")
    if not playlists:
        message("No managed playlists yet: try `tm playlist rotation` or `tm gems --create-playlist`.")


def show_rule_change(change: RuleChange) -> None:
    where = "every generated playlist" if change.source is None else f"the {change.source} playlist"
    verbs = {
        ("ban", True): "banned from",
        ("ban", False): "no longer banned from",
        ("pin", True): "pinned in",
        ("pin", False): "no longer pinned in",
    }
    verb = verbs[(change.rule, change.add)]
    line(f"{change.uri} {verb} {where}." if change.changed else f"Nothing to change: {change.uri} was already so.")


def _shown(cell: object) -> object:
    return printable(cell) if isinstance(cell, str) else cell


def show_rows(title: str, columns: list[str], rows: Iterator[tuple[object, ...]], as_json: bool, as_csv: bool) -> None:
    """Rows as a table, or streamed to stdout as a JSON array or as CSV (header row first) of the same columns."""
    if as_json:
        write_json(sys.stdout, columns, rows)
        return
    if as_csv:  # a pipe gets the names as they are; a terminal shows them and does not obey them
        shown = (tuple(map(_shown, row)) for row in rows) if sys.stdout.isatty() else rows
        write_csv(sys.stdout, columns, shown)
        return
    table = Table.of(title, *columns)
    for row in rows:
        table.add_row(*row)
    show(table)
