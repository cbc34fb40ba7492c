"""What every scrobble reader checks of a row, whatever the format: times, names, lengths and Spotify links.

The rules (README "Other listening histories"): a row is malformed when its start is missing, not a real time,
before `models.EARLIEST_PLAY` (ListenBrainz's own lower bound) or after the latest a play can be
(`models.latest_play`); or its artist or title is not text, blank, holds a NUL or half a surrogate pair (no
database stores them). Names are cut to `models.MAX_NAME`. A length that is not a whole number of ms from 1 to a
day is unknown, not malformed; so is a Spotify link that is not one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from music_time_machine.models import EARLIEST_PLAY, MAX_MS_PLAYED, MAX_NAME, utc_iso
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.listen import Listen

EARLIEST_SECONDS = int(datetime.fromisoformat(EARLIEST_PLAY).timestamp())
_SPOTIFY_TRACK = re.compile(r"(?:https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")


def latest_seconds(latest: str) -> int:
    """`models.latest_play(now)` as epoch seconds."""
    return int(datetime.fromisoformat(latest).timestamp())


def start_time(seconds: object, latest_s: int) -> str | None:
    """Epoch seconds (a whole or fractional number) as a stored time, when a play can have started then."""
    if type(seconds) is float:
        if seconds != seconds:  # NaN
            return None
        seconds = int(seconds)
    if type(seconds) is not int or not EARLIEST_SECONDS <= seconds <= latest_s:
        return None
    return utc_iso(datetime.fromtimestamp(seconds, UTC))


def name(value: object) -> str | None:
    """A track, artist or album name as stored, or None when it cannot be one."""
    if type(value) is not str or not value.strip() or "\x00" in value:
        return None
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # half a surrogate pair, from a JSON escape
            return None
    return value[:MAX_NAME]


def length_ms(value: object) -> int | None:
    return value if type(value) is int and 0 < value <= MAX_MS_PLAYED else None


def spotify_uri(*links: object) -> str | None:
    """The first of `links` that names a Spotify track, as spotify:track:ID."""
    for link in links:
        if type(link) is str:
            match = _SPOTIFY_TRACK.match(link.strip())
            if match:
                return f"spotify:track:{match[1]}"
    return None


def listen(
    started_at: str | None,
    artist: object,
    track: object,
    album: object,
    duration: int | None,
    uri: str | None,
) -> Listen | SkipReason:
    artist_name, track_name = name(artist), name(track)
    if started_at is None or artist_name is None or track_name is None:
        return SkipReason.MALFORMED
    return Listen(started_at, artist_name, track_name, name(album), duration, uri)
