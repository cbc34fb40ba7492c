"""What services need from Spotify, as protocols: the real client and tests' fakes both fit."""

from __future__ import annotations

from typing import Protocol

from music_time_machine.models import PlaylistRef, TimeRange, Track


class ChartSource(Protocol):
    def top_tracks(self, time_range: TimeRange, limit: int = 50) -> list[Track]: ...


class PlaylistWriter(Protocol):
    def find_playlist(self, marker: str, owner_id: str) -> str | None: ...

    def follows_playlist(self, playlist_id: str) -> bool: ...

    def playlist_uris(self, playlist_id: str) -> list[str]: ...

    def create_playlist(self, name: str, description: str, public: bool = False) -> PlaylistRef: ...

    def rename_playlist(self, playlist_id: str, name: str) -> None: ...

    def replace_playlist_items(self, playlist_id: str, uris: list[str]) -> None: ...


class SpotifyPlaylists(ChartSource, PlaylistWriter, Protocol):
    """Charts to read and playlists to write: what a managed playlist's source and its update need."""
