"""Sync recent plays: Spotify's last 50, stored beside the imported history without double counting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from music_time_machine.models import Track, User, utc_iso
from music_time_machine.store import Store

NEAR_SECONDS = 90  # the API's played_at and the export's ts of one play differ by seconds, not minutes
API_KEEPS = 50


class RecentPlays(Protocol):
    def recently_played(self, after: datetime | None) -> list[tuple[Track, str]]: ...


@dataclass(frozen=True)
class SyncResult:
    fetched: int
    stored: int
    known: int  # already stored (imported or synced before)
    newest_played_at: str | None
    missed_since: str | None  # when set: plays after this and before the oldest fetched one are lost to the API


def _play(track: Track, played_at: str, user_id: str, source_id: int) -> tuple:
    artist = track.artists[0].name if track.artists else ""
    return (user_id, played_at, track.uri, track.name, artist, track.album_name, track.duration_ms or 0,
            None, None, None, None, None, source_id)  # fmt: skip


def sync_recent_plays(store: Store, spotify: RecentPlays, user: User, now: datetime) -> SyncResult:
    """Fetch plays since the newest stored one and keep the new ones (±90 s of a stored play = the same play)."""
    latest = store.latest_play_at(user.id)
    fetched = spotify.recently_played(datetime.fromisoformat(latest) if latest else None)
    with store.transaction():
        store.upsert_user(user, utc_iso(now))
        source_id = store.api_play_source(user.id, utc_iso(now))
        plays = [_play(track, played_at, user.id, source_id) for track, played_at in fetched]
        new = [play for play in plays if not store.has_play_near(play, NEAR_SECONDS)]
        stored = store.insert_plays(new) if new else 0
        store.count_play_source(source_id, len(plays), stored)
    oldest = min((played_at for _track, played_at in fetched), default=None)
    full = len(fetched) >= API_KEEPS
    return SyncResult(
        fetched=len(fetched),
        stored=stored,
        known=len(fetched) - stored,
        newest_played_at=max((played_at for _track, played_at in fetched), default=latest),
        missed_since=latest if full and latest and oldest and oldest > latest else None,
    )
