"""Hostile modes of the fake Spotify: paging that loops, never ends or leaves the server; answers that drip or
never end; and a second loopback server (``ForeignHost``) that records who sends it what.

``FakeSpotify`` exposes them as ``loop_pages``, ``endless_pages``, ``next_link``, ``drip_next`` and ``giant_next``
(see there); the answers themselves are written here, as raw HTTP, since they are what no well-behaved server sends.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from music_time_machine.testing.fake_core import Failure, FakeState, Request, Response

PageMode = Literal["loop", "endless", "link"]
GIANT_CHUNK = 64 * 1024
EMPTY_PAGE = b'{"items": [], "next": null, "total": 0}'


@dataclass
class PageRule:
    """How to rewrite the ``next`` of every page whose path starts with ``path_prefix``."""

    path_prefix: str
    mode: PageMode
    url: str | None = None  # "link": the next link every page gets
    total: int | None = None  # "endless": the total pages claim (default: the true one)

    def matches(self, request: Request) -> bool:
        return request.method == "GET" and request.path.startswith(self.path_prefix)


def _with_offset(href: str, offset: int) -> str:
    parts = urlsplit(href)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, "offset": offset})))


def rewrite_page(rule: PageRule, response: Response) -> Response:
    """``response`` with its paging links rewritten by ``rule`` (answers that are not a page stay as they are)."""
    page = json.loads(response.body) if response.status == 200 and response.body else None
    if not isinstance(page, dict) or "next" not in page or not isinstance(page.get("href"), str):
        return response
    if rule.mode == "link":
        page["next"] = rule.url
    elif rule.mode == "loop" and page["next"] is None:
        page["next"] = _with_offset(page["href"], 0)  # the last page leads back to the first
    elif rule.mode == "endless":
        page["next"] = _with_offset(page["href"], int(page["offset"]) + int(page["limit"]))
        page["total"] = page["total"] if rule.total is None else rule.total
    return Response(response.status, json.dumps(page).encode(), response.content_type, response.headers)


def _head(status_line: str, headers: dict[str, str]) -> bytes:
    lines = [status_line, *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def drip_answer(interval: float, body_only: bool, size: int) -> Response:
    """A 200 whose bytes come one every ``interval`` seconds (from the status line on, or only the body's)."""
    body = EMPTY_PAGE.ljust(size)
    head = _head("HTTP/1.1 200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))})

    def write(out: BufferedIOBase, stopping: threading.Event) -> None:
        if body_only:
            out.write(head)
            out.flush()
        for byte in body if body_only else head + body:
            if stopping.wait(interval):
                return
            out.write(bytes((byte,)))
            out.flush()

    return Response(200, raw=write)


def giant_answer(size: int, declare_length: bool) -> Response:
    """A 200 with a JSON body of ``size`` bytes, made as it is sent (the fake holds 64 KB of it at a time);
    without ``declare_length`` it has no Content-Length and ends when the connection closes."""
    start, end = b'{"items": [], "next": null, "pad": "', b'"}'
    framing = {"Content-Length": str(size)} if declare_length else {"Connection": "close"}
    head = _head("HTTP/1.1 200 OK", {"Content-Type": "application/json", **framing})

    def write(out: BufferedIOBase, stopping: threading.Event) -> None:
        out.write(head + start)
        left = size - len(start) - len(end)
        while left > 0 and not stopping.is_set():
            chunk = min(left, GIANT_CHUNK)
            out.write(b"x" * chunk)
            left -= chunk
        out.write(end)
        out.flush()

    return Response(200, raw=write)


class HostileModes:
    """FakeSpotify's controls for the modes above, and for foreign playlists that carry tm's marker."""

    _state: FakeState
    _page_rules: list[PageRule]

    def add_playlist(
        self,
        owner_id: str,
        name: str,
        description: str,
        *,
        followers: tuple[str, ...] = (),
        collaborative: bool = False,
    ) -> str:
        """A private playlist of ``owner_id`` (a known user) that ``followers`` also have in their library (and may
        edit, if ``collaborative``); its id. Another user's playlist can carry any description, tm's marker too."""
        with self._state.lock:
            if owner_id not in self._state.users:
                raise KeyError(f"unknown user {owner_id!r}; call add_user() first")
            playlist = self._state.new_playlist(
                owner_id, name, description, public=False, collaborative=collaborative, followers=followers
            )
            return playlist.id

    def _page_rule(self, path_prefix: str, mode: PageMode, url: str | None = None, total: int | None = None) -> None:
        """One rule per prefix: a later call replaces the earlier one."""
        with self._state.lock:
            self._page_rules[:] = [rule for rule in self._page_rules if rule.path_prefix != path_prefix]
            self._page_rules.append(PageRule(path_prefix, mode, url, total))

    def loop_pages(self, path_prefix: str) -> None:
        """The last page of every listing under ``path_prefix`` links back to its first page (a cycle)."""
        self._page_rule(path_prefix, "loop")

    def endless_pages(self, path_prefix: str, *, total: int | None = None) -> None:
        """Every page links to one more (empty ones past the end); pages claim ``total`` items if given."""
        self._page_rule(path_prefix, "endless", total=total)

    def next_link(self, path_prefix: str, url: str) -> None:
        """Every page under ``path_prefix`` gives ``url`` as its ``next`` (another host, plain http, …)."""
        self._page_rule(path_prefix, "link", url)

    def drip_next(
        self, path_prefix: str, interval: float, *, times: int = 1, body_only: bool = False, size: int = 1 << 20
    ) -> None:
        """Answer like a server that sends one byte every ``interval`` seconds: from the status line on, or
        (``body_only``) after the headers; ``size`` bytes of body (a megabyte: it never ends in a test)."""
        self._canned(path_prefix, times, drip_answer(interval, body_only, size))

    def giant_next(self, path_prefix: str, size: int, *, times: int = 1, declare_length: bool = True) -> None:
        """Answer with a ``size``-byte JSON body, with a Content-Length or (not ``declare_length``) until close."""
        self._canned(path_prefix, times, giant_answer(size, declare_length))

    def _canned(self, path_prefix: str, times: int, response: Response) -> None:
        with self._state.lock:
            self._state.failures.append(Failure(path_prefix, None, times, response))


@dataclass(frozen=True)
class ForeignRequest:
    method: str
    path: str
    authorization: str | None


class ForeignHost:
    """Another server on loopback (its own port): records every request it gets, with its Authorization header,
    and answers each with an empty page. Tests point a ``next`` link here to see whether tm follows it."""

    def __init__(self) -> None:
        self.requests: list[ForeignRequest] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                received.append(ForeignRequest(self.command, self.path, self.headers.get("Authorization")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(EMPTY_PAGE)))
                self.end_headers()
                self.wfile.write(EMPTY_PAGE)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ForeignHost:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
