"""One listener's listening, seen by three sources that overlap: Spotify's extended history, a ListenBrainz export
and a Last.fm CSV, written as those services write their files, with the truth of what a ledger must make of
them worked out here from the listening itself (it imports nothing of tm).

- The listening: sessions of plays one after another, songs of 2:30 to 7 minutes, now and then the same song
  twice in a row. Last.fm saw 2019-2022, ListenBrainz 2020-2023, Spotify 2021-2024 (all three: 2021 and 2022),
  each missing some plays.
- How each source writes a play: Spotify, its end (`ts`) and the ms played; ListenBrainz, its start a few seconds
  off and, for half the plays, the track's length; Last.fm, its start to the minute, no length. Scrobbles spell
  some names otherwise (no remaster suffix, other case, a "feat." part).
- The truth (README "One ledger"): every play seen by any source is stored once, from the richest source that saw
  it (Spotify, then ListenBrainz, then Last.fm), ending where that source puts its end (a scrobble: its start plus
  its length, 3:30 when the source gives none); every other source that saw it recognised it.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

SPOTIFY, LISTENBRAINZ, LASTFM, LASTFM_API = "extended", "listenbrainz", "lastfm-csv", "lastfm"
RICHNESS = [SPOTIFY, LISTENBRAINZ, LASTFM]  # Last.fm's history comes as a CSV (LASTFM) or through its API
SEEN_FROM = {LASTFM: datetime(2019, 1, 1, tzinfo=UTC), LISTENBRAINZ: datetime(2020, 1, 1, tzinfo=UTC)}
SEEN_FROM[SPOTIFY] = datetime(2021, 1, 1, tzinfo=UTC)
SEEN_UNTIL = {kind: start.replace(year=start.year + 4) for kind, start in SEEN_FROM.items()}
ASSUMED_MS = 210_000  # a scrobble without a length is taken to last 3:30
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Song:
    artist: str
    title: str  # as Spotify names it
    album: str
    length_ms: int
    uri: str

    def scrobbled_as(self, spelling: int) -> tuple[str, str]:
        """(artist, title) as a scrobbler may write them."""
        plain = self.title.split(" - ")[0]
        return [
            (self.artist, self.title),
            (self.artist.upper(), plain),
            (f"{self.artist} feat. Somebody", plain),
            (self.artist.lower(), self.title.lower()),
        ][spelling]


@dataclass(frozen=True)
class Play:
    song: Song
    start: datetime
    seen_by: frozenset[str]
    lb_jitter_s: int
    lb_gives_length: bool
    lastfm_jitter_s: int
    spelling: int

    def stored_end(self, kind: str) -> datetime:
        """Where a source's row puts the play's end."""
        if kind == SPOTIFY:
            return self.start + timedelta(milliseconds=self.song.length_ms)
        if kind == LISTENBRAINZ:
            length = self.song.length_ms if self.lb_gives_length else ASSUMED_MS
            return self.start + timedelta(seconds=self.lb_jitter_s, milliseconds=length)
        return self.lastfm_start(kind) + timedelta(milliseconds=ASSUMED_MS)

    def lastfm_start(self, kind: str) -> datetime:
        """The CSV stamps the minute; the API the second."""
        start = (self.start + timedelta(seconds=self.lastfm_jitter_s)).replace(microsecond=0)
        return start.replace(second=0) if kind == LASTFM else start

    @property
    def winner(self) -> str:
        return next(kind for kind in RICHNESS if kind in self.seen_by)

    def seen_as(self, lastfm: str) -> list[str]:
        """The kinds of source that saw it, Last.fm's as `lastfm` (LASTFM or LASTFM_API)."""
        return [lastfm if kind == LASTFM else kind for kind in RICHNESS if kind in self.seen_by]


@dataclass
class Truth:
    kept: Counter[str] = field(default_factory=Counter)
    recognised: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)
    months: Counter[str] = field(default_factory=Counter)


def _catalog(rng: random.Random) -> list[Song]:
    songs = []
    for number in range(60):
        title = f"Song {number}" + (" - Remastered 2011" if number % 5 == 0 else "")
        uri = "spotify:track:" + "".join(rng.choice(ALPHABET) for _ in range(22))
        songs.append(Song(f"Artist {number % 17}", title, f"Album {number % 23}", rng.randint(150, 420) * 1000, uri))
    return songs


def listening(seed: int = 7) -> list[Play]:
    rng = random.Random(seed)
    songs, plays = _catalog(rng), []
    at = datetime(2019, 1, 1, 18, tzinfo=UTC)
    while at < datetime(2025, 1, 1, tzinfo=UTC):
        song = rng.choice(songs)
        for _ in range(rng.randint(2, 8)):
            song = song if rng.random() < 0.1 else rng.choice(songs)  # now and then the same song again
            seen = frozenset(
                kind for kind in RICHNESS if SEEN_FROM[kind] <= at < SEEN_UNTIL[kind] and rng.random() < 0.9
            )
            if seen:
                plays.append(
                    Play(song, at, seen, rng.randint(-5, 5), rng.random() < 0.5, rng.randint(-5, 5), rng.randrange(4))
                )
            at += timedelta(milliseconds=song.length_ms, seconds=rng.randint(0, 90))
        at += timedelta(days=rng.randint(1, 5), hours=rng.randint(-3, 3))
    return plays


