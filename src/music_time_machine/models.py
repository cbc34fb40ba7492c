"""Plain data passed between the layers. No I/O here."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from music_time_machine.errors import UsageError


class SourceKind(StrEnum):
    """Where plays came from (`play_sources.kind`)."""

    EXTENDED = "extended"  # Spotify's Extended Streaming History
    ACCOUNT = "account"  # Spotify's Account Data (a year, minute precision)
    SYNC = "recently-played"  # tm sync: Spotify's recently-played API
    LISTENBRAINZ = "listenbrainz"  # a ListenBrainz export
    LASTFM = "lastfm"  # Last.fm's API (tm import-lastfm)
    LASTFM_CSV = "lastfm-csv"  # a CSV that a Last.fm export tool wrote

    @property
    def stamped(self) -> str:
        """What the source's times mean: when a play "start"ed (scrobbles) or "end"ed (Spotify)."""
        return "start" if self in (SourceKind.LISTENBRAINZ, SourceKind.LASTFM, SourceKind.LASTFM_CSV) else "end"


class MatchRule(StrEnum):
    """Why two rows of different sources are one play (`services.matching`)."""

    SAME_SECOND = "same-second"  # one source, same names, same second
    SAME_MINUTE = "same-minute"  # same names, ending in the same minute
    NEAR_START = "near-start"  # same names, starts within the pair's tolerance


class TimeRange(StrEnum):
    """Spotify's chart windows, stored and printed in JSON under Spotify's own names."""

    SHORT = "short_term"
    MEDIUM = "medium_term"
    LONG = "long_term"

    @property
    def label(self) -> str:
        return {"short_term": "last 4 weeks", "medium_term": "last 6 months", "long_term": "last year"}[self]

    @property
    def short_name(self) -> str:
        return self.value.removesuffix("_term")

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Accept `short|medium|long` (what users type) or Spotify's `short_term` etc."""
        wanted = text.strip().lower()
        for time_range in cls:
            if wanted in (time_range.short_name, time_range.value):
                return time_range
        raise UsageError(f"Unknown range {text!r}: use short, medium or long.")


class ChartsFrom(StrEnum):
    """Where a chart comes from: Spotify's own (the snapshots tm took), or computed from your stored plays."""

    SPOTIFY = "spotify"
    PLAYS = "plays"


