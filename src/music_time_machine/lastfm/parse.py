"""user.getRecentTracks answers (format=json) as Last.fm sends them, into `Listen`s.

Its quirks: `recenttracks.track` is a list, or one object when there is one, or missing; a now-playing entry
(`@attr.nowplaying`, no `date`) is not a scrobble and is left out; `date.uts` is the start, epoch seconds as a
string; `artist` is `{"#text": name, "mbid"}` (`{"name": …}` with extended=1); an empty album `#text` is none;
`@attr` holds `page`, `totalPages` and `total` as strings.
"""

from __future__ import annotations

from typing import NamedTuple

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import rows
from music_time_machine.scrobbles.listen import Listen

MAX_PAGES = 10_000_000  # 2 billion scrobbles at 200 a page: a larger count is no real account's


class RecentTracksPage(NamedTuple):
    listens: list[Listen | SkipReason]  # the page's scrobbles, now playing left out
    page: int
    total_pages: int
    total: int


class UnexpectedAnswer(ValueError):
    """The answer is not the shape Last.fm sends."""


def _text(value: object, *keys: str) -> object:
    if type(value) is dict:
        return next((value[key] for key in keys if key in value), None)
    return value


def _count(attributes: dict, key: str) -> int:
    value = attributes.get(key, "0")
    text = str(value) if type(value) in (str, int) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or int(text) > MAX_PAGES * 200:
        raise UnexpectedAnswer(f"@attr.{key} is not a count")
    return int(text)


def _listen(entry: object, latest_s: int) -> Listen | SkipReason | None:
    """A track entry: a listen, malformed, or None when it is the track playing now."""
    if type(entry) is not dict:
        return SkipReason.MALFORMED
    attributes = entry.get("@attr")
    if type(attributes) is dict and attributes.get("nowplaying") in ("true", True):
        return None
    uts = _text(entry.get("date"), "uts")
    seconds = int(uts) if type(uts) is str and uts.isascii() and uts.isdigit() and len(uts) <= 12 else None
    started_at = None if seconds is None else rows.start_time(seconds, latest_s)
    artist = _text(entry.get("artist"), "#text", "name")
    album = _text(entry.get("album"), "#text")
    return rows.listen(started_at, artist, entry.get("name"), album or None, None, None)


def recent_tracks_page(answer: object, latest_s: int) -> RecentTracksPage:
    """Raises UnexpectedAnswer when `answer` is not a page of recent tracks."""
    recent = answer.get("recenttracks") if type(answer) is dict else None
    if type(recent) is not dict or type(recent.get("@attr")) is not dict:
        raise UnexpectedAnswer("no recenttracks with @attr")
    attributes = recent["@attr"]
    entries = recent.get("track", [])
    entries = entries if type(entries) is list else [entries]
    listens = [found for found in (_listen(entry, latest_s) for entry in entries) if found is not None]
    total_pages = min(_count(attributes, "totalPages"), MAX_PAGES)
    return RecentTracksPage(listens, _count(attributes, "page"), total_pages, _count(attributes, "total"))
