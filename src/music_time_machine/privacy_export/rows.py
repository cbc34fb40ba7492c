"""Privacy-export rows -> `PlayRow`s ready for the store, or the `SkipReason` a row is left out for.

The rules (README "Importing your listening history" explains them to users):
- malformed: not an object; an end time missing, not an ISO time in ASCII digits, not a real time, before Spotify
  was founded or more than a day after the import's clock (`models.EARLIEST_SPOTIFY_PLAY`, `models.latest_play`); ms
  played missing, not a whole number, negative or over a day; a name, album or reason that is not text, a reason or
  URI over MAX_CODE characters. Names over `models.MAX_NAME` characters are cut to that length (the play is real;
  its name is absurd, and cut the same way each time, so re-imports still find it);
- not_music: podcast, audiobook and video rows (no track URI or no track name), and podcast files;
- too_short: under 30 s (Spotify's own rule for a stream) unless it was a skip (`skipped` or the forward
  button), because skips are what tell `tm` you went off a song;
- everything else is a play; the store keeps one per user, artist, title and UTC minute of the play's end.
Plays are NamedTuples, built positionally (keywords cost three times as much per row, and a million rows must
not cost a million objects beyond them).
"""

from __future__ import annotations

import re
from enum import StrEnum

from music_time_machine.models import EARLIEST_SPOTIFY_PLAY, MAX_MS_PLAYED, MAX_NAME, PlayRow, utc_seconds

MIN_COUNTED_MS = 30_000
MAX_CODE = 100  # characters of a URI (spotify:track: and 22 more) or a reason code (trackdone, fwdbtn, …)


# What `tm import` tells when it counted malformed rows: the rules above, with the bounds they use.
MALFORMED_RULES = (
    "a row is malformed when it is not an object; its end time is missing, not an ISO time in ASCII digits, not a "
    f"real time, before {EARLIEST_SPOTIFY_PLAY[:10]} (Spotify's founding) or more than a day after now; its ms "
    f"played is not a whole number from 0 to {MAX_MS_PLAYED:,} (a day); or a name or reason is not text (or a reason "
    f"or URI is over {MAX_CODE} characters)"
)


class SkipReason(StrEnum):
    """Why a row is not a play, in the order `tm import` reports them."""

    TOO_SHORT = "too_short"
    NOT_MUSIC = "not_music"
    MALFORMED = "malformed"


# The common times in one match (every real day but 29 February); other days, offsets and fractions go through
# `utc_seconds`.
_DAY = "[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_ISO_SECONDS = re.compile(f"{_DAY}T{_CLOCK}:[0-5][0-9]Z")
_ACCOUNT_MINUTE = re.compile(f"({_DAY}) ({_CLOCK})")
_ACCOUNT_SHAPE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")


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


def _in_range(played_at: str | None, latest: str) -> str | None:
    """A stored-format end time when a play can have ended then (from Spotify's founding to `latest`), else None."""
    return played_at if played_at is not None and EARLIEST_SPOTIFY_PLAY <= played_at <= latest else None


def _end_time(ts: object, latest: str) -> str | None:
    if type(ts) is not str:
        return None
    return _in_range(ts if _ISO_SECONDS.fullmatch(ts) else utc_seconds(ts), latest)


def _account_end_time(end_time: object, latest: str) -> str | None:
    if type(end_time) is not str:
        return None
    match = _ACCOUNT_MINUTE.fullmatch(end_time)
    if match is not None:
        played_at: str | None = f"{match[1]}T{match[2]}:00Z"
    else:
        played_at = utc_seconds(f"{end_time}:00") if _ACCOUNT_SHAPE.fullmatch(end_time) else None
    return _in_range(played_at, latest)


def _ms(value: object) -> int | None:
    return value if type(value) is int and 0 <= value <= MAX_MS_PLAYED else None


