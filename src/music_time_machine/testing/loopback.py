"""LoopbackFake: the HTTP server under each fake service (Spotify, Last.fm): a thread on 127.0.0.1 at an
ephemeral port, handing every request to the fake's `_dispatch` and writing its `Response` back."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from music_time_machine.testing.fake_core import RecordedRequest, Request, Response, parse_body

POLL_INTERVAL = 0.02  # seconds; bounds how long stop() waits for the serving thread


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        """Quiet when a client gave up on a stalled answer (as tm does on a read timeout); loud otherwise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    allow_reuse_address = True

    def __init__(self, dispatch: Callable[[Request], Response]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dispatch = dispatch
        self.stopping = threading.Event()  # ends the hostile answers still being written
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = parse_body(raw, headers.get("content-type", ""))
        query = parse_qs(url.query, keep_blank_values=True)
        request = Request(self.command, url.path, query, headers, body, self.server.base_url)
        response = self.server.dispatch(request)
        if response.raw is not None:
            self.close_connection = True
            response.raw(self.wfile, self.server.stopping)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.body:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)


class LoopbackFake:
    """Start, stop, the base URL and the request log of a fake; subclasses answer requests in `_dispatch` (and
    `_record` each one)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def _record(self, request: Request) -> None:
        """Log a request the fake answers (tests assert on `requests`)."""
        with self._log_lock:
            self._requests.append(RecordedRequest(request.method, request.path, request.query, request.body))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, in order."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def _dispatch(self, request: Request) -> Response:
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._server = _Server(self._dispatch)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_INTERVAL,), name=self._name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return self._server.base_url