_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only: \d takes any script's digits


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in UTC."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 1000 <= int(match.group(1)) <= 9998:
            raise UsageError(f"Invalid month {text!r}: use YYYY-MM, for example 2025-03.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        return cls(moment.year, moment.month)

    @property
    def index(self) -> int:
        """Months since year 0: differences of two indexes count the months between them."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class PlayRow(NamedTuple):
    """One play on its way into or out of the store: a row of `plays`, each field named after its column.

    A NamedTuple, not a dataclass: a million rows cost what a million tuples do."""

    user_id: str
    played_at: str  # UTC end of the play
    track_uri: str | None  # None where the source has none (account data)
    track_name: str
    artist_name: str
    album_name: str | None
    ms_played: int
    skipped: int | None  # 1 / 0 / None when the source does not say
    reason_start: str | None
    reason_end: str | None
    shuffle: int | None
    offline: int | None
    source_id: int  # the play_sources row it came from


ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(text: str) -> str:
    """What SQL's lower() does in tm: ASCII letters lowercased, every other character kept (str.lower() is
    that for ASCII text, and many times quicker than translate(), which matters a million plays a time)."""
    return text.lower() if text.isascii() else text.translate(ASCII_LOWER)


def name_key(artist: str, title: str) -> str:
    """A track known only by name: artist and title, ASCII letters lowercased (as the dedupe rule compares them)."""
    return f"{ascii_lower(artist)}\t{ascii_lower(title)}"


def utc_iso(moment: datetime) -> str:
    """The one timestamp format we store: UTC, seconds precision, `Z` suffix (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# No play of Spotify's can end before Spotify AB was founded (23 April 2006; the service opened in October 2008,
# so this leaves room for its beta), nor any play more than a day after tm's clock (clocks and time zones differ by
# hours, not days). Scrobbles go further back: EARLIEST_PLAY is ListenBrainz's own lower bound for a listen
# (LISTEN_MINIMUM_TS, 1 October 2002, when Audioscrobbler began), and Last.fm's history starts after it. The bounds
# are in our stored format, so a stored time is checked by comparing text.
EARLIEST_SPOTIFY_PLAY = "2006-04-23T00:00:00Z"
EARLIEST_PLAY = "2002-10-01T00:00:00Z"
FUTURE_SLACK = timedelta(days=1)
MAX_MS_PLAYED = 86_400_000  # a day: no stream lasts longer, and 10^11 of them still sum below 2^63
MAX_NAME = 1_000  # characters of a track, artist or album name: real ones stay under a few hundred


def latest_play(now: datetime) -> str:
    """The latest end time a play can have when the time is `now`."""
    return utc_iso(now + FUTURE_SLACK)


def play_month_ok(month: str) -> bool:
    """Is `month` (YYYY-MM of a stored play) a real month from the first scrobbles to the year 9998 (what `Month`
    takes)? A database written by an older tm may hold any text there."""
    return _MONTH.fullmatch(month) is not None and EARLIEST_PLAY[:7] <= month <= "9998-12" and "01" <= month[5:] <= "12"


# An ISO 8601 time in ASCII digits (Python's \d and datetime.fromisoformat take other forms and scripts too): date,
# time to the second, an optional fraction, and Z, an offset or nothing (UTC).
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


def utc_seconds(text: object) -> str | None:
    """An ISO 8601 time (no offset: UTC) in our stored format, or None when it is not one or not a real time."""
    if not isinstance(text, str) or not _ISO_TIME.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # 2025-02-30; an offset that moves the year 1 or 9999 out of range
        return None
    return utc_iso(moment) if moment.year >= 1000 else None  # strftime writes the year 999 in three digits


@dataclass(frozen=True)
class Artist:
    uri: str
    name: str


@dataclass(frozen=True)
class Track:
    uri: str | None  # None: known only by its name (a chart from plays that have no URI)
    name: str
    artists: tuple[Artist, ...]
    album_uri: str | None = None
    album_name: str | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    raw: dict | None = field(default=None, compare=False, repr=False)

    @property
    def artist_names(self) -> list[str]:
        return [artist.name for artist in self.artists]

    @property
    def key(self) -> str:
        """What identifies the track: its URI, else its main artist and title (ASCII letters without case)."""
        return self.uri or name_key(self.artists[0].name if self.artists else "", self.name)


@dataclass(frozen=True)
class User:
    id: str
    display_name: str | None = None
    account_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.id})" if self.display_name else self.id


@dataclass(frozen=True)
class Snapshot:
    user_id: str
    time_range: TimeRange
    taken_at: str
    tracks: list[Track]


@dataclass(frozen=True)
class Gem:
    track: Track
    long_term_rank: int


@dataclass(frozen=True)
class PlaylistRef:
    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class PlaylistSummary:
    """A playlist as Spotify lists it (any field may be missing from what it sent)."""

    id: str | None
    name: str | None
    owner: str | None  # the owner's user id
    tracks: int | None  # how many items
    public: bool | None
    description: str | None


@dataclass(frozen=True)
class PlaylistEntry:
    added_at: str | None
    track: Track | None  # None: unavailable, or not a track (an episode, a local file)


@dataclass(frozen=True)
class ManagedPlaylist:
    """A playlist `tm` owns for one source (gems, a chart, …) and updates in place."""

    user_id: str
    source: str  # which source owns it: gems, rotation, month-2025-03, top-short_term, … (column `kind`)
    playlist_id: str
    name: str
    track_count: int
    updated_at: str


