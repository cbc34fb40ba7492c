"""What strangers wrote is shown, never obeyed: the one rule for every character tm prints (and refuses to schedule
or to read as a zip member's name).

Names (tracks, playlists, display names), Spotify's error texts and file names reach the terminal through
messages, tables, errors and progress lines. A terminal obeys some characters as commands: ESC and the C1
controls start escape sequences (colours, cursor moves, OSC 52 clipboard writes, window titles), bidi overrides
reorder what follows, and line and paragraph separators (U+2028, U+2029, NEL U+0085) start a new line that looks
like one of tm's own. Each of them is shown as U+FFFD (a tab as a space). File names that are not UTF-8 arrive
as lone surrogates, which cannot be written at all; they become U+FFFD too.

JSON keeps every character: those characters are written as `\\uXXXX` escapes, which any JSON reader turns back
into the same text, so `--json` on a terminal is safe and a pipe gets the data unchanged.
"""

from __future__ import annotations

import json

REPLACEMENT = "\ufffd"

_UNSAFE = [
    *range(0x00, 0x20),  # C0 controls: ESC, BEL, backspace, CR, LF, …
    *range(0x7F, 0xA0),  # DEL and the C1 controls (CSI is U+009B, NEL U+0085)
    0x061C,  # Arabic letter mark
    0x200E,  # left-to-right and right-to-left marks
    0x200F,
    *range(0x2028, 0x202F),  # line and paragraph separators, bidi embeddings and overrides (U+202A to U+202E)
    *range(0x2066, 0x206A),  # bidi isolates
    *range(0xD800, 0xE000),  # lone surrogates (undecodable bytes of a file name)
]
_SHOWN = dict.fromkeys(_UNSAFE, REPLACEMENT) | {ord("\t"): " "}
_ESCAPED = {code: f"\\u{code:04x}" for code in _UNSAFE if code >= 0x7F}  # json.dumps escapes C0 itself


def printable(text: str) -> str:
    """`text` as one line that a terminal shows and never obeys."""
    return text.translate(_SHOWN)


def is_printable(text: str) -> bool:
    """Whether `text` holds nothing a terminal (or a crontab or unit file, read line by line) would obey."""
    return printable(text) == text


def one_line(text: str) -> str:
    """A message of several lines (a database's error with its DETAIL and LINE parts) as one line."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def json_text(data: object, indent: int | None = None) -> str:
    """`data` as JSON that is safe on a terminal and reads back to exactly `data`."""
    return json.dumps(data, indent=indent, ensure_ascii=False).translate(_ESCAPED)