def truth(plays: list[Play], lastfm: str = LASTFM) -> Truth:
    """What a ledger must hold once each source is imported, Last.fm's as `lastfm`."""
    found = Truth()
    for play in plays:
        winner, *others = play.seen_as(lastfm)
        found.kept[winner] += 1
        found.months[play.stored_end(winner).strftime("%Y-%m")] += 1
        found.rows[winner] += 1
        for kind in others:
            found.rows[kind] += 1
            found.recognised[kind] += 1
    return found


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def spotify_rows(plays: list[Play]) -> list[dict[str, object]]:
    return [
        {
            "ts": _ts(play.stored_end(SPOTIFY)),
            "ms_played": play.song.length_ms,
            "spotify_track_uri": play.song.uri,
            "master_metadata_track_name": play.song.title,
            "master_metadata_album_artist_name": play.song.artist,
            "master_metadata_album_album_name": play.song.album,
            "reason_start": "trackdone",
            "reason_end": "trackdone",
            "skipped": False,
        }
        for play in plays
        if SPOTIFY in play.seen_by
    ]


def listenbrainz_lines(plays: list[Play]) -> dict[str, list[str]]:
    """listens/<year>/<month>.jsonl (month not zero-padded) -> its lines, as ListenBrainz's exporter writes them."""
    files: dict[str, list[str]] = {}
    for number, play in enumerate(plays):
        if LISTENBRAINZ not in play.seen_by:
            continue
        start = play.start + timedelta(seconds=play.lb_jitter_s)
        artist, title = play.song.scrobbled_as(play.spelling)
        info: dict[str, object] = {"music_service": "spotify.com", "submission_client": "tm tests"}
        if play.lb_gives_length:
            info["duration_ms"] = play.song.length_ms
        listen = {
            "listened_at": int(start.timestamp()),
            "inserted_at": int(start.timestamp()) + 30,
            "recording_msid": f"00000000-0000-4000-8000-{number:012d}",
            "track_metadata": {
                "artist_name": artist,
                "track_name": title,
                "release_name": play.song.album,
                "additional_info": info,
                "mbid_mapping": None,
            },
        }
        files.setdefault(f"listens/{start.year}/{start.month}.jsonl", []).append(json.dumps(listen))
    return files


def lastfm_rows(plays: list[Play]) -> list[list[str]]:
    """artist, album, track, date: what lastfm-to-csv writes (dates in UTC, to the minute, newest first)."""
    rows = []
    for play in plays:
        if LASTFM in play.seen_by:
            artist, title = play.song.scrobbled_as(play.spelling)
            rows.append([artist, play.song.album, title, play.lastfm_start(LASTFM).strftime("%d %b %Y %H:%M")])
    return rows[::-1]


def lastfm_scrobbles(plays: list[Play]) -> list[tuple[int, str, str, str | None]]:
    """(uts, artist, track, album) for the fake Last.fm's API."""
    found = []
    for play in plays:
        if LASTFM in play.seen_by:
            artist, title = play.song.scrobbled_as(play.spelling)
            found.append((int(play.lastfm_start(LASTFM_API).timestamp()), artist, title, play.song.album))
    return found


def write_sources(plays: list[Play], folder: Path, *, reverse: bool = False) -> dict[str, Path]:
    """The three sources' files in `folder`; `reverse`: each file's rows in the opposite order (other bytes, the
    same plays: as a second download of each)."""
    folder.mkdir(parents=True, exist_ok=True)
    order = (lambda rows: rows[::-1]) if reverse else (lambda rows: rows)
    spotify = folder / "Streaming_History_Audio_2021-2024_0.json"
    spotify.write_text(json.dumps(order(spotify_rows(plays))))
    listenbrainz = folder / "listenbrainz_lbuser.zip"
    with zipfile.ZipFile(listenbrainz, "w") as archive:
        archive.writestr("user.json", json.dumps({"user_id": 1, "username": "lbuser"}))
        for name, lines in listenbrainz_lines(plays).items():
            archive.writestr(name, "".join(f"{line}\n" for line in order(lines)))
        archive.writestr("feedback.jsonl", "")
    lastfm = folder / "lastfm.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(order(lastfm_rows(plays)))
    lastfm.write_text(buffer.getvalue())
    return {SPOTIFY: spotify, LISTENBRAINZ: listenbrainz, LASTFM: lastfm}
