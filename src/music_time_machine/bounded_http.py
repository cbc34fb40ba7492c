"""BoundedSession: every request ends within a deadline and reads at most a size cap, whatever the server does.

requests' timeouts bound each socket operation, not a request: a server that sends one byte every five seconds never
trips a 10 s read timeout, and a 300 MB body is read into memory whole. The one session that spotipy and its token
managers share (and the Last.fm client's own) streams every answer, stops reading past MAX_RESPONSE_BYTES, and shuts
the socket down when the deadline passes, whether the server is still sending the status line, the headers or the
body.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from contextvars import ContextVar
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.poolmanager import PoolManager

from music_time_machine.errors import ConfigError

# Spotify answers in well under a second; its largest answer (a page of 50 full tracks) is about 150 KB, which a
# 100 kbit/s link carries in 12 s. 30 s is three read timeouts, and bounds a hostile drip to one such wait.
REQUEST_DEADLINE_SECONDS = 30.0
# 25x that largest page, and small enough that parsing the worst JSON of this size ({} x 1.4 million) peaks
# at about 120 MB.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class AnswerOutOfBounds(requests.RequestException):
    """An answer tm stopped reading: its str() says why, in words for the listener."""


class AnswerTooSlow(AnswerOutOfBounds):
    pass


class AnswerTooLarge(AnswerOutOfBounds):
    pass


class _Watch:
    """The sockets of one request, shut down when its deadline passes (which ends any blocked read at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expired = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


_current_watch: ContextVar[_Watch | None] = ContextVar("tm_request_watch", default=None)


def _watch_socket(sock: socket.socket | None) -> None:
    """Called as a connection starts reading an answer: the request being sent on this thread watches its socket."""
    watch = _current_watch.get()
    if watch is not None and sock is not None:
        watch.add(sock)


class _WatchedConnection(HTTPConnection):
    """Reports its socket as it starts reading an answer. It comes first among a connection class's bases, so
    the class below it (plain, TLS, through a SOCKS proxy) still makes the connection."""

    def getresponse(self) -> Any:  # urllib3's own signature has no more precise type to offer
        _watch_socket(self.sock)
        return super().getresponse()


@functools.cache
def _watched(pool: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """`pool` whose connections report their sockets (`pool` itself when they do already: requests hands back the
    proxy manager it made for an earlier request)."""
    if issubclass(pool.ConnectionCls, _WatchedConnection):
        return pool
    connection = type(f"Watched{pool.ConnectionCls.__name__}", (_WatchedConnection, pool.ConnectionCls), {})
    watched_pool: type[HTTPConnectionPool] = type(f"Watched{pool.__name__}", (pool,), {"ConnectionCls": connection})
    return watched_pool


def _watch_pools(manager: PoolManager) -> PoolManager:
    """`manager` with each of its pools watched: requests' own, whether direct, through an HTTP(S) proxy or
    through a SOCKS one (a SOCKSProxyManager, whose connections reach the proxy by a socket of PySocks)."""
    manager.pool_classes_by_scheme = {scheme: _watched(pool) for scheme, pool in manager.pool_classes_by_scheme.items()}
    return manager


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter on pools whose connections report their sockets (also through HTTP(S)_PROXY)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        try:
            return _watch_pools(super().proxy_manager_for(proxy, **proxy_kwargs))
        except requests.exceptions.InvalidSchema as error:
            if not proxy.lower().startswith("socks"):  # requests' own test for a SOCKS proxy
                raise
            raise ConfigError(  # the proxy's URL is not told: it may carry a password
                "A SOCKS proxy is set (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY), and tm needs PySocks to use one.",
                hint="Install it with tm: pip install 'music-time-machine[socks]' (or PySocks into tm's environment).",
            ) from error


class BoundedSession(requests.Session):
    """A requests session whose every answer arrives within `deadline` seconds and is at most `max_bytes` long.

    Redirects are never followed: Spotify's API and accounts service send none, and a redirect would carry the
    request (and its Authorization header) somewhere it was not addressed to."""

    def __init__(self, deadline: float = REQUEST_DEADLINE_SECONDS, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        super().__init__()
        self.deadline = deadline
        self.max_bytes = max_bytes
        adapter = _WatchedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs.update(stream=True, allow_redirects=False)
        if kwargs.get("timeout") is None:  # the deadline watches reading; connecting needs a timeout of its own
            kwargs["timeout"] = self.deadline
        watch = _Watch()
        watching = _current_watch.set(watch)
        timer = threading.Timer(self.deadline, watch.expire)
        timer.daemon = True
        timer.start()
        too_slow = AnswerTooSlow(f"it took longer than {self.deadline:g} s to answer", request=request)
        try:
            response = super().send(request, **kwargs)
            response._content = self._capped_body(response)
        except requests.RequestException as error:
            if watch.expired and not isinstance(error, AnswerOutOfBounds):
                raise too_slow from error
            raise
        finally:
            timer.cancel()
            _current_watch.reset(watching)
        if watch.expired:  # cut off where the headers could end: an answer that merely looks complete
            raise too_slow
        return response

    def _capped_body(self, response: requests.Response) -> bytes:
        too_large = f"its answer was larger than {self.max_bytes / 2**20:g} MB"
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared[:20]) > self.max_bytes:  # refused unread
            response.close()
            raise AnswerTooLarge(too_large, response=response)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(CHUNK_BYTES):  # decoded bytes: a gzip bomb counts at its full size
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise AnswerTooLarge(too_large, response=response)
            chunks.append(chunk)
        return b"".join(chunks)