def _code(value: object) -> bool:
    """Is this a reason code we can keep: none, or short text?"""
    return value is None or (type(value) is str and len(value) <= MAX_CODE)


def _names(name: object, artist: object, album: object) -> tuple[str, str, str | None] | None:
    """Track, artist and album names cut to MAX_NAME; None when one of them is not text."""
    if type(name) is not str or type(artist) is not str or (album is not None and type(album) is not str):
        return None
    if len(name) > MAX_NAME or len(artist) > MAX_NAME or (album is not None and len(album) > MAX_NAME):
        return name[:MAX_NAME], artist[:MAX_NAME], None if album is None else album[:MAX_NAME]
    return name, artist, album


def extended_play(row: object, user_id: str, source_id: int, latest: str) -> PlayRow | SkipReason:
    """An extended-history row; `latest` is the latest end time a play can have (`models.latest_play`)."""
    if type(row) is not dict:
        return SkipReason.MALFORMED
    played_at, ms_played = _end_time(row.get("ts"), latest), _ms(row.get("ms_played"))
    if played_at is None or ms_played is None:
        return SkipReason.MALFORMED
    uri, name = row.get("spotify_track_uri"), row.get("master_metadata_track_name")
    if not name or not isinstance(uri, str) or not uri.startswith("spotify:track:"):
        return SkipReason.NOT_MUSIC
    names = _names(
        name, row.get("master_metadata_album_artist_name") or "", row.get("master_metadata_album_album_name")
    )
    reason_start, reason_end = row.get("reason_start"), row.get("reason_end")
    if names is None or len(uri) > MAX_CODE or not _code(reason_start) or not _code(reason_end):
        return SkipReason.MALFORMED
    skipped = row.get("skipped")
    if ms_played < MIN_COUNTED_MS and skipped is not True and reason_end != "fwdbtn":
        return SkipReason.TOO_SHORT
    return PlayRow(
        user_id,
        played_at,
        uri,
        *names,
        ms_played,
        _flag(skipped),
        reason_start,
        reason_end,
        _flag(row.get("shuffle")),
        _flag(row.get("offline")),
        source_id,
    )


def video_play(row: object, user_id: str, source_id: int, latest: str) -> PlayRow | SkipReason:
    malformed = extended_play(row, user_id, source_id, latest) is SkipReason.MALFORMED
    return SkipReason.MALFORMED if malformed else SkipReason.NOT_MUSIC


def account_play(row: object, user_id: str, source_id: int, latest: str) -> PlayRow | SkipReason:
    """An account-data row; `latest` as for `extended_play`."""
    if type(row) is not dict:
        return SkipReason.MALFORMED
    played_at, ms_played = _account_end_time(row.get("endTime"), latest), _ms(row.get("msPlayed"))
    if played_at is None or ms_played is None:
        return SkipReason.MALFORMED
    name = row.get("trackName")
    if not name:
        return SkipReason.NOT_MUSIC
    names = _names(name, row.get("artistName") or "", None)  # this format has no album
    if names is None:
        return SkipReason.MALFORMED
    if ms_played < MIN_COUNTED_MS:
        return SkipReason.TOO_SHORT  # this format cannot tell a skip from a short play
    return PlayRow(
        user_id,
        played_at,
        None,  # this format has no track URI,
        *names,
        ms_played,
        None,  # and none of skipped, reason_start, reason_end, shuffle, offline
        None,
        None,
        None,
        None,
        source_id,
    )


def account_podcast_play(row: object, user_id: str, source_id: int, latest: str) -> PlayRow | SkipReason:
    malformed = account_play(row, user_id, source_id, latest) is SkipReason.MALFORMED
    return SkipReason.MALFORMED if malformed else SkipReason.NOT_MUSIC


CONVERTERS = {
    Format.EXTENDED: extended_play,
    Format.VIDEO: video_play,
    Format.ACCOUNT: account_play,
    Format.ACCOUNT_PODCAST: account_podcast_play,
}
