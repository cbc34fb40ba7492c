"""ListenBrainz exports: `listens/<year>/<month>.jsonl`, one listen per line, as listenbrainz-server's exporter
(listenbrainz/background/export.py) writes them:

    {"listened_at": 1700000000, "inserted_at": 1700000030.52,
     "track_metadata": {"artist_name": "…", "track_name": "…", "release_name": "…", "recording_msid": "…",
                        "additional_info": {"duration_ms": 215000, "spotify_id": "https://open.spotify.com/track/…",
                                            "origin_url": "…", "music_service": "spotify.com", …},
                        "mbid_mapping": {…} or null}}

Before August 2024 the export was one file, `<user>_lb-<date>.json`: a JSON array of the same listens (with
`user_name` and `recording_msid` beside `track_metadata`).

`listened_at` is when the listen started (epoch seconds, possibly with a fraction: PostgreSQL's epoch of a
timestamp). The length is `additional_info.duration_ms`, or `duration` in seconds. The export's other files
(`user.json`, `feedback.jsonl`, `pinned_recording.jsonl`) hold no listens and are not read as any.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles import rows
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.scrobbles.rows import Latest

_decode = json.JSONDecoder().decode


def is_listen(first: object) -> bool:
    """Does a line's object look like a ListenBrainz listen?"""
    return type(first) is dict and "listened_at" in first and type(first.get("track_metadata")) is dict


def _duration(info: dict) -> int | None:
    found = rows.length_ms(info.get("duration_ms"))
    if found is None and type(info.get("duration")) is int:
        found = rows.length_ms(info["duration"] * 1000)
    return found


def listen_of(line: str, latest: Latest) -> Listen | SkipReason:
    try:
        value = _decode(line)
    except (ValueError, RecursionError):  # not JSON, or a number of more digits than int() takes, or too deep
        return SkipReason.MALFORMED
    return _listen(value, latest)


def _listen(value: object, latest: Latest) -> Listen | SkipReason:
    if type(value) is not dict:
        return SkipReason.MALFORMED
    metadata = value.get("track_metadata")
    if type(metadata) is not dict:
        return SkipReason.MALFORMED
    info = metadata.get("additional_info")
    info = info if type(info) is dict else {}
    return rows.listen(
        rows.start_time(value.get("listened_at"), latest.seconds),
        metadata.get("artist_name"),
        metadata.get("track_name"),
        metadata.get("release_name"),
        _duration(info) if info else None,
        rows.spotify_uri(info.get("spotify_id"), info.get("origin_url")) if info else None,
    )


def array_listens(values: Iterator[object], latest: Latest) -> Iterator[Listen | SkipReason]:
    """Each element's listen, from the JSON array of an export before August 2024 (UNREADABLE: malformed)."""
    for value in values:
        yield _listen(value, latest)


def listens(lines: Iterator[str | None], latest: Latest) -> Iterator[Listen | SkipReason]:
    """Each non-blank line's listen (None: a line too long to read, malformed)."""
    for line in lines:
        if line is None:
            yield SkipReason.MALFORMED
        elif not line.isspace():
            yield listen_of(line, latest)
