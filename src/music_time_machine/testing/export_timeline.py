"""The seeded listening timeline behind the synthetic export (``export_generator``): a made-up catalog and one
listener's plays (from 2016-01-01 unless ``Habits`` say otherwise), replayed identically on every call.

A catalog of music (made up, or the ``Habits``' own tracks; Zipf-like popularity; half of the picks drift to this
quarter's hits), podcasts, audiobooks and video podcasts, each item carrying its JSON fragments pre-rendered so that a
row is one f-string. The listener plays in sessions (by default busy ones, about 250 plays a day; ``Habits`` make a
quieter listener); plays never overlap and a track never ends twice in one UTC minute, so the timeline's own dedupe
keys are unique by construction. The first and last plays are full music plays ending on a whole minute.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import operator
import random
import string
import sys
from collections.abc import Callable, Iterator
from typing import NamedTuple

__all__ = [
    "AUDIOBOOK",
    "DAY",
    "MIN_PLAY_MS",
    "MUSIC",
    "PODCAST",
    "START",
    "VIDEO",
    "Broken",
    "Event",
    "Habits",
    "Item",
    "Outcome",
    "Session",
    "Timeline",
    "Track",
    "favourite_tracks",
    "plays_before",
    "replay",
]

MUSIC, PODCAST, AUDIOBOOK, VIDEO = range(4)
_KIND_SHARES = (0.89, 0.97, 0.99, 1.0)  # cumulative: music 89 %, podcast 8 %, audiobook 2 %, video 1 %
START = 1_451_606_400  # 2016-01-01T00:00:00Z
DAY = 86_400
_QUARTER = 91 * DAY  # the hits shift by 101 popularity ranks every quarter
MIN_PLAY_MS = 30_000
_TRACKS = 4_000
_ADJECTIVES = ("Velvet", "Neon", "Paper", "Hollow", "Golden", "Quiet", "Electric", "Crimson", "Lunar", "Café", "Über")
_NOUNS = ("Harbor", "Lantern", "River", "Echo", "Garden", "Signal", "Mirror", "Highway", "Comet", "Nächte", "Tide")
_FIRST_NAMES = ("Mara", "Jonah", "Inès", "Theo", "Lena", "Rafael", "Noor", "Elliot", "Sade", "Zoë", "Tomás", "Yuki")
_LAST_NAMES = ("Vance", "Okafor", "Lindqvist", "Moreau", "Castillo", "Hart", "Nakamura", "Sørensen", "O'Neill")
_TITLE_SUFFIXES = ("", "", "", "", " (Live)", " - Remastered 2011", " (feat. Lumi)", " - Radio Edit", " II")
_COUNTRIES = ("DE", "DE", "DE", "NL", "FR", "US", "GB", "ES", "JP")
_PLATFORMS = (  # (platform, user_agent_decrypted of the older export shape)
    ("android", "Spotify/8.8.12 Android/33 (Pixel 7)"),
    ("iOS 16.5 (iPhone14,2)", "Spotify/8.8.40 iOS/16.5 (iPhone14,2)"),
    ("windows", "Spotify/1.2.13.661 Win32/0 (PC desktop)"),
    ("OS X 13.4.0 [arm 2]", "Spotify/1.2.13.661 OSX_ARM64/0 (MacBookPro18,1)"),
    ("web_player linux ;chrome 114.0.0.0;desktop", "unknown"),
    ("Partner sonos_ppc Sonos;Sonos One;;", "unknown"),
)
_TRACK_FIELDS = ("master_metadata_track_name", "master_metadata_album_artist_name", "master_metadata_album_album_name")
_LEGACY_FIELDS = (*_TRACK_FIELDS, "spotify_track_uri", "episode_name", "episode_show_name", "spotify_episode_uri")
_CONTENT_FIELDS = (
    *_LEGACY_FIELDS,
    "audiobook_title",
    "audiobook_uri",
    "audiobook_chapter_uri",
    "audiobook_chapter_title",
)


class Outcome(NamedTuple):
    share: float  # cumulative share among the plays of its kind
    skipped: str  # JSON literal: true / false / null
    reason_end: str
    length: str  # "short" (< 30 s), "part" (30 s up to the full length) or "full"


_MUSIC_OUTCOMES = (
    Outcome(0.060, "true", "fwdbtn", "short"),  # skips: 12 % of music plays, half of them "skipped + fwdbtn"
    Outcome(0.084, "null", "fwdbtn", "short"),
    Outcome(0.102, "true", "backbtn", "short"),
    Outcome(0.120, "true", "fwdbtn", "part"),
    Outcome(0.165, "false", "endplay", "short"),  # short plays that are not skips: 6 %
    Outcome(0.180, "null", "logout", "short"),
    Outcome(0.880, "false", "trackdone", "full"),
    Outcome(0.940, "null", "trackdone", "full"),
    Outcome(1.000, "false", "endplay", "part"),
)
_EPISODE_OUTCOMES = (
    Outcome(0.55, "false", "endplay", "part"),
    Outcome(0.85, "false", "trackdone", "full"),
    Outcome(1.0, "true", "fwdbtn", "short"),
)
_FULL_PLAY = _MUSIC_OUTCOMES[6]
_share = operator.attrgetter("share")
_CONTINUES = ("fwdbtn", "backbtn", "trackdone")  # the next play's reason_start repeats these reason_ends


class Track(NamedTuple):
    """A music track to listen to: its names as the export writes them, URI and length."""

    title: str
    artist: str
    album: str
    uri: str
    duration_ms: int


class Habits(NamedTuple):
    """When the listener starts, how their sessions are spaced and sized, and what music they own."""

    start: int = START  # epoch seconds: the first session begins after one session gap from here
    session_gap: tuple[int, int] = (5 * 60, 70 * 60)  # seconds between listening sessions, drawn uniformly
    session_plays: tuple[int, int] = (5, 55)  # plays per session, drawn uniformly
    tracks: tuple[Track, ...] = ()  # most popular first, (artist, title) distinct ignoring case; () = made up


class Item(NamedTuple):
    number: int  # position in its pool
    duration: int  # ms
    extended: str  # JSON members of all content fields (current shape)
    legacy: str  # the same without the audiobook fields (endsong shape)
    account: str  # Account Data members: artistName + trackName, or podcastName + episodeName


class _Pool:
    """Items with a Zipf-like popularity: weight 1 / (rank + skew)."""

    def __init__(self, items: list[Item], skew: float) -> None:
        self.items = items
        self._cumulative = list(itertools.accumulate(1 / (rank + skew) for rank in range(len(items))))

    def pick(self, rng: random.Random, drift: int) -> Item:
        rank = bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])
        return self.items[(rank + drift) % len(self.items)]


def _item(number: int, duration: int, content: dict[str, str], account: tuple[str, str]) -> Item:
    """Pre-rendered JSON fragments, so a row is one f-string."""
    values = {name: content.get(name) for name in _CONTENT_FIELDS}
    legacy = {name: values[name] for name in _LEGACY_FIELDS}
    names = ("artistName", "trackName") if "spotify_track_uri" in content else ("podcastName", "episodeName")
    members = [
        json.dumps(obj, ensure_ascii=False)[1:-1] for obj in (values, legacy, dict(zip(names, account, strict=True)))
    ]
    return Item(number, duration, *members)


def _uri(rng: random.Random, kind: str) -> str:
    return f"spotify:{kind}:" + "".join(rng.choices(string.digits + string.ascii_letters, k=22))


def _title(rng: random.Random) -> str:
    return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}{rng.choice(_TITLE_SUFFIXES)}"


def _music(rng: random.Random) -> list[Track]:
    """Made-up tracks; (artist, track) is unique even lower-cased."""
    tracks: list[Track] = []
    seen: set[tuple[str, str]] = set()
    while len(tracks) < _TRACKS:
        band = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}s"
        artist = band if rng.random() < 0.5 else f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        for album in [_title(rng) for _ in range(rng.randint(1, 4))]:
            for _ in range(rng.randint(4, 12)):
                track = _title(rng)
                while (artist.lower(), track.lower()) in seen:
                    track = _title(rng)
                seen.add((artist.lower(), track.lower()))
                tracks.append(Track(track, artist, album, _uri(rng, "track"), rng.randint(95_000, 330_000)))
    return tracks


def _music_items(tracks: tuple[Track, ...] | list[Track]) -> list[Item]:
    """Tracks as items; only the play time may separate dedupe keys, so (artist, title) must be distinct."""
    if len({(track.artist.lower(), track.title.lower()) for track in tracks}) < len(tracks):
        raise ValueError("the tracks' (artist, title) pairs must be distinct, ignoring case")
    items = []
    for number, track in enumerate(tracks):
        content = dict(zip(_TRACK_FIELDS, (track.title, track.artist, track.album), strict=True))
        content["spotify_track_uri"] = track.uri
        items.append(_item(number, track.duration_ms, content, (track.artist, track.title)))
    return items


def _series(rng: random.Random, series: int, parts: int, fields: tuple[str, ...], label: str) -> list[Item]:
    """Podcast or video episodes (fields: show, part, part uri) or audiobook chapters (plus the book's uri)."""
    items: list[Item] = []
    for _ in range(series):
        name, uri = f"{_title(rng)} {label}", _uri(rng, "show")
        for number in range(1, parts + 1):
            part = f"#{number}: {_title(rng)}" if label != "Audiobook" else f"Chapter {number}"
            content = dict(zip(fields, (name, part, _uri(rng, "episode"), uri), strict=False))
            items.append(_item(len(items), rng.randint(8, 45) * 60_000, content, (name, part)))
    return items


@functools.lru_cache(maxsize=2)
def _catalog(seed: int, tracks: tuple[Track, ...]) -> dict[int, _Pool]:
    rng = random.Random(f"catalog:{seed}")
    show = ("episode_show_name", "episode_name", "spotify_episode_uri")
    book = ("audiobook_title", "audiobook_chapter_title", "audiobook_chapter_uri", "audiobook_uri")
    return {
        MUSIC: _Pool(_music_items(tracks or _music(rng)), skew=20),
        PODCAST: _Pool(_series(rng, 40, 25, show, "Podcast"), skew=5),
        AUDIOBOOK: _Pool(_series(rng, 12, 20, book, "Audiobook"), skew=10),
        VIDEO: _Pool(_series(rng, 8, 15, show, "Video Podcast"), skew=5),
    }


class Session(NamedTuple):
    platform: str  # JSON string
    network: str  # JSON members conn_country, ip_addr
    legacy_network: str  # JSON members conn_country, ip_addr_decrypted, user_agent_decrypted
    shuffle: str  # JSON literals from here on
    offline: str
    incognito: str


def _new_session(rng: random.Random) -> Session:
    platform, agent = rng.choice(_PLATFORMS)
    country = json.dumps(rng.choice(_COUNTRIES))
    host = "x" if rng.random() < 0.2 else str(rng.randint(1, 254))  # Spotify masks some addresses
    ip = json.dumps(".".join([*(str(rng.randint(1, 223)) for _ in range(3)), host]))
    flags = ["true" if rng.random() < chance else "false" for chance in (0.5, 0.1, 0.02)]
    network = f'"conn_country": {country}, "ip_addr": {ip}'
    legacy = f'"conn_country": {country}, "ip_addr_decrypted": {ip}, "user_agent_decrypted": "{agent}"'
    return Session(json.dumps(platform), network, legacy, *flags)


class Event(NamedTuple):
    position: int  # on the timeline (a field named `index` would hide tuple.index)
    end: int  # play end, epoch seconds (UTC)
    ms: int
    kind: int
    item: Item
    outcome: Outcome
    reason_start: str
    session: Session


class Broken(NamedTuple):
    """A malformed row, written into the audio files just before the event at ``position``."""

    position: int
    end: int  # end of the preceding event: decides the file's year range
    variant: int


class _Listener:
    """The mutable state of one replay of the timeline."""

    def __init__(self, pools: dict[int, _Pool], seed: int, habits: Habits) -> None:
        self.rng = random.Random(f"timeline:{seed}")
        self.pools = pools
        self.habits = habits
        self.clock = habits.start
        self.session = _new_session(self.rng)
        self.session_left = 0
        self.previous: Item | None = None
        self.reason_start = "clickrow"
        self.last_minute = [-1] * len(pools[MUSIC].items)

    def play(self, position: int, boundary: bool) -> Event:
        """The next event; the first and last are full music plays (so stored) ending on a whole minute."""
        rng = self.rng
        new_session = self.session_left == 0
        if new_session:
            self.session, self.session_left = _new_session(rng), rng.randint(*self.habits.session_plays)
            self.reason_start = rng.choice(("clickrow", "playbtn", "appload", "remote"))
        self.session_left -= 1
        kind = MUSIC if boundary else bisect.bisect(_KIND_SHARES, rng.random())
        item = self._pick(kind)
        outcomes = _MUSIC_OUTCOMES if kind == MUSIC else _EPISODE_OUTCOMES
        outcome = _FULL_PLAY if boundary else outcomes[bisect.bisect(outcomes, rng.random(), key=_share)]
        ms = self._length(outcome, item)
        end = self._end(ms, new_session, boundary, item if kind == MUSIC else None)
        event = Event(position, end, ms, kind, item, outcome, self.reason_start, self.session)
        self.reason_start = outcome.reason_end if outcome.reason_end in _CONTINUES else "clickrow"
        return event

    def _pick(self, kind: int) -> Item:
        """Never the same item twice in a row; half of the music is all-time favourites, half this quarter's hits."""
        pool = self.pools[kind]
        drift = (self.clock - self.habits.start) // _QUARTER * 101 if kind == MUSIC and self.rng.random() < 0.5 else 0
        item = pool.pick(self.rng, drift)
        while item is self.previous:
            item = pool.pick(self.rng, drift)
        self.previous = item
        return item

    def _length(self, outcome: Outcome, item: Item) -> int:
        """ms_played; ``random()`` arithmetic is several times faster than ``randint``."""
        if outcome.length == "full":
            return item.duration
        if outcome.length == "short":
            return int(self.rng.random() * MIN_PLAY_MS)
        return MIN_PLAY_MS + int(self.rng.random() * (item.duration - MIN_PLAY_MS))

    def _end(self, ms: int, new_session: bool, boundary: bool, track: Item | None) -> int:
        """Plays never overlap: end = previous end + pause + duration; a track never ends twice in one minute."""
        pause = self.rng.randint(*self.habits.session_gap) if new_session else int(self.rng.random() * 4)
        end = self.clock + pause - (-ms // 1000)
        if boundary:
            end += -end % 60
        if track is not None:
            if end // 60 == self.last_minute[track.number]:
                end += 60
            self.last_minute[track.number] = end // 60
        self.clock = end
        return end


def replay(seed: int, plays: int, malformed_rows: int, habits: Habits) -> Iterator[Event | Broken]:
    """The seeded listening history; every call replays exactly the same rows."""
    listener, broken = _Listener(_catalog(seed, habits.tracks), seed, habits), 0
    for position in range(plays):
        while broken < malformed_rows and (2 * broken + 1) * plays // (2 * malformed_rows) == position:
            yield Broken(position, listener.clock, broken)
            broken += 1
        yield listener.play(position, boundary=position in (0, plays - 1))


Timeline = Callable[[], Iterator[Event | Broken]]  # replays one timeline afresh on every call


def plays_before(deadline: int, seed: int, habits: Habits) -> int:
    """How many plays of the timeline end before ``deadline`` (epoch seconds): the ``plays`` of an export that ends
    then. The timeline of fewer plays is the same up to its last play, which becomes a full one, so it may end a
    few minutes later."""
    events = itertools.takewhile(lambda event: event.end < deadline, replay(seed, sys.maxsize, 0, habits))
    return sum(1 for _ in events)


def favourite_tracks(seed: int, count: int, tracks: tuple[Track, ...] = ()) -> list[Item]:
    """The ``count`` most popular tracks of the seed's catalog, or of ``tracks`` (before any drift to a quarter's
    hits)."""
    return _catalog(seed, tracks)[MUSIC].items[:count]
