"""A deterministic synthetic Spotify data download (streaming history) plus the counts an importer must report.

``write_export`` replays one seeded listening timeline (from 2016-01-01) into Extended Streaming History audio and
video files, an older export's ``endsong_<N>.json`` repeating the first fifth of it, Account Data files for its last
365 days, and two files that are not streaming history (``Userdata.json``, ``YourLibrary.json``).

The ``ExportTruth`` is counted while writing, without a key set: the timeline's own dedupe keys are unique by
construction (a track never ends twice in one UTC minute), so every endsong or Account Data copy of a music play that
is not too short is a duplicate. The first and last plays are full music plays ending on a whole minute, so they are
the first and last stored plays, and their minute-precision Account Data copies give the same times whichever file an
importer reads first. Each output file is one pass over the replayed timeline (regenerated, not kept), written row by
row: memory stays bounded and ``as_zip`` streams straight into zip members.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import io
import itertools
import json
import operator
import random
import string
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

__all__ = ["ExportTruth", "write_export"]

_MUSIC, _PODCAST, _AUDIOBOOK, _VIDEO = range(4)
_KIND_SHARES = (0.89, 0.97, 0.99, 1.0)  # cumulative: music 89 %, podcast 8 %, audiobook 2 %, video 1 %
_START = 1_451_606_400  # 2016-01-01T00:00:00Z
_DAY = 86_400
_QUARTER = 91 * _DAY  # the hits shift by 101 popularity ranks every quarter
_MIN_PLAY_MS = 30_000
_SESSION_GAP = (5 * 60, 70 * 60)  # seconds between listening sessions
_SESSION_PLAYS = (5, 55)
_TRACKS = 4_000
_AUDIO_FILES, _VIDEO_FILES = "Streaming_History_Audio", "Streaming_History_Video"
_EXTENDED_DIR, _ACCOUNT_DIR = "Spotify Extended Streaming History", "Spotify Account Data"
_USERNAME = "synthetic_listener"
_Role = Literal["timeline", "copy", "account"]
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
_BROKEN_ROWS = (  # malformed rows, in turn: not an object, unparseable ts, ms_played a string, no ts
    '"not a play"',
    '{{"ts": "yesterday", "ms_played": 123000, {track}}}',
    '{{"ts": "{ts}", "ms_played": "123", {track}}}',
    '{{"ms_played": 123000, {track}}}',
)
_BROKEN_TRACK = '"master_metadata_track_name": "Broken Record", "master_metadata_album_artist_name": "Nobody"'


class _Outcome(NamedTuple):
    share: float  # cumulative share among the plays of its kind
    skipped: str  # JSON literal: true / false / null
    reason_end: str
    length: str  # "short" (< 30 s), "part" (30 s up to the full length) or "full"


_MUSIC_OUTCOMES = (
    _Outcome(0.060, "true", "fwdbtn", "short"),  # skips: 12 % of music plays, half of them "skipped + fwdbtn"
    _Outcome(0.084, "null", "fwdbtn", "short"),
    _Outcome(0.102, "true", "backbtn", "short"),
    _Outcome(0.120, "true", "fwdbtn", "part"),
    _Outcome(0.165, "false", "endplay", "short"),  # short plays that are not skips: 6 %
    _Outcome(0.180, "null", "logout", "short"),
    _Outcome(0.880, "false", "trackdone", "full"),
    _Outcome(0.940, "null", "trackdone", "full"),
    _Outcome(1.000, "false", "endplay", "part"),
)
_EPISODE_OUTCOMES = (
    _Outcome(0.55, "false", "endplay", "part"),
    _Outcome(0.85, "false", "trackdone", "full"),
    _Outcome(1.0, "true", "fwdbtn", "short"),
)
_FULL_PLAY = _MUSIC_OUTCOMES[6]
_share = operator.attrgetter("share")
_CONTINUES = ("fwdbtn", "backbtn", "trackdone")  # the next play's reason_start repeats these reason_ends


@dataclass(frozen=True)
class ExportTruth:
    """What a correct importer reports for the export ``write_export`` wrote."""

    history_files: int  # streaming-history JSON files written (audio, video, endsong, account music + podcast)
    other_files: int  # non-history JSON files written (Userdata.json, YourLibrary.json)
    rows: int  # rows in all history files
    stored: int
    duplicates: int
    too_short: int
    not_music: int
    malformed: int
    first_played_at: str  # min play-end time among stored plays, "YYYY-MM-DDTHH:MM:SSZ"
    last_played_at: str  # max, same format

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


class _Item(NamedTuple):
    number: int  # position in its pool
    duration: int  # ms
    extended: str  # JSON members of all content fields (current shape)
    legacy: str  # the same without the audiobook fields (endsong shape)
    account: str  # Account Data members: artistName + trackName, or podcastName + episodeName


class _Pool:
    """Items with a Zipf-like popularity: weight 1 / (rank + skew)."""

    def __init__(self, items: list[_Item], skew: float) -> None:
        self.items = items
        self._cumulative = list(itertools.accumulate(1 / (rank + skew) for rank in range(len(items))))

    def pick(self, rng: random.Random, drift: int) -> _Item:
        rank = bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])
        return self.items[(rank + drift) % len(self.items)]


def _item(number: int, duration: int, content: dict[str, str], account: tuple[str, str]) -> _Item:
    """Pre-rendered JSON fragments, so a row is one f-string."""
    values = {name: content.get(name) for name in _CONTENT_FIELDS}
    legacy = {name: values[name] for name in _LEGACY_FIELDS}
    names = ("artistName", "trackName") if "spotify_track_uri" in content else ("podcastName", "episodeName")
    members = [
        json.dumps(obj, ensure_ascii=False)[1:-1] for obj in (values, legacy, dict(zip(names, account, strict=True)))
    ]
    return _Item(number, duration, *members)


def _uri(rng: random.Random, kind: str) -> str:
    return f"spotify:{kind}:" + "".join(rng.choices(string.digits + string.ascii_letters, k=22))


def _title(rng: random.Random) -> str:
    return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}{rng.choice(_TITLE_SUFFIXES)}"


def _music(rng: random.Random) -> list[_Item]:
    """Made-up tracks; (artist, track) is unique even lower-cased, so only the play time separates dedupe keys."""
    items: list[_Item] = []
    seen: set[tuple[str, str]] = set()
    while len(items) < _TRACKS:
        band = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}s"
        artist = band if rng.random() < 0.5 else f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        for album in [_title(rng) for _ in range(rng.randint(1, 4))]:
            for _ in range(rng.randint(4, 12)):
                track = _title(rng)
                while (artist.lower(), track.lower()) in seen:
                    track = _title(rng)
                seen.add((artist.lower(), track.lower()))
                content = dict(zip(_TRACK_FIELDS, (track, artist, album), strict=True))
                content["spotify_track_uri"] = _uri(rng, "track")
                items.append(_item(len(items), rng.randint(95_000, 330_000), content, (artist, track)))
    return items


def _series(rng: random.Random, series: int, parts: int, fields: tuple[str, ...], label: str) -> list[_Item]:
    """Podcast or video episodes (fields: show, part, part uri) or audiobook chapters (plus the book's uri)."""
    items: list[_Item] = []
    for _ in range(series):
        name, uri = f"{_title(rng)} {label}", _uri(rng, "show")
        for number in range(1, parts + 1):
            part = f"#{number}: {_title(rng)}" if label != "Audiobook" else f"Chapter {number}"
            content = dict(zip(fields, (name, part, _uri(rng, "episode"), uri), strict=False))
            items.append(_item(len(items), rng.randint(8, 45) * 60_000, content, (name, part)))
    return items


@functools.lru_cache(maxsize=2)
def _catalog(seed: int) -> dict[int, _Pool]:
    rng = random.Random(f"catalog:{seed}")
    show = ("episode_show_name", "episode_name", "spotify_episode_uri")
    book = ("audiobook_title", "audiobook_chapter_title", "audiobook_chapter_uri", "audiobook_uri")
    return {
        _MUSIC: _Pool(_music(rng), skew=20),
        _PODCAST: _Pool(_series(rng, 40, 25, show, "Podcast"), skew=5),
        _AUDIOBOOK: _Pool(_series(rng, 12, 20, book, "Audiobook"), skew=10),
        _VIDEO: _Pool(_series(rng, 8, 15, show, "Video Podcast"), skew=5),
    }


class _Session(NamedTuple):
    platform: str  # JSON string
    network: str  # JSON members conn_country, ip_addr
    legacy_network: str  # JSON members conn_country, ip_addr_decrypted, user_agent_decrypted
    shuffle: str  # JSON literals from here on
    offline: str
    incognito: str


def _new_session(rng: random.Random) -> _Session:
    platform, agent = rng.choice(_PLATFORMS)
    country = json.dumps(rng.choice(_COUNTRIES))
    host = "x" if rng.random() < 0.2 else str(rng.randint(1, 254))  # Spotify masks some addresses
    ip = json.dumps(".".join([*(str(rng.randint(1, 223)) for _ in range(3)), host]))
    flags = ["true" if rng.random() < chance else "false" for chance in (0.5, 0.1, 0.02)]
    network = f'"conn_country": {country}, "ip_addr": {ip}'
    legacy = f'"conn_country": {country}, "ip_addr_decrypted": {ip}, "user_agent_decrypted": "{agent}"'
    return _Session(json.dumps(platform), network, legacy, *flags)


class _Event(NamedTuple):
    position: int  # on the timeline (a field named `index` would hide tuple.index)
    end: int  # play end, epoch seconds (UTC)
    ms: int
    kind: int
    item: _Item
    outcome: _Outcome
    reason_start: str
    session: _Session


class _Broken(NamedTuple):
    """A malformed row, written into the audio files just before the event at ``position``."""

    position: int
    end: int  # end of the preceding event: decides the file's year range
    variant: int


class _Listener:
    """The mutable state of one replay of the timeline."""

    def __init__(self, pools: dict[int, _Pool], seed: int) -> None:
        self.rng = random.Random(f"timeline:{seed}")
        self.pools = pools
        self.clock = _START
        self.session = _new_session(self.rng)
        self.session_left = 0
        self.previous: _Item | None = None
        self.reason_start = "clickrow"
        self.last_minute = [-1] * len(pools[_MUSIC].items)

    def play(self, position: int, boundary: bool) -> _Event:
        """The next event; the first and last are full music plays (so stored) ending on a whole minute."""
        rng = self.rng
        new_session = self.session_left == 0
        if new_session:
            self.session, self.session_left = _new_session(rng), rng.randint(*_SESSION_PLAYS)
            self.reason_start = rng.choice(("clickrow", "playbtn", "appload", "remote"))
        self.session_left -= 1
        kind = _MUSIC if boundary else bisect.bisect(_KIND_SHARES, rng.random())
        item = self._pick(kind)
        outcomes = _MUSIC_OUTCOMES if kind == _MUSIC else _EPISODE_OUTCOMES
        outcome = _FULL_PLAY if boundary else outcomes[bisect.bisect(outcomes, rng.random(), key=_share)]
        ms = self._length(outcome, item)
        end = self._end(ms, new_session, boundary, item if kind == _MUSIC else None)
        event = _Event(position, end, ms, kind, item, outcome, self.reason_start, self.session)
        self.reason_start = outcome.reason_end if outcome.reason_end in _CONTINUES else "clickrow"
        return event

    def _pick(self, kind: int) -> _Item:
        """Never the same item twice in a row; half of the music is all-time favourites, half this quarter's hits."""
        pool = self.pools[kind]
        drift = (self.clock - _START) // _QUARTER * 101 if kind == _MUSIC and self.rng.random() < 0.5 else 0
        item = pool.pick(self.rng, drift)
        while item is self.previous:
            item = pool.pick(self.rng, drift)
        self.previous = item
        return item

    def _length(self, outcome: _Outcome, item: _Item) -> int:
        """ms_played; ``random()`` arithmetic is several times faster than ``randint``."""
        if outcome.length == "full":
            return item.duration
        if outcome.length == "short":
            return int(self.rng.random() * _MIN_PLAY_MS)
        return _MIN_PLAY_MS + int(self.rng.random() * (item.duration - _MIN_PLAY_MS))

    def _end(self, ms: int, new_session: bool, boundary: bool, track: _Item | None) -> int:
        """Plays never overlap: end = previous end + pause + duration; a track never ends twice in one minute."""
        pause = self.rng.randint(*_SESSION_GAP) if new_session else int(self.rng.random() * 4)
        end = self.clock + pause - (-ms // 1000)
        if boundary:
            end += -end % 60
        if track is not None:
            if end // 60 == self.last_minute[track.number]:
                end += 60
            self.last_minute[track.number] = end // 60
        self.clock = end
        return end


def _replay(seed: int, plays: int, malformed_rows: int) -> Iterator[_Event | _Broken]:
    """The seeded listening history; every call replays exactly the same rows."""
    listener, broken = _Listener(_catalog(seed), seed), 0
    for position in range(plays):
        while broken < malformed_rows and (2 * broken + 1) * plays // (2 * malformed_rows) == position:
            yield _Broken(position, listener.clock, broken)
            broken += 1
        yield listener.play(position, boundary=position in (0, plays - 1))


_Timeline = Callable[[], Iterator[_Event | _Broken]]


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _offline_timestamp(event: _Event) -> str:
    """Play start as epoch milliseconds on odd end seconds, epoch seconds on even ones; null when online."""
    if event.session.offline == "false":
        return "null"
    start_ms = event.end * 1000 - event.ms
    return str(start_ms if event.end % 2 else start_ms // 1000)


def _history_row(event: _Event, legacy: bool) -> str:
    session, item = event.session, event.item
    user = f'"username": "{_USERNAME}", ' if legacy else ""
    return (
        f'{{"ts": "{_iso(event.end)}", {user}"platform": {session.platform}, "ms_played": {event.ms}, '
        f"{session.legacy_network if legacy else session.network}, {item.legacy if legacy else item.extended}, "
        f'"reason_start": "{event.reason_start}", "reason_end": "{event.outcome.reason_end}", '
        f'"shuffle": {session.shuffle}, "skipped": {event.outcome.skipped}, "offline": {session.offline}, '
        f'"offline_timestamp": {_offline_timestamp(event)}, "incognito_mode": {session.incognito}}}'
    )


def _account_row(event: _Event) -> str:
    """Account Data: the end time in UTC to the minute."""
    return f'{{"endTime": "{_iso(event.end)[:16].replace("T", " ")}", {event.item.account}, "msPlayed": {event.ms}}}'


def _label(event: _Event, role: _Role) -> str:
    """The class of a row; timeline music keys are unique, so what the timeline does not store is a duplicate."""
    if event.kind != _MUSIC:
        return "not_music"
    skip = role != "account" and (event.outcome.skipped == "true" or event.outcome.reason_end == "fwdbtn")
    if event.ms < _MIN_PLAY_MS and not skip:  # Account Data rows carry no skip information
        return "too_short"
    return "stored" if role == "timeline" else "duplicates"


@dataclass(frozen=True)
class _Stream:
    """One family of history files: which timeline rows go in, how they are written and counted."""

    prefix: str
    role: _Role  # the timeline itself, an endsong copy of it, or an Account Data copy
    kinds: tuple[int, ...]
    years: tuple[str, ...] = ()  # "<firstyear>[-<lastyear>]" per file, for Extended Streaming History names
    scan: int = sys.maxsize  # stop at this timeline position
    since: int = 0  # only plays ending after this

    def path(self, number: int) -> str:
        folder = _ACCOUNT_DIR if self.role == "account" else _EXTENDED_DIR
        years = f"_{self.years[number]}" if self.years else ""
        return f"{folder}/{self.prefix}{years}_{number}.json"

    def render(self, event: _Event) -> str:
        return _account_row(event) if self.role == "account" else _history_row(event, legacy=self.role == "copy")


def _plan(timeline: _Timeline, rows_per_file: int) -> tuple[dict[str, tuple[str, ...]], int]:
    """The year range of every audio and video file, and the end of the last play."""
    spans: dict[str, list[list[int]]] = {_AUDIO_FILES: [], _VIDEO_FILES: []}
    counts = dict.fromkeys(spans, 0)
    end = _START
    for row in timeline():
        end, prefix = row.end, _VIDEO_FILES if isinstance(row, _Event) and row.kind == _VIDEO else _AUDIO_FILES
        year = time.gmtime(end).tm_year
        if counts[prefix] % rows_per_file == 0:
            spans[prefix].append([year, year])
        spans[prefix][-1][1] = year
        counts[prefix] += 1
    years = {prefix: tuple(f"{a}" if a == b else f"{a}-{b}" for a, b in span) for prefix, span in spans.items()}
    return years, end


def _streams(plays: int, years: dict[str, tuple[str, ...]], end: int) -> list[_Stream]:
    audio, last_year = (_MUSIC, _PODCAST, _AUDIOBOOK), end - 365 * _DAY
    return [
        _Stream(_AUDIO_FILES, "timeline", audio, years[_AUDIO_FILES]),
        _Stream(_VIDEO_FILES, "timeline", (_VIDEO,), years[_VIDEO_FILES]),
        _Stream("endsong", "copy", audio, scan=plays // 5),
        _Stream("StreamingHistory_music", "account", (_MUSIC,), since=last_year),
        _Stream("StreamingHistory_podcast", "account", (_PODCAST,), since=last_year),
    ]


class _Sink:
    """Loose files in ``directory``, or members of ``directory/my_spotify_data.zip``; one open file at a time."""

    def __init__(self, directory: Path, as_zip: bool) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.zip = zipfile.ZipFile(directory / "my_spotify_data.zip", "w") if as_zip else None

    def open(self, path: str) -> TextIO:
        if self.zip is None:
            return (self.directory / path.rpartition("/")[2]).open("w", encoding="utf-8", newline="\n")
        info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
        return io.TextIOWrapper(self.zip.open(info, "w", force_zip64=True), encoding="utf-8", newline="\n")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _rows(stream: _Stream, timeline: _Timeline, tally: Counter[str]) -> Iterator[str]:
    """The stream's rows, counted as they are produced."""
    for row in itertools.takewhile(lambda row: row.position < stream.scan, timeline()):
        if isinstance(row, _Broken):
            if stream.prefix == _AUDIO_FILES:
                tally["malformed"] += 1
                yield _BROKEN_ROWS[row.variant % 4].format(ts=_iso(row.end), track=_BROKEN_TRACK)
        elif row.kind in stream.kinds and row.end > stream.since:
            tally[_label(row, stream.role)] += 1
            yield stream.render(row)


def _write_stream(sink: _Sink, stream: _Stream, rows: Iterator[str], rows_per_file: int) -> int:
    """JSON arrays of at most ``rows_per_file`` rows, one row per line; returns the number of files written."""
    count = 0
    for first in rows:
        with sink.open(stream.path(count)) as out:
            out.write("[\n" + first)
            for row in itertools.islice(rows, rows_per_file - 1):
                out.write(",\n" + row)
            out.write("\n]")
        count += 1
    return count


def _write_other_files(sink: _Sink, seed: int) -> int:
    """``Userdata.json`` and ``YourLibrary.json`` (the 50 most popular tracks); returns the number of files."""
    keys = ("track", "artist", "album", "uri")  # the first four content fields, in order
    top = [json.loads("{" + item.extended + "}").values() for item in _catalog(seed)[_MUSIC].items[:50]]
    library = [dict(zip(keys, values, strict=False)) for values in top]
    documents = {
        "Userdata.json": {"username": _USERNAME, "email": f"listener{seed}@example.com", "country": "DE"},
        "YourLibrary.json": {"tracks": library, "albums": [], "shows": [], "episodes": [], "artists": []},
    }
    for name, document in documents.items():
        with sink.open(f"{_ACCOUNT_DIR}/{name}") as out:
            out.write(json.dumps(document, ensure_ascii=False, indent=2))
    return len(documents)


def write_export(
    directory: Path,
    *,
    plays: int,
    seed: int = 1,
    rows_per_file: int = 15_000,
    malformed_rows: int = 0,
    as_zip: bool = False,
) -> ExportTruth:
    """Write a synthetic export of ``plays`` listening events into ``directory`` (created if missing; files of the
    same names are overwritten) and return what a correct importer reports for it.

    ``malformed_rows`` broken rows are spread over the audio files on top of the events. With ``as_zip`` everything
    goes into ``directory/my_spotify_data.zip`` under ``Spotify Extended Streaming History/`` and
    ``Spotify Account Data/`` instead of loose files in ``directory``. The same arguments give the same bytes.
    """
    if plays < 1 or rows_per_file < 1 or malformed_rows < 0:
        raise ValueError("need plays >= 1, rows_per_file >= 1 and malformed_rows >= 0")
    timeline = functools.partial(_replay, seed, plays, malformed_rows)
    years, end = _plan(timeline, rows_per_file)
    tally: Counter[str] = Counter()
    with contextlib.closing(_Sink(directory, as_zip)) as sink:
        streams = _streams(plays, years, end)
        history_files = sum(
            _write_stream(sink, stream, _rows(stream, timeline, tally), rows_per_file) for stream in streams
        )
        other_files = _write_other_files(sink, seed)
    first = next(row for row in timeline() if isinstance(row, _Event)).end  # the first and last plays are stored
    return ExportTruth(
        history_files=history_files,
        other_files=other_files,
        rows=tally.total(),  # every row written is counted under exactly one label
        stored=tally["stored"],
        duplicates=tally["duplicates"],
        too_short=tally["too_short"],
        not_music=tally["not_music"],
        malformed=tally["malformed"],
        first_played_at=_iso(first),
        last_played_at=_iso(end),
    )