@dataclass(frozen=True)
class PlayCount:
    """One track's plays in some window (a track = artist + title, case-insensitive, whatever the source)."""

    uri: str | None  # None when only sources without URIs (account data) know the track
    name: str
    artist: str
    album: str | None
    plays: int  # full plays: at least 30 s and not skipped
    skips: int
    ms_played: int
    last_played_at: str

    @property
    def minutes(self) -> float:
        return self.ms_played / 60_000


@dataclass(frozen=True)
class ArtistCount:
    artist: str
    plays: int
    ms_played: int

    @property
    def minutes(self) -> float:
        return self.ms_played / 60_000


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> date:
    """A day between the years 1000 and 9998, as months are (so a window of years back or days around it exists)."""
    try:
        day = date.fromisoformat(text.strip()) if _DAY.fullmatch(text.strip()) else None
    except ValueError:
        day = None
    if day is None:
        raise UsageError(f"Invalid date {text!r}: use YYYY-MM-DD, for example 2025-03-15.")
    if not 1000 <= day.year <= 9998:
        raise UsageError(f"Date {text!r} is out of range: use a day of the years 1000 to 9998.")
    return day


_YEARS = re.compile(r"[0-9]{1,3}")


def parse_years(text: str) -> list[int]:
    """`1,5,10` -> [1, 5, 10]: how many years back to look."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    years = [int(part) for part in parts] if all(_YEARS.fullmatch(part) for part in parts) else []
    if not years or any(not 1 <= year <= 100 for year in years):
        raise UsageError(f"Invalid years {text!r}: use whole numbers 1-100 separated by commas, e.g. 1,5,10.")
    return sorted(set(years))


_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_TRACK_URL = re.compile(r"https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})(?:[/?#].*)?")


def parse_track_ref(text: str) -> str:
    """A track URI, a bare track id, or an open.spotify.com track URL -> `spotify:track:<id>`."""
    value = text.strip()
    for candidate in (
        value.removeprefix("spotify:track:") if value.startswith("spotify:track:") else None,
        value if _SPOTIFY_ID.fullmatch(value) else None,
        (match.group(1) if (match := _TRACK_URL.fullmatch(value)) else None),
    ):
        if candidate and _SPOTIFY_ID.fullmatch(candidate):
            return f"spotify:track:{candidate}"
    raise UsageError(f"Not a track: {text!r}. Use a spotify:track: URI, a track id or an open.spotify.com link.")


_USER_ID = re.compile(r"[A-Za-z0-9._\-]{1,64}")
_USER_URL = re.compile(r"https?://open\.spotify\.com/(?:intl-[a-z-]+/)?user/([^/?#]+)(?:[/?#].*)?")
_PLAYLIST_URL = re.compile(r"https?://open\.spotify\.com/(?:intl-[a-z-]+/)?playlist/([0-9A-Za-z]{22})(?:[/?#].*)?")


def parse_user_ref(text: str) -> str:
    """A user id, a `spotify:user:` URI or an open.spotify.com/user/ link -> the user id."""
    value = text.strip()
    match = _USER_URL.fullmatch(value)
    user_id = match.group(1) if match else value.removeprefix("spotify:user:")
    if not _USER_ID.fullmatch(user_id):
        raise UsageError(
            f"{text!r} is not a Spotify user id.",
            hint="Use the id from the profile link (Share → Copy link to profile: open.spotify.com/user/<id>), "
            "not the display name.",
        )
    return user_id


def parse_playlist_ref(text: str) -> str:
    """A playlist id, a `spotify:playlist:` URI or an open.spotify.com/playlist/ link -> the playlist id."""
    value = text.strip()
    match = _PLAYLIST_URL.fullmatch(value)
    playlist_id = match.group(1) if match else value.removeprefix("spotify:playlist:")
    if not _SPOTIFY_ID.fullmatch(playlist_id):
        raise UsageError(f"Not a playlist: {text!r}. Use a playlist id, a spotify:playlist: URI or a link to it.")
    return playlist_id
