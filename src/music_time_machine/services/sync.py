"""Sync recent plays: Spotify's last 50, stored beside the imported history without double counting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from music_time_machine.models import MAX_NAME, PlayRow, SourceKind, Track, User, latest_play, utc_iso
from music_time_machine.services.ledger import LedgerCounts, has_scrobbles, make_way
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
    malformed: int  # fetched, but dated more than a day after tm's clock: not stored


def _play(track: Track, played_at: str, user_id: str, source_id: int) -> PlayRow:
    """The API says nothing of skips, start/end reasons, shuffle or offline. Names are cut as an import cuts them."""
    return PlayRow(
        user_id=user_id,
        played_at=played_at,
        track_uri=track.uri,
        track_name=track.name[:MAX_NAME],
        artist_name=track.artists[0].name[:MAX_NAME] if track.artists else "",
        album_name=track.album_name and track.album_name[:MAX_NAME],
        ms_played=track.duration_ms or 0,
        skipped=None,
        reason_start=None,
        reason_end=None,
        shuffle=None,
        offline=None,
        source_id=source_id,
    )


def sync_recent_plays(store: Store, spotify: RecentPlays, user: User, now: datetime) -> SyncResult:
    """Fetch plays since the newest synced one and keep the new ones (±90 s of a stored play = the same play)."""
    latest = store.plays.sync_cursor(user.id, utc_iso(now))
    answered = spotify.recently_played(datetime.fromisoformat(latest) if latest else None)
    future = latest_play(now)
    fetched = [(track, played_at) for track, played_at in answered if played_at <= future]
    with store.transaction():
        store.users.upsert(user, utc_iso(now))
        source_id = store.plays.sync_source(user.id, utc_iso(now))
        plays = [_play(track, played_at, user.id, source_id) for track, played_at in fetched]
        new = [play for play in plays if not store.plays.has_near(play, NEAR_SECONDS)]
        if new and has_scrobbles(store, user.id):
            make_way(store, user.id, new, SourceKind.SYNC, LedgerCounts())
        stored = store.plays.insert(new) if new else 0
        store.plays.add_source_counts(source_id, len(plays), stored)
    oldest = min((played_at for _track, played_at in fetched), default=None)
    full = len(fetched) >= API_KEEPS
    return SyncResult(
        fetched=len(answered),
        stored=stored,
        known=len(fetched) - stored,
        newest_played_at=max((played_at for _track, played_at in fetched), default=latest),
        missed_since=latest if full and latest and oldest and oldest > latest else None,
        malformed=len(answered) - len(fetched),
    )
