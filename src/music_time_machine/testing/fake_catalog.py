"""A deterministic fake music catalogue plus a listening model whose charts drift month by month.

Pure data, no HTTP. Track dicts have the late-2026 development-mode TrackObject shape (no
``popularity``, ``available_markets``, ``linked_from`` or ``preview_url``).

The listening model gives every track one or two "phases" of interest (a quick rise, then a fade)
spread over 2014-01..2030-12. ``short_term`` ranks by interest in the month itself, ``medium_term``
by the mean over the last 6 months and ``long_term`` by the mean over the last 12 months.
"""

from __future__ import annotations

import copy
import functools
import random
import string
from dataclasses import dataclass, replace
from typing import Any

API_BASE = "https://api.spotify.com/v1"
OPEN_BASE = "https://open.spotify.com"
BASE62 = string.digits + string.ascii_letters
ID_LENGTH = 22

TIME_RANGES: dict[str, int] = {"short_term": 1, "medium_term": 6, "long_term": 12}  # window in months
MODEL_START_YEAR = 2014
MODEL_MONTHS = 17 * 12  # 2014-01 .. 2030-12: ten years of demo history before today, and some future
CHART_SIZE = 50
MIN_ACTIVE_TRACKS = 75  # every modelled month has at least this many tracks with interest > 0
BOOMERANG_SHARE = 0.15
MAX_PHASE_MONTHS = 14
MONTHLY_JITTER = (0.4, 1.6)  # month-to-month noise: short_term churns, long_term averages it out

JsonObject = dict[str, Any]

ADJECTIVES = (
    "Velvet",
    "Neon",
    "Paper",
    "Silver",
    "Hollow",
    "Golden",
    "Quiet",
    "Electric",
    "Crimson",
    "Lunar",
    "Wild",
    "Static",
    "Gentle",
    "Broken",
    "Midnight",
    "Amber",
    "Frozen",
    "Distant",
    "Restless",
    "Secret",
    "Violet",
    "Copper",
    "Faded",
    "Burning",
    "Little",
    "Northern",
    "Slow",
    "Bright",
    "Salt",
    "Glass",
)
NOUNS = (
    "Harbor",
    "Lantern",
    "River",
    "Echo",
    "Garden",
    "Signal",
    "Mirror",
    "Highway",
    "Ocean",
    "Comet",
    "Window",
    "Summer",
    "Satellite",
    "Orchard",
    "Thunder",
    "Postcard",
    "Lighthouse",
    "Motel",
    "Horizon",
    "Canyon",
    "Feather",
    "Engine",
    "Island",
    "Parade",
    "Static",
    "Daydream",
    "Avenue",
    "Compass",
    "Ember",
    "Tide",
)
FIRST_NAMES = (
    "Mara",
    "Jonah",
    "Ines",
    "Theo",
    "Lena",
    "Rafael",
    "Noor",
    "Elliot",
    "Sade",
    "Kasper",
    "Yuki",
    "Odette",
)
LAST_NAMES = (
    "Vance",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Castillo",
    "Hart",
    "Nakamura",
    "Byrne",
    "Sorensen",
    "Adler",
)


def _plural(noun: str) -> str:
    return noun + "es" if noun.endswith(("s", "sh", "ch", "x")) else noun + "s"


def base62_id(rng: random.Random) -> str:
    """A Spotify-like 22-character base62 id."""
    return "".join(rng.choice(BASE62) for _ in range(ID_LENGTH))


def month_index(month: str) -> int:
    """Months since 2022-01 for a ``YYYY-MM`` string (negative before the model starts)."""
    year, sep, mon = month.partition("-")
    if not (sep and len(year) == 4 and len(mon) == 2 and year.isdigit() and mon.isdigit()):
        raise ValueError(f"month must look like YYYY-MM, got {month!r}")
    if not 1 <= int(mon) <= 12:
        raise ValueError(f"month out of range: {month!r}")
    return (int(year) - MODEL_START_YEAR) * 12 + int(mon) - 1


