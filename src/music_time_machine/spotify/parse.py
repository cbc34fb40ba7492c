"""Spotify JSON -> our models. Tolerant of the 2026 shapes (no popularity, `item` vs `track`)."""

from __future__ import annotations

from typing import Any

from music_time_machine.models import (
    EARLIEST_SPOTIFY_PLAY,
    MAX_MS_PLAYED,
    Artist,
    PlaylistEntry,
    PlaylistSummary,
    Track,
    User,
    utc_seconds,
)


def _member_object(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested JSON object, or an empty one when Spotify sent something else there (null, a string)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def track_from_json(data: object) -> Track | None:
    """A TrackObject as a Track, or None for what is not a playable track (episodes, local files, nulls)."""
    if not isinstance(data, dict) or data.get("type", "track") != "track":
        return None
    uri, name = data.get("uri"), data.get("name")
    if not isinstance(uri, str) or not uri.startswith("spotify:track:") or not name or not isinstance(name, str):
        return None
    album, external_ids = _member_object(data, "album"), _member_object(data, "external_ids")
    duration_ms = data.get("duration_ms")
    artists = tuple(
        Artist(uri=artist["uri"], name=_text(artist.get("name")) or "?")
        for artist in data.get("artists") or []
        if isinstance(artist, dict) and artist.get("uri")
    )
    return Track(
        uri=uri,
        name=name,
        artists=artists,
        album_uri=album.get("uri"),
        album_name=_text(album.get("name")),
        duration_ms=duration_ms if type(duration_ms) is int and 0 <= duration_ms <= MAX_MS_PLAYED else None,
        isrc=external_ids.get("isrc"),
        raw=data,
    )


def tracks_from_page(page: dict[str, Any] | None) -> list[Track]:
    """The tracks of a paging object, skipping entries that are not tracks."""
    items = (page or {}).get("items") or []
    return [track for track in map(track_from_json, items) if track]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def playlist_from_json(data: object) -> PlaylistSummary | None:
    """A SimplifiedPlaylistObject, or None for what is not one (Spotify sends nulls in some lists)."""
    if not isinstance(data, dict):
        return None
    counts = _member_object(data, "items") or _member_object(data, "tracks")  # 2026 renamed tracks -> items
    total, public = counts.get("total"), data.get("public")
    return PlaylistSummary(
        id=_text(data.get("id")),
        name=_text(data.get("name")),
        owner=_text(_member_object(data, "owner").get("id")),
        tracks=total if isinstance(total, int) else None,
        public=public if isinstance(public, bool) else None,
        description=_text(data.get("description")),
    )


def playlist_entry_from_json(entry: object) -> PlaylistEntry:
    """A playlist item: 2026 puts the track under `item`, older shapes under `track`."""
    if not isinstance(entry, dict):
        return PlaylistEntry(None, None)
    return PlaylistEntry(_text(entry.get("added_at")), track_from_json(entry.get("item") or entry.get("track")))


def playlist_entry_uri(entry: object) -> str | None:
    """A playlist item's URI: 2026 puts it under `item`; older shapes under `track`."""
    if not isinstance(entry, dict):
        return None
    content = entry.get("item") or entry.get("track")
    return content.get("uri") if isinstance(content, dict) else None


def parse_played_at(value: object) -> str | None:
    """`played_at` ("2025-03-15T12:00:00.123Z") as our UTC seconds format, or None when unusable: not an ISO time
    in ASCII digits, not a real time, or before Spotify existed (the sync drops those after tomorrow)."""
    played_at = utc_seconds(value)
    return played_at if played_at is not None and played_at >= EARLIEST_SPOTIFY_PLAY else None


def user_from_json(data: dict[str, Any]) -> User:
    return User(id=data["id"], display_name=data.get("display_name"), account_id=data.get("account_id"))
