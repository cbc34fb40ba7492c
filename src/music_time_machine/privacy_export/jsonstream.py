"""Stream the elements of a top-level JSON array without holding the file in memory."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import TextIO

CHUNK = 1 << 16
MAX_ELEMENT = 1 << 20  # a play is ~700 bytes; an element this big means the JSON is broken, not long
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
_TRUNCATED = "the file ends inside the array (truncated?)"
_CLOSED = (dict, list, str)  # values that end with their own closing character, so nothing can follow on


class MalformedJson(ValueError):
    """The file is not (or stops being) a JSON array; the message says where."""


class _Buffer:
    def __init__(self, stream: TextIO, on_read: Callable[[int], None], chunk_size: int) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.on_read = on_read
        self.text = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front, for error positions
        self.eof = False

    def fill(self) -> bool:
        """Read another chunk; False at end of file."""
        if self.eof:
            return False
        chunk = self.stream.read(self.chunk_size)
        self.on_read(len(chunk))
        if not chunk:
            self.eof = True
            return False
        self.offset += self.pos
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    def next_char(self) -> str:
        """The next non-whitespace character (not consumed), or '' at end of file."""
        while True:
            found = _NOT_SPACE.search(self.text, self.pos)
            if found:
                self.pos = found.start()
                return self.text[self.pos]
            self.pos = len(self.text)
            if not self.fill():
                return ""

    def error(self, what: str) -> MalformedJson:
        return MalformedJson(f"{what} at character {self.offset + self.pos}")


def iter_json_array(
    stream: TextIO, on_read: Callable[[int], None] = lambda size: None, chunk_size: int = CHUNK
) -> Iterator[object]:
    """Yield each element of the array in `stream`; raise MalformedJson where the text stops making sense."""
    buffer = _Buffer(stream, on_read, chunk_size)
    decoder = json.JSONDecoder()
    if buffer.next_char() != "[":
        raise buffer.error("not a JSON array")
    buffer.pos += 1
    while True:
        char = buffer.next_char()
        if char == "]":
            return
        if char == "":
            raise buffer.error(_TRUNCATED)
        yield _decode_one(buffer, decoder)
        char = buffer.next_char()
        if char == ",":
            buffer.pos += 1
        elif char == "]":
            return
        elif char == "":
            raise buffer.error(_TRUNCATED)
        else:
            raise buffer.error("expected ',' or ']'")


def _decode_one(buffer: _Buffer, decoder: json.JSONDecoder) -> object:
    """Decode the element at the cursor, reading more while it may run past the end of what we hold."""
    while True:
        room = len(buffer.text) - buffer.pos < MAX_ELEMENT
        try:
            value, end = decoder.raw_decode(buffer.text, buffer.pos)
        except json.JSONDecodeError as error:
            if room and buffer.fill():
                continue
            raise buffer.error(f"invalid JSON ({error.msg})") from None
        if type(value) not in _CLOSED:
            # Only a ',' or ']' after it proves a number or a literal complete: "12" may be the start of "12.5".
            following = _NOT_SPACE.search(buffer.text, end)
            if (following is None or buffer.text[following.start()] not in ",]") and room and buffer.fill():
                continue
        buffer.pos = end
        return value