def spotify_ref(kind: str, item_id: str, api_base: str = API_BASE) -> JsonObject:
    """The link fields of every Spotify object: ``external_urls``, ``href``, ``id``, ``type``, ``uri``."""
    return {
        "external_urls": {"spotify": f"{OPEN_BASE}/{kind}/{item_id}"},
        "href": f"{api_base}/{kind}s/{item_id}",
        "id": item_id,
        "type": kind,
        "uri": f"spotify:{kind}:{item_id}",
    }


def _phrase(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    adjective, noun, other = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    if pattern == 0:
        return f"{noun} of {_plural(other)}"
    if pattern == 1:
        return f"The {adjective} {noun}"
    return f"{adjective} {noun}"


def _artist_name(rng: random.Random) -> str:
    pattern = rng.randrange(3)
    if pattern == 0:
        return f"The {rng.choice(ADJECTIVES)} {_plural(rng.choice(NOUNS))}"
    if pattern == 1:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}"


def _artist(rng: random.Random) -> JsonObject:
    return {**spotify_ref("artist", base62_id(rng)), "name": _artist_name(rng)}


def _images(rng: random.Random) -> list[JsonObject]:
    code = f"{rng.getrandbits(96):024x}"
    sizes = (("b273", 640), ("1e02", 300), ("4851", 64))
    return [{"url": f"https://i.scdn.co/image/ab67616d0000{tag}{code}", "height": px, "width": px} for tag, px in sizes]


def _album(rng: random.Random, artist: JsonObject) -> JsonObject:
    year = rng.randint(1998, 2024)
    by_day = rng.random() < 0.85
    return {
        "album_type": "album",  # set to "single" once the track count is known
        "artists": [artist],
        "images": _images(rng),
        "name": _phrase(rng),
        "release_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if by_day else str(year),
        "release_date_precision": "day" if by_day else "year",
        "total_tracks": 0,
        **spotify_ref("album", base62_id(rng)),
    }


def _track(rng: random.Random, number: int, album: JsonObject, artists: list[JsonObject]) -> JsonObject:
    registrant = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(3))
    return {
        "album": album,
        "artists": artists,
        "disc_number": 1,
        "duration_ms": rng.randint(95_000, 380_000),
        "explicit": rng.random() < 0.15,
        "external_ids": {"isrc": f"QZ{registrant}{str(album['release_date'])[2:4]}{number:05d}"},
        "is_local": False,
        "is_playable": True,
        "name": _phrase(rng),
        "track_number": album["total_tracks"],
        **spotify_ref("track", base62_id(rng)),
    }


def _build_tracks(
    rng: random.Random, albums: list[JsonObject], artists: list[JsonObject], n_tracks: int
) -> list[JsonObject]:
    tracks = []
    for number in range(n_tracks):
        album = rng.choice(albums)
        album["total_tracks"] += 1
        credited = list(album["artists"])
        if rng.random() < 0.2:
            credited.append(rng.choice([a for a in artists if a is not credited[0]] or artists))
        tracks.append(_track(rng, number, album, credited))
    for album in albums:
        if album["total_tracks"] < 3:
            album["album_type"] = "single"
    return tracks


@dataclass(frozen=True)
class Phase:
    """A stretch of months in which a track is in rotation: rises to ``intensity`` at ``peak``, then fades."""

    start: int
    length: int
    peak: int
    intensity: float

    def interest(self, month: int) -> float:
        t = month - self.start
        if not 0 <= t < self.length:
            return 0.0
        if t <= self.peak:
            return self.intensity * (t + 1) / (self.peak + 1)
        return self.intensity * (self.length - t) / (self.length - self.peak)


