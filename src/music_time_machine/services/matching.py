"""When two rows from different sources are one play: the dedupe rules of the ledger (README "One ledger").

Pure functions over rows, so that property tests need neither a database nor a server.

- Two rows are the same play when their artist and title are the same once normalised (`match_key`: case, Unicode
  forms, curly quotes, "feat." parts, remaster suffixes), and their starts lie within the pair's tolerance: half
  the shorter of their lengths, at least MIN_TOLERANCE_MS (Last.fm CSVs stamp the minute) and at most
  MAX_TOLERANCE_MS. A repeat of a song starts a whole length after the first play, so it stays a play of its own
  (the exception: a song under 1:45 played twice in a row, seen by two scrobblers that give no length, whose
  length is taken as 3:30 by both).
  Rows that end in the same minute under the same names (what the store's unique index keys on) are the same play
  too.
- A Spotify row's start is its end minus the ms it played; a scrobble's start is what the service stamped.
- The richer row wins (`RANKS`: Spotify's exports, then its recently-played API, then ListenBrainz, then Last.fm):
  a row meets the known plays near it; it is recognised when one of them is at least as rich, else it is kept and
  replaces those poorer. Spotify's rows among themselves keep the store's rules (the unique index, sync's
  nearness), so a pair of two Spotify rows is never judged here.
- Rows of one source are judged the same play only when they start in the same second: a scrobbler that sends a
  song twice a minute apart made two rows, and a file read twice is refused by its hash before this.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from music_time_machine.models import MatchRule, ascii_lower

RANKS = {"extended": 0, "account": 0, "recently-played": 1, "listenbrainz": 2, "lastfm": 3, "lastfm-csv": 3}
SPOTIFY_RANK = RANKS["recently-played"]  # ranks up to this one are Spotify's own
MIN_TOLERANCE_MS = 60_000
MAX_TOLERANCE_MS = 300_000

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_FEATURING = r"(?:feat\.?|ft\.?|featuring)"
_BRACKETED_FEATURING = re.compile(rf"\s*[(\[]\s*{_FEATURING}\s[^)\]]*[)\]]")
_TRAILING_FEATURING = re.compile(rf"\s+{_FEATURING}\s.*$")
_REMASTER = r"(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+\d{4})?(?:\s+(?:version|edition))?"
_DASHED_REMASTER = re.compile(rf"\s+-\s+{_REMASTER}\s*$")
_BRACKETED_REMASTER = re.compile(rf"\s*[(\[]\s*{_REMASTER}\s*[)\]]\s*$")
_SPACES = re.compile(r"\s+")


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)  # a history plays the same few thousand tracks again and again
def match_key(artist: str, title: str) -> tuple[str, str]:
    """The artist and title two sources' rows of one play share: "Song - 2011 Remaster" by "A feat. B" is
    ("a", "song"), like "Song (feat. B)" by "A"."""
    artist = _TRAILING_FEATURING.sub("", _normal(artist))
    title = _BRACKETED_FEATURING.sub("", _normal(title))
    title = _BRACKETED_REMASTER.sub("", _DASHED_REMASTER.sub("", title))
    title = _TRAILING_FEATURING.sub("", title)
    return artist.strip() or _normal(artist), title.strip() or _normal(title)


class Seen(NamedTuple):
    """A row as the rules see it: a known play (`ref` its id) or an incoming row (`ref` its place in the batch)."""

    ref: int
    start_ms: int  # epoch milliseconds
    length_ms: int  # ms played (Spotify) or the track's length (a scrobble)
    key: tuple[str, str]  # match_key
    minute_key: tuple[str, str, str]  # minute of the stored end, ascii_lower(artist), ascii_lower(title)
    rank: int
    source_id: int


class Match(NamedTuple):
    incoming: int  # ref of the incoming row
    known: int  # ref (id) of the known play
    rule: MatchRule
    apart_ms: int  # between the two starts
    tolerance_ms: int  # the pair's


class Decisions(NamedTuple):
    recognised: list[Match]  # incoming rows that are a known play at least as rich: not stored
    replaced: list[Match]  # known plays poorer than an incoming row that is the same play: it takes their place


def seen(ref: int, end: str, start_ms: int, length_ms: int, artist: str, title: str, rank: int, source_id: int) -> Seen:
    """`end`: the stored end time (YYYY-MM-DDTHH:MM:SSZ)."""
    minute_key = (end[:16], ascii_lower(artist), ascii_lower(title))
    return Seen(ref, start_ms, length_ms, match_key(artist, title), minute_key, rank, source_id)


def tolerance_ms(first: Seen, second: Seen) -> int:
    """Half the shorter length: a repeat starts at least the first play's length after it."""
    return min(max(min(first.length_ms, second.length_ms) // 2, MIN_TOLERANCE_MS), MAX_TOLERANCE_MS)


def why_same(row: Seen, known: Seen) -> Match | None:
    """Why two rows are one play, or None when they are not (or are both Spotify's, judged by the store)."""
    if row.key != known.key or (row.rank <= SPOTIFY_RANK and known.rank <= SPOTIFY_RANK):
        return None
    apart, limit = abs(row.start_ms - known.start_ms), tolerance_ms(row, known)
    if row.source_id == known.source_id:
        rule = MatchRule.SAME_SECOND if apart < 1000 else None
    elif row.minute_key == known.minute_key:
        rule = MatchRule.SAME_MINUTE
    else:
        rule = MatchRule.NEAR_START if apart <= limit else None
    return None if rule is None else Match(row.ref, known.ref, rule, apart, limit)


def _near(row: Seen, plays: list[Seen], starts: list[int], same_minute: list[Seen]) -> list[Match]:
    """How `row` is the same play as known ones (of its key, sorted by start); a play ending in the same minute
    under the same names is one however long it lasted."""
    low = bisect_left(starts, row.start_ms - MAX_TOLERANCE_MS)
    candidates = []
    for play in plays[low:]:
        if play.start_ms > row.start_ms + MAX_TOLERANCE_MS:
            break
        candidates.append(play)
    candidates.extend(play for play in same_minute if play not in candidates)
    return [match for match in (why_same(row, play) for play in candidates) if match is not None]


def decide(incoming: Iterable[Seen], known: Iterable[Seen]) -> Decisions:
    """Each incoming row against the known plays: recognised as the nearest at least as rich, or kept in place of
    every poorer one that is the same play."""
    by_key: dict[tuple[str, str], list[Seen]] = defaultdict(list)
    by_minute: dict[tuple[str, str, str], list[Seen]] = defaultdict(list)
    for play in known:
        by_key[play.key].append(play)
        by_minute[play.minute_key].append(play)
    for plays in by_key.values():
        plays.sort(key=lambda play: play.start_ms)
    starts = {key: [play.start_ms for play in plays] for key, plays in by_key.items()}
    ranks = {play.ref: play.rank for plays in by_key.values() for play in plays}
    recognised: list[Match] = []
    replaced: dict[int, Match] = {}
    for row in incoming:
        near = _near(row, by_key.get(row.key, []), starts.get(row.key, []), by_minute.get(row.minute_key, []))
        richer = [match for match in near if ranks[match.known] <= row.rank]
        if richer:
            recognised.append(min(richer, key=lambda match: (match.apart_ms, match.known)))
            continue
        for match in near:
            replaced.setdefault(match.known, match)
    return Decisions(recognised, list(replaced.values()))
