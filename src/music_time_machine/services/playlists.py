"""Managed playlists: one per source, found by its stored id, updated in place, written only on change."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from music_time_machine.errors import NotFound, NotYours
from music_time_machine.models import Artist, ManagedPlaylist, PlayCount, Track, User, utc_iso
from music_time_machine.services.spotify_protocols import PlaylistWriter
from music_time_machine.store import Store
from music_time_machine.store.rules import ALL_SOURCES

MARKER = "Managed by tm, the Music Time Machine"


@dataclass(frozen=True)
class PlaylistSync:
    source: str
    name: str
    playlist_id: str | None
    track_count: int
    added: list[str]
    removed: list[str]
    created: bool
    written: bool
    dry_run: bool
    names: dict[str, str] = field(default_factory=dict, compare=False)  # "title — artists" of added/removed URIs


@dataclass(frozen=True)
class PlaylistRequest:
    """Which managed playlist to keep in step, and how."""

    source: str  # the source that owns it: gems, rotation, month-2025-03, top-short_term, …
    name: str
    description: str
    dry_run: bool = False
    public: bool = False
    limit: int | None = None  # at most this many of the source's tracks (pins come on top)


def _current_items(spotify: PlaylistWriter, stored: ManagedPlaylist | None) -> list[str] | None:
    """The playlist's items, or None when Spotify says there is no playlist of ours any more (never made, deleted,
    gone, or no longer ours: then a new one is made and its id stored). A check that fails raises: no duplicate."""
    if stored is None or not spotify.follows_playlist(stored.playlist_id):
        return None
    try:
        return spotify.playlist_uris(stored.playlist_id)
    except (NotFound, NotYours):  # about this playlist: /playlists/{id}/items answered 404 or 403
        return None


@dataclass(frozen=True)
class PlaylistOptions:
    """How the listener wants a source's playlist kept (all optional on the command line)."""

    name: str | None = None  # None: the source's default name
    limit: int | None = None
    dry_run: bool = False
    public: bool = False

    def request(self, kind: str, default_name: str, description: str) -> PlaylistRequest:
        return PlaylistRequest(kind, self.name or default_name, description, self.dry_run, self.public, self.limit)


def marker(source: str) -> str:
    """Written into the description, so the playlist can be found again if the database is lost."""
    return f"{MARKER} ({source})"


def _recovered(spotify: PlaylistWriter, user: User, source: str, name: str, now: datetime) -> ManagedPlaylist | None:
    playlist_id = spotify.find_playlist(marker(source), user.id)
    return ManagedPlaylist(user.id, source, playlist_id, name, 0, utc_iso(now)) if playlist_id else None


def sync_managed_playlist(
    store: Store,
    spotify: PlaylistWriter,
    user: User,
    *,
    source: str,
    name: str,
    description: str,
    tracks: list[Track],
    now: datetime,
    dry_run: bool = False,
    public: bool = False,
) -> PlaylistSync:
    desired = [track.uri for track in tracks if track.uri]
    stored = store.playlists.get(user.id, source) or _recovered(spotify, user, source, name, now)
    current = _current_items(spotify, stored)
    before = current or []
    before_set, desired_set = set(before), set(desired)
    added = [uri for uri in desired if uri not in before_set]
    removed = [uri for uri in before if uri not in desired_set]
    existing = stored if current is not None else None  # ours, and still there
    if dry_run:
        return PlaylistSync(
            source,
            name,
            existing.playlist_id if existing else None,
            len(desired),
            added,
            removed,
            created=False,
            written=False,
            dry_run=True,
        )

    def remember(playlist_id: str) -> None:
        store.users.upsert(user, utc_iso(now))
        store.playlists.save(ManagedPlaylist(user.id, source, playlist_id, name, len(desired), utc_iso(now)))

    if existing:
        playlist_id = existing.playlist_id
        renamed = existing.name != name
        if renamed:
            spotify.rename_playlist(playlist_id, name)
    else:
        playlist_id = spotify.create_playlist(name, f"{description} · {marker(source)}", public=public).id
        remember(playlist_id)  # before writing items: a failed write must not orphan the new playlist
        renamed = False
    if before != desired:
        spotify.replace_playlist_items(playlist_id, desired)
    remember(playlist_id)
    return PlaylistSync(
        source,
        name,
        playlist_id,
        len(desired),
        added,
        removed,
        created=existing is None,
        written=renamed or before != desired,
        dry_run=False,
    )


def apply_rules(store: Store, user: User, source: str, tracks: list[Track], limit: int | None) -> list[Track]:
    """Banned tracks never appear; pinned tracks of this source always do (after the source's own, uncut)."""
    banned = set(store.rules.uris(user.id, "ban", source))
    kept = [track for track in tracks if track.uri and track.uri not in banned][:limit]  # a playlist needs URIs
    present = {track.uri for track in kept}
    pins = [uri for uri in store.rules.uris(user.id, "pin", source) if uri not in present and uri not in banned]
    names = store.playlists.track_names(pins) if pins else {}
    return kept + [Track(uri, names.get(uri, uri), ()) for uri in pins]


def publish(
    store: Store, spotify: PlaylistWriter, user: User, request: PlaylistRequest, tracks: list[Track], now: datetime
) -> PlaylistSync:
    """Keep the managed playlist of `request.source` in step with `tracks`, bans and pins applied."""
    wanted = apply_rules(store, user, request.source, tracks, request.limit)
    sync = sync_managed_playlist(
        store,
        spotify,
        user,
        source=request.source,
        name=request.name,
        description=request.description,
        tracks=wanted,
        now=now,
        dry_run=request.dry_run,
        public=request.public,
    )
    names = {t.key: f"{t.name} — {', '.join(t.artist_names)}" if t.artists else t.name for t in wanted}
    return replace(sync, names={**store.playlists.track_names(sync.removed), **names} if sync.removed else names)


def playable(counts: list[PlayCount]) -> list[Track]:
    """Played tracks that can go into a playlist (those with a URI), each once, in order."""
    unique = {count.uri: count for count in counts if count.uri}
    return [Track(uri, c.name, (Artist("", c.artist),), album_name=c.album) for uri, c in unique.items()]


def managed_playlists(store: Store, user: User) -> list[ManagedPlaylist]:
    """The playlists tm keeps for `user`, with their last update."""
    return store.playlists.for_user(user.id)


@dataclass(frozen=True)
class RuleChange:
    uri: str
    rule: str  # ban | pin
    source: str | None  # a playlist source, or None: every generated playlist
    add: bool
    changed: bool  # False: it was already so


def change_rule(
    store: Store, user: User, uri: str, rule: str, source: str | None, add: bool, now: datetime
) -> RuleChange:
    """Ban or pin a track (or undo it); applied on each playlist's next update."""
    applies_to = ALL_SOURCES if source is None else source
    if add:
        store.users.upsert(user, utc_iso(now))
        changed = store.rules.add(user.id, uri, rule, applies_to, utc_iso(now))
    else:
        changed = store.rules.remove(user.id, uri, rule, applies_to)
    return RuleChange(uri, rule, source, add, changed)