def _phase_covering(rng: random.Random, month: int) -> Phase:
    length = round(rng.triangular(1, MAX_PHASE_MONTHS, 2))  # mostly short crushes, a few long loves
    phase = Phase(month, length, rng.randint(0, min(2, length - 1)), round(rng.uniform(0.15, 1.0), 4))
    return replace(phase, start=month - rng.randint(0, length - 1))


def _phase_plan(rng: random.Random, n_tracks: int) -> list[list[Phase]]:
    """One or two phases per track, then extra phases wherever a month would be too quiet."""
    plan = [[_phase_covering(rng, rng.randrange(-6, MODEL_MONTHS))] for _ in range(n_tracks)]
    for phases in plan:
        if rng.random() < BOOMERANG_SHARE:
            first = phases[0]
            phases.append(_phase_covering(rng, first.start + first.length + MAX_PHASE_MONTHS + rng.randint(0, 24)))
    for month in range(MODEL_MONTHS):
        idle = [i for i, phases in enumerate(plan) if not any(p.interest(month) for p in phases)]
        missing = MIN_ACTIVE_TRACKS - (n_tracks - len(idle))
        for i in rng.sample(idle, max(0, min(missing, len(idle)))):
            plan[i].append(_phase_covering(rng, month))
    return plan


@functools.lru_cache(maxsize=64)
def _interest_table(seed: int, user_key: str, n_tracks: int) -> tuple[tuple[float, ...], ...]:
    """Interest per [month][track] for one listener; computed once per process."""
    rng = random.Random(f"{seed}:{user_key}")
    plan = _phase_plan(rng, n_tracks)
    return tuple(
        tuple(sum(p.interest(m) for p in phases) * rng.uniform(*MONTHLY_JITTER) for phases in plan)
        for m in range(MODEL_MONTHS)
    )


class Catalog:
    """Artists, albums and tracks generated from ``seed``, plus per-user monthly charts."""

    def __init__(self, seed: int = 7, n_artists: int = 60, n_tracks: int = 600) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.artists = [_artist(rng) for _ in range(n_artists)]
        self.albums = [_album(rng, artist) for artist in self.artists for _ in range(rng.randint(2, 4))]
        self.tracks = _build_tracks(rng, self.albums, self.artists, n_tracks)
        self._index = {str(track["uri"]): i for i, track in enumerate(self.tracks)}

    def __contains__(self, uri: object) -> bool:
        return uri in self._index

    def track(self, uri: str) -> JsonObject | None:
        """A copy of the track with this ``spotify:track:…`` URI, or None."""
        index = self._index.get(uri)
        return None if index is None else copy.deepcopy(self.tracks[index])

    def interest(self, uri: str, month: int, user_key: str = "") -> float:
        """How much ``user_key`` plays the track in ``month`` (an index from :func:`month_index`)."""
        if not 0 <= month < MODEL_MONTHS:
            return 0.0
        return _interest_table(self.seed, user_key, len(self.tracks))[month][self._index[uri]]

    def chart(self, time_range: str, month: str, user_key: str = "") -> list[JsonObject]:
        """Up to 50 tracks (copies), best first, for ``time_range`` as of ``month`` (``YYYY-MM``)."""
        if time_range not in TIME_RANGES:
            raise ValueError(f"unknown time_range {time_range!r}")
        scores = self._scores(TIME_RANGES[time_range], month_index(month), user_key)
        ranked = sorted((i for i, score in enumerate(scores) if score > 0), key=lambda i: (-scores[i], i))
        return [copy.deepcopy(self.tracks[i]) for i in ranked[:CHART_SIZE]]

    def _scores(self, window: int, end: int, user_key: str) -> list[float]:
        table = _interest_table(self.seed, user_key, len(self.tracks))
        rows = [table[m] for m in range(end - window + 1, end + 1) if 0 <= m < MODEL_MONTHS]
        if not rows:
            return [0.0] * len(self.tracks)
        return [sum(column) / window for column in zip(*rows, strict=True)]
