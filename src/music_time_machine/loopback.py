"""Our own login callback listener (spotipy's hangs headless, has no timeout, and dies on a favicon request).

It binds only the redirect URI's loopback host and port, ignores stray requests, checks `state`, answers the
browser with a short page, and handles exactly one callback.
"""

from __future__ import annotations

import errno
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from music_time_machine.config import RedirectTarget
from music_time_machine.errors import LoginFailed

PAGE = "<!doctype html><title>tm</title><h1>{}</h1><p>{}</p>"


class PortBusy(LoginFailed):
    pass


class StateMismatch(LoginFailed):
    pass


class _Page(NamedTuple):
    """What the browser is shown after a callback."""

    status: int
    title: str
    text: str


def code_from_query(query: str, expected_state: str) -> str:
    """The authorization code from a callback query string, after checking state and errors."""
    params = {key: values[0] for key, values in parse_qs(query).items()}
    if params.get("state") != expected_state:
        raise StateMismatch(
            "The login answer did not carry the state tm sent (possible forgery); nothing saved.",
            hint="Run `tm login` again.",
        )
    if "error" in params:
        raise LoginFailed(
            f"Spotify did not log you in: {params['error']}.",
            hint="Run `tm login` again and accept the request to continue.",
        )
    if not params.get("code"):
        raise LoginFailed("The login answer carried no authorization code.", hint="Run `tm login` again.")
    return params["code"]


def code_from_url(url: str, expected_state: str) -> str:
    """For the paste fallback: the full URL the browser was redirected to."""
    return code_from_query(urlsplit(url.strip()).query, expected_state)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: RedirectTarget, state: str) -> None:
        self.address_family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
        self.target = target
        self.expected_state = state
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.code: str | None = None
        self.failure: LoginFailed | None = None  # the final answer when it is a refusal
        self.rejected: LoginFailed | None = None  # the last callback we ignored (wrong state)
        super().__init__((target.host, target.port), _Handler)

    def settle(self, query: str) -> tuple[bool, _Page]:
        """Judge one callback; the first valid answer wins. Returns (decided, the page to show the browser)."""
        with self.lock:
            if self.code is not None or self.failure is not None:
                return False, _Page(409, "Already handled", "tm has already received a login answer.")
            try:
                self.code = code_from_query(query, self.expected_state)
            except StateMismatch as mismatch:  # a stale tab of an earlier login, or a forgery: keep waiting
                self.rejected = mismatch
                return False, _Page(400, "Login failed", mismatch.message)
            except LoginFailed as failure:
                self.failure = failure
                return True, _Page(400, "Login failed", failure.message)
        return True, _Page(200, "Logged in to tm", "You can close this tab and return to the terminal.")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.target.path or not ({"code", "error"} & parse_qs(parts.query).keys()):
            self._answer(_Page(404, "Not found", "This is tm's login listener; it only answers the Spotify callback."))
            return
        decided, page = self.server.settle(parts.query)
        try:
            self._answer(page)
        finally:  # only after the browser has its page (or has gone): then tm may close the listener
            if decided:
                self.server.done.set()

    def _answer(self, page: _Page) -> None:
        from html import escape

        body = PAGE.format(escape(page.title), escape(page.text)).encode()
        self.send_response(page.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request line carries the authorization code."""


class RedirectReceiver:
    """Listen before printing the URL, then `wait()` for the browser to come back."""

    def __init__(self, target: RedirectTarget, state: str) -> None:
        try:
            self._server = _Server(target, state)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortBusy(
                    f"Port {target.port} on {target.host} is in use, so tm cannot receive the login.",
                    hint="Stop whatever uses it, or set SPOTIPY_REDIRECT_URI to another port "
                    "(and register that URI in your Spotify app).",
                ) from error
            raise LoginFailed(f"Cannot listen on {target.host}:{target.port}: {error.strerror}.") from error
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def wait(self, timeout: float) -> str:
        try:
            if not self._server.done.wait(timeout):
                if self._server.rejected:
                    raise self._server.rejected
                raise LoginFailed(
                    f"No answer from the browser within {timeout:g} seconds; gave up.",
                    hint="Run `tm login` again (use --timeout to wait longer).",
                )
            if self._server.failure:
                raise self._server.failure
            assert self._server.code is not None
            return self._server.code
        finally:
            self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
