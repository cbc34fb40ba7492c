"""Stream the elements of a top-level JSON array without holding the file in memory, nor more than a bounded
piece of any one element."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import TextIO

CHUNK = 1 << 16
MAX_ELEMENT = 1 << 16  # characters: a play is ~700, its longest real names a few hundred; past this, no row
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
_STRUCTURE = re.compile(r'"|[\[{]+|[\]}]+')  # outside strings, all that moves the depth of nesting
_STRING_END = re.compile(r'["\\]')
_SCALAR_END = re.compile(r"[,\]} \t\r\n]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # one regex pass over a chunk: a third of two `in` tests
_TRUNCATED = "the file ends inside the array (truncated?)"
_CLOSED = (dict, list, str)  # values that end with their own closing character, so nothing can follow on


class MalformedJson(ValueError):
    """The file is not (or stops being) a JSON array; the message says where."""


class Unreadable:
    """Stands in for an element that is valid JSON but no value a reader can use (see `iter_json_array`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = Unreadable()


class _Buffer:
    def __init__(self, stream: TextIO, on_read: Callable[[int], None], chunk_size: int) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.on_read = on_read
        self.text = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front, for error positions
        self.eof = False
        self.escaped_surrogates = False  # seen a \uD800-\uDFFF escape: from then on, check each decoded element

    def fill(self) -> bool:
        """Read another chunk; False at end of file."""
        if self.eof:
            return False
        chunk = self.stream.read(self.chunk_size)
        self.on_read(len(chunk))
        if not chunk:
            self.eof = True
            return False
        if not self.escaped_surrogates:
            seam = self.text[-5:] + chunk[:5]  # an escape may straddle two chunks
            self.escaped_surrogates = bool(_SURROGATE_ESCAPE.search(chunk) or _SURROGATE_ESCAPE.search(seam))
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
    """Yield each element of the array in `stream`; raise MalformedJson where the text stops making sense.

    An element that is valid JSON but beyond reading yields UNREADABLE and the array goes on: longer than
    MAX_ELEMENT characters (passed over holding at most a chunk more than that), nested deeper than Python's
    recursion limit, a number of more digits than Python converts (4,300), or a string with half a UTF-16
    surrogate pair (I-JSON, RFC 7493, forbids them; no UTF-8 text can hold one)."""
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
            invalid = buffer.error(f"invalid JSON ({error.msg})")
            held = buffer.offset + len(buffer.text)
            if room or _skip_value(buffer) <= held:  # it ends within what the decoder saw: broken, not long
                raise invalid from None
            return UNREADABLE
        except (ValueError, RecursionError):  # too many digits for int(), too deep for the decoder
            _skip_value(buffer)
            return UNREADABLE
        if type(value) not in _CLOSED:
            # Only a ',' or ']' after it proves a number or a literal complete: "12" may be the start of "12.5".
            following = _NOT_SPACE.search(buffer.text, end)
            if (following is None or buffer.text[following.start()] not in ",]") and room and buffer.fill():
                continue
        start, buffer.pos = buffer.pos, end
        if end - start > MAX_ELEMENT or (buffer.escaped_surrogates and _half_a_pair(buffer.text, start, end, value)):
            return UNREADABLE  # the bound holds exactly, wherever the chunks happened to end
        return value


def _half_a_pair(text: str, start: int, end: int, value: object) -> bool:
    """Whether the element `text[start:end]`, decoded as `value`, holds half a surrogate pair: only an element
    that itself escapes a surrogate is encoded to find out (a file saved with ASCII escapes has them in emoji)."""
    if not _SURROGATE_ESCAPE.search(text, start, end):
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def _skip_value(buffer: _Buffer) -> int:
    """Move the cursor past the value that starts at it without decoding it, dropping what it has passed, so that
    an element of any length costs one chunk of memory; return where it ends (a character position)."""
    if buffer.text[buffer.pos] not in '"[{':
        buffer.pos = _find(buffer, _SCALAR_END).start()
        return buffer.offset + buffer.pos
    depth, in_string = 0, False
    while True:
        found = _find(buffer, _STRING_END if in_string else _STRUCTURE)
        token, buffer.pos = found.group(), found.end()
        if token == "\\":
            if buffer.pos == len(buffer.text) and not buffer.fill():
                raise buffer.error(_TRUNCATED)
            buffer.pos += 1  # the escaped character, which may be a quote
        elif token == '"':
            in_string = not in_string
        elif token[0] in "[{":
            depth += len(token)
        elif depth <= len(token):  # the run of closing brackets closes this element (and maybe its array)
            buffer.pos = found.start() + depth
            return buffer.offset + buffer.pos
        else:
            depth -= len(token)
        if depth == 0 and not in_string:  # a string on its own
            return buffer.offset + buffer.pos


def _find(buffer: _Buffer, pattern: re.Pattern[str]) -> re.Match[str]:
    """The next match of `pattern` from the cursor, reading on (and dropping what lies behind) until there is one."""
    while (found := pattern.search(buffer.text, buffer.pos)) is None:
        buffer.pos = len(buffer.text)
        if not buffer.fill():
            raise buffer.error(_TRUNCATED)
    return found
