"""Privacy-export rows -> `PlayRow`s ready for the store, or the `SkipReason` a row is left out for.

The rules (README "Importing your listening history" explains them to users):
- malformed: not an object, no parseable end time, or ms played missing / not a whole number / negative;
- not_music: podcast, audiobook and video rows (no track URI or no track name), and podcast files;
- too_short: under 30 s (Spotify's own rule for a stream) unless it was a skip (`skipped` or the forward
  button), because skips are what tell `tm` you went off a song;
- everything else is a play; the store keeps one per user, artist, title and UTC minute of the play's end.
Plays are NamedTuples, built positionally (keywords cost three times as much per row, and a million rows must
not cost a million objects beyond them).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum

from music_time_machine.models import PlayRow

MIN_COUNTED_MS = 30_000


class SkipReason(StrEnum):
    """Why a row is not a play, in the order `tm import` reports them."""

    TOO_SHORT = "too_short"
    NOT_MUSIC = "not_music"
    MALFORMED = "malformed"


_ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_ACCOUNT_MINUTE = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)")


class Format(StrEnum):
    EXTENDED = "extended"  # Streaming_History_Audio_*.json and the older endsong_*.json
    VIDEO = "video"  # Streaming_History_Video_*.json: same fields, never music
    ACCOUNT = "account"  # StreamingHistory_music_*.json: one year, minute precision, no URI
    ACCOUNT_PODCAST = "account-podcast"  # StreamingHistory_podcast_*.json


def detect_format(first_object: dict, file_name: str) -> Format | None:
    """What kind of history a file holds, judged by its first object (None: not streaming history)."""
    if "ts" in first_object and "ms_played" in first_object:
        return Format.VIDEO if "Video" in file_name else Format.EXTENDED
    if "endTime" in first_object and "msPlayed" in first_object:
        return Format.ACCOUNT_PODCAST if "podcastName" in first_object else Format.ACCOUNT
    return None


def _flag(value: object) -> int | None:
    """JSON true/false as 1/0; anything else (null, missing, odd types) as unknown."""
    return 1 if value is True else 0 if value is False else None


def _end_time(ts: object) -> str | None:
    if not isinstance(ts, str):
        return None
    if _ISO_SECONDS.fullmatch(ts):
        return ts
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def extended_play(row: object, user_id: str, source_id: int) -> PlayRow | SkipReason:
    if type(row) is not dict:
        return SkipReason.MALFORMED
    played_at, ms_played = _end_time(row.get("ts")), _ms(row.get("ms_played"))
    if played_at is None or ms_played is None:
        return SkipReason.MALFORMED
    uri, name = row.get("spotify_track_uri"), row.get("master_metadata_track_name")
    if not name or not isinstance(uri, str) or not uri.startswith("spotify:track:"):
        return SkipReason.NOT_MUSIC
    skipped, reason_end = row.get("skipped"), row.get("reason_end")
    if ms_played < MIN_COUNTED_MS and skipped is not True and reason_end != "fwdbtn":
        return SkipReason.TOO_SHORT
    return PlayRow(
        user_id,
        played_at,
        uri,
        name,
        row.get("master_metadata_album_artist_name") or "",
        row.get("master_metadata_album_album_name"),
        ms_played,
        _flag(skipped),
        row.get("reason_start"),
        reason_end,
        _flag(row.get("shuffle")),
        _flag(row.get("offline")),
        source_id,
    )


def video_play(row: object, user_id: str, source_id: int) -> PlayRow | SkipReason:
    malformed = extended_play(row, user_id, source_id) is SkipReason.MALFORMED
    return SkipReason.MALFORMED if malformed else SkipReason.NOT_MUSIC


def account_play(row: object, user_id: str, source_id: int) -> PlayRow | SkipReason:
    if type(row) is not dict:
        return SkipReason.MALFORMED
    end_time, ms_played = row.get("endTime"), _ms(row.get("msPlayed"))
    match = _ACCOUNT_MINUTE.fullmatch(end_time) if isinstance(end_time, str) else None
    if match is None or ms_played is None:
        return SkipReason.MALFORMED
    name = row.get("trackName")
    if not name:
        return SkipReason.NOT_MUSIC
    if ms_played < MIN_COUNTED_MS:
        return SkipReason.TOO_SHORT  # this format cannot tell a skip from a short play
    played_at = f"{match.group(1)}T{match.group(2)}:00Z"
    return PlayRow(
        user_id,
        played_at,
        None,  # this format has no track URI,
        name,
        row.get("artistName") or "",
        None,  # no album,
        ms_played,
        None,  # and none of skipped, reason_start, reason_end, shuffle, offline
        None,
        None,
        None,
        None,
        source_id,
    )


def account_podcast_play(row: object, user_id: str, source_id: int) -> PlayRow | SkipReason:
    malformed = account_play(row, user_id, source_id) is SkipReason.MALFORMED
    return SkipReason.MALFORMED if malformed else SkipReason.NOT_MUSIC


CONVERTERS = {
    Format.EXTENDED: extended_play,
    Format.VIDEO: video_play,
    Format.ACCOUNT: account_play,
    Format.ACCOUNT_PODCAST: account_podcast_play,
}
