"""What every scrobble reader checks of a row, whatever the format: times, names, lengths and Spotify links.

The rules (README "Other listening histories"): a row is malformed when its start is missing, not a real time,
before `models.EARLIEST_PLAY` (ListenBrainz's own lower bound) or after the latest a play can be
(`models.latest_play`); or its artist or title is not text, blank, holds a NUL or half a surrogate pair (no
database stores them). Names are cut to `models.MAX_NAME`. A length that is not a whole number of ms from 1 to a
day is unknown, not malformed; so is a Spotify link that is not one.

Times become text without a `datetime` per row: a history of a million rows holds a few thousand days, each
written out once (`_day`), and the clock of the day is arithmetic.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from music_time_machine.models import EARLIEST_PLAY, MAX_MS_PLAYED, MAX_NAME
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.listen import Listen

EARLIEST_SECONDS = int(datetime.fromisoformat(EARLIEST_PLAY).timestamp())
_EPOCH = date(1970, 1, 1)
_SPOTIFY_TRACK = re.compile(r"(?:https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")


class Latest(NamedTuple):
    """The latest start a listen can have (`models.latest_play(now)`), as stored text and as epoch seconds."""

    text: str
    seconds: int

    @classmethod
    def of(cls, latest: str) -> Latest:
        return cls(latest, latest_seconds(latest))


def latest_seconds(latest: str) -> int:
    """`models.latest_play(now)` as epoch seconds."""
    return int(datetime.fromisoformat(latest).astimezone(UTC).timestamp())


@cache
def _day(days: int) -> str:
    """The date `days` after 1970-01-01; only days between EARLIEST_PLAY and tomorrow get here."""
    return (_EPOCH + timedelta(days=days)).isoformat()


def start_time(seconds: object, latest_s: int) -> str | None:
    """Epoch seconds (a whole or fractional number; the fraction is dropped) as a stored time, when a play can
    have started then."""
    if type(seconds) is float:
        if not EARLIEST_SECONDS <= seconds < latest_s + 1:  # also false for NaN and the infinities
            return None
        seconds = int(seconds)
    if type(seconds) is not int or not EARLIEST_SECONDS <= seconds <= latest_s:
        return None
    days, clock = divmod(seconds, 86_400)
    hours, clock = divmod(clock, 3_600)
    minutes, clock = divmod(clock, 60)
    return f"{_day(days)}T{hours:02d}:{minutes:02d}:{clock:02d}Z"


def in_range(started_at: str, latest: Latest) -> str | None:
    """A stored-format start time when a play can have started then."""
    return started_at if EARLIEST_PLAY <= started_at <= latest.text else None


def name(value: object) -> str | None:
    """A track, artist or album name as stored, or None when it cannot be one."""
    if type(value) is not str or not value or value.isspace() or "\x00" in value:
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
