"""Browse playlists: your own (marking those tm manages), a user's public ones, and one playlist's items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import NamedTuple, Protocol

from music_time_machine.models import PlaylistEntry, PlaylistSummary, User
from music_time_machine.store import Store


class PlaylistReader(Protocol):
    def my_playlists(self, on_page: Callable[[int, int], None] | None = None) -> Iterator[PlaylistSummary]: ...

    def user_playlists(
        self, user_id: str, on_page: Callable[[int, int], None] | None = None
    ) -> Iterator[PlaylistSummary]: ...

    def playlist_entries(self, playlist_id: str) -> Iterator[PlaylistEntry]: ...


class PlaylistRow(NamedTuple):
    id: str | None
    name: str | None
    owner: str | None
    tracks: int | None
    public: bool | None
    managed: bool


class ItemRow(NamedTuple):
    position: int
    added_at: str | None
    uri: str | None
    name: str
    artists: str
    album: str | None
    duration_ms: int | None


PLAYLIST_COLUMNS = list(PlaylistRow._fields)
ITEM_COLUMNS = list(ItemRow._fields)


def _playlist_rows(playlists: Iterator[PlaylistSummary], managed: set[str], limit: int | None) -> Iterator[PlaylistRow]:
    for p in islice(playlists, limit):
        yield PlaylistRow(p.id, p.name, p.owner, p.tracks, p.public, p.id in managed)


def my_playlists(
    store: Store, spotify: PlaylistReader, me: User, limit: int | None, on_page: Callable[[int, int], None]
) -> Iterator[PlaylistRow]:
    """Your playlists, streamed page by page; those tm manages are marked."""
    managed = {p.playlist_id for p in store.playlists.for_user(me.id)}
    return _playlist_rows(spotify.my_playlists(on_page=on_page), managed, limit)


def user_playlists(
    spotify: PlaylistReader, user_id: str, limit: int | None, on_page: Callable[[int, int], None]
) -> Iterator[PlaylistRow]:
    """A user's public playlists (the app's own token, no login)."""
    return _playlist_rows(spotify.user_playlists(user_id, on_page=on_page), set(), limit)


def playlist_items(spotify: PlaylistReader, playlist_id: str) -> Iterator[ItemRow]:
    """One playlist's items in order, read from /playlists/{id}/items; what is not a track says so."""
    for position, entry in enumerate(spotify.playlist_entries(playlist_id), start=1):
        track = entry.track
        if track is None:
            yield ItemRow(position, entry.added_at, None, "(unavailable or not a track)", "", "", None)
        else:
            artists = ", ".join(track.artist_names)
            yield ItemRow(position, entry.added_at, track.uri, track.name, artists, track.album_name, track.duration_ms)
