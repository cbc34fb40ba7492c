"""Managed playlists: one per source, found by its stored id, updated in place, written only on change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from music_time_machine.errors import NotFound, NotYours
from music_time_machine.models import ManagedPlaylist, Track, User, utc_iso
from music_time_machine.services.spotify_protocols import PlaylistWriter
from music_time_machine.store import Store

MARKER = "Managed by tm, the Music Time Machine"


@dataclass(frozen=True)
class PlaylistSync:
    kind: str
    name: str
    playlist_id: str | None
    track_count: int
    added: list[str]
    removed: list[str]
    created: bool
    written: bool
    dry_run: bool


def _current_items(spotify: PlaylistWriter, stored: ManagedPlaylist | None) -> list[str] | None:
    """The playlist's items, or None when there is no playlist of ours any more (never made, deleted, gone,
    or no longer ours: then a new one is made and its id stored)."""
    if stored is None:
        return None
    try:
        if not spotify.follows_playlist(stored.playlist_id):
            return None
        return spotify.playlist_uris(stored.playlist_id)
    except (NotFound, NotYours):
        return None


def marker(kind: str) -> str:
    """Written into the description, so the playlist can be found again if the database is lost."""
    return f"{MARKER} ({kind})"


def _recovered(spotify: PlaylistWriter, user: User, kind: str, name: str, now: datetime) -> ManagedPlaylist | None:
    playlist_id = spotify.find_playlist(marker(kind))
    return ManagedPlaylist(user.id, kind, playlist_id, name, 0, utc_iso(now)) if playlist_id else None


def sync_managed_playlist(
    store: Store,
    spotify: PlaylistWriter,
    user: User,
    *,
    kind: str,
    name: str,
    description: str,
    tracks: list[Track],
    now: datetime,
    dry_run: bool = False,
    public: bool = False,
) -> PlaylistSync:
    desired = [track.uri for track in tracks]
    stored = store.playlists.get(user.id, kind) or _recovered(spotify, user, kind, name, now)
    current = _current_items(spotify, stored)
    before = current or []
    before_set, desired_set = set(before), set(desired)
    added = [uri for uri in desired if uri not in before_set]
    removed = [uri for uri in before if uri not in desired_set]
    existing = stored if current is not None else None  # None: a new playlist is made
    if dry_run:
        return PlaylistSync(
            kind,
            name,
            existing.playlist_id if existing is not None else None,
            len(desired),
            added,
            removed,
            created=False,
            written=False,
            dry_run=True,
        )

    def remember(playlist_id: str) -> None:
        store.users.upsert(user, utc_iso(now))
        store.playlists.save(ManagedPlaylist(user.id, kind, playlist_id, name, len(desired), utc_iso(now)))

    if existing is not None:
        playlist_id = existing.playlist_id
        renamed = existing.name != name
        if renamed:
            spotify.rename_playlist(playlist_id, name)
    else:
        playlist_id = spotify.create_playlist(name, f"{description} · {marker(kind)}", public=public).id
        remember(playlist_id)  # before writing items: a failed write must not orphan the new playlist
        renamed = False
    if before != desired:
        spotify.replace_playlist_items(playlist_id, desired)
    remember(playlist_id)
    return PlaylistSync(
        kind,
        name,
        playlist_id,
        len(desired),
        added,
        removed,
        created=existing is None,
        written=renamed or before != desired,
        dry_run=False,
    )
