"""tm through a proxy: a SOCKS5 proxy (socks5h:// and socks5://, through PySocks) and an HTTP proxy, each a minimal
server on loopback in front of the fake Spotify. Requests arrive, and the deadline still cuts a dripping answer
off, because each pool requests picks for a proxy is watched.

The fake speaks plain HTTP on loopback, so the proxy variables that carry its requests are `http_proxy` and
`HTTP_PROXY`; they are set with the `https_proxy` pair, as a listener would set them for api.spotify.com. HTTPS
itself (TLS on a PySocks socket, TLS in a CONNECT tunnel) is tried at the end, against a loopback server with a
certificate of its own."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from music_time_machine.bounded_http import AnswerTooSlow, BoundedSession
from music_time_machine.config import load_settings
from music_time_machine.errors import SpotifyError
from music_time_machine.models import TimeRange
from music_time_machine.spotify.client import SpotifyClient

from conftest import Tm

pytestmark = pytest.mark.sqlite_only  # about the network; the database only holds the login's listener

DEADLINE = 1.0
TOP_TRACKS = "/v1/me/top/tracks"


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _tunnel(client: socket.socket, upstream: socket.socket) -> None:
    answers = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
    answers.start()
    _pipe(client, upstream)
    answers.join()


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client hung up mid-handshake")
        data += chunk
    return data


class _Socks5(socketserver.BaseRequestHandler):
    """RFC 1928, as far as a client needs: no authentication, CONNECT to an IPv4 address or a name."""

    server: _Proxy

    def handle(self) -> None:
        client = self.request
        _version, methods = _exactly(client, 2)
        _exactly(client, methods)
        client.sendall(b"\x05\x00")  # version 5, no authentication
        _version, _connect, _reserved, kind = _exactly(client, 4)
        host = _exactly(client, _exactly(client, 1)[0]).decode() if kind == 3 else socket.inet_ntoa(_exactly(client, 4))
        port = struct.unpack("!H", _exactly(client, 2))[0]
        self.server.targets.append(f"{host}:{port}")
        upstream = socket.create_connection((host, port))
        client.sendall(b"\x05\x00\x00\x01" + bytes(6))  # succeeded; the bound address is of no use to anyone
        _tunnel(client, upstream)


class _HttpProxy(BaseHTTPRequestHandler):
    """A forward proxy: plain HTTP, whose request line carries the whole URL (the answer is passed on whole), and
    CONNECT, a tunnel to the host and port it names (for HTTPS)."""

    server: _Proxy
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        target = urlsplit(self.path)
        self.server.targets.append(target.netloc)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name: value for name, value in self.headers.items() if name.lower() != "proxy-connection"}
        upstream = http.client.HTTPConnection(target.netloc, timeout=60)
        upstream.request(self.command, f"{target.path}?{target.query}" if target.query else target.path, body, headers)
        answer = upstream.getresponse()
        content = answer.read()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        self.server.targets.append(self.path)
        upstream = socket.create_connection((host, int(port)))
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        _tunnel(self.connection, upstream)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True
    targets: list[str]  # host:port of each connection (SOCKS) or request (HTTP) it was asked for


@contextmanager
def proxy(scheme: str) -> Iterator[tuple[str, list[str]]]:
    """A proxy of `scheme` (socks5h, socks5 or http) on loopback: its URL and the targets it was asked for."""
    server = _Proxy(("127.0.0.1", 0), _HttpProxy if scheme == "http" else _Socks5)
    server.targets = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", server.targets
    finally:
        server.shutdown()
        server.server_close()


def through(proxy_url: str) -> dict[str, str]:
    """The environment that sends every request through `proxy_url`, loopback included (requests reads the
    lowercase names first, the uppercase ones too)."""
    variables = {"http_proxy": proxy_url, "https_proxy": proxy_url, "no_proxy": ""}
    return {**variables, **{name.upper(): value for name, value in variables.items()}}


@pytest.mark.parametrize("scheme", ["socks5h", "socks5", "http"])
def test_tm_reaches_spotify_through_a_proxy(logged_in: Tm, scheme: str) -> None:
    logged_in.fake.clear_requests()
    with proxy(scheme) as (url, targets):
        result = logged_in("top", "--json", extra_env=through(url))

    assert result.exit_code == 0, result.output
    assert logged_in.fake.count("GET", TOP_TRACKS) == 1
    fake = urlsplit(logged_in.fake.api_url).netloc
    assert targets
    assert set(targets) == {fake}  # every request went through the proxy, and only to the fake


@pytest.mark.parametrize("scheme", ["socks5h", "http"])
def test_the_deadline_cuts_a_dripping_answer_off_through_a_proxy(
    logged_in: Tm, scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five seconds of drip (never a read timeout) against a deadline of one: cut off at the deadline."""
    logged_in.fake.drip_next(TOP_TRACKS, 0.05, body_only=True, size=100)
    settings = load_settings(logged_in.env, Path.cwd())
    client = SpotifyClient(
        settings,
        logged_in.tokens,
        wait=lambda seconds, reason: None,
        clock=lambda: datetime.now(UTC),
        deadline=DEADLINE,
    )
    with proxy(scheme) as (url, targets):
        for name, value in through(url).items():
            monkeypatch.setenv(name, value)
        started = time.monotonic()
        with pytest.raises(SpotifyError, match=f"it took longer than {DEADLINE:g} s to answer"):
            client.top_tracks(TimeRange.SHORT)

    assert time.monotonic() - started < 3 * DEADLINE
    assert targets


def test_a_socks_proxy_without_pysocks_is_one_clear_error(logged_in: Tm) -> None:
    """PySocks is an extra (`music-time-machine[socks]`): the tm of a machine without it says so, and never
    tells the proxy's URL, which may carry a password."""
    without_pysocks = "import runpy, sys; sys.modules['socks'] = None; runpy.run_module('music_time_machine')"
    proxy_url = "socks5h://someone:s3cret@127.0.0.1:9"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(logged_in.home), **logged_in.env, **through(proxy_url)}

    done = subprocess.run([sys.executable, "-c", without_pysocks, "top"], env=env, capture_output=True, text=True)

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "Error: A SOCKS proxy is set (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY), and tm needs PySocks to use one.",
        "Hint: Install it with tm: pip install 'music-time-machine[socks]' (or PySocks into tm's environment).",
    ]
    assert "s3cret" not in done.stdout + done.stderr


# --- HTTPS (as to api.spotify.com): TLS through the tunnel, to a loopback server with a certificate of its own ---


class _TlsAnswers(BaseHTTPRequestHandler):
    """/: a JSON answer; /drip: 100 bytes of body, one every 50 ms (five seconds, and never a read timeout)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        dripping = self.path == "/drip"
        body = b" " * 100 if dripping else b'{"answered": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):  # the client gave up on the drip
            if not dripping:
                self.wfile.write(body)
            for at in range(len(body) if dripping else 0):
                time.sleep(0.05)
                self.wfile.write(body[at : at + 1])
                self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on loopback: its URL and the certificate to trust it by (made by openssl for 127.0.0.1)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl here to make a certificate with")
    folder = tmp_path_factory.mktemp("tls")
    key, certificate = folder / "key.pem", folder / "certificate.pem"
    make = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1"
    subprocess.run(
        ["openssl", *make.split(), "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    server = _Proxy(("127.0.0.1", 0), _TlsAnswers)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", certificate
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("scheme", ["socks5h", "http"])
def test_https_through_a_proxy_is_answered_and_held_to_the_deadline(tls_server: tuple[str, Path], scheme: str) -> None:
    """HTTPS_PROXY=socks5h://… puts TLS on a PySocks socket, HTTPS_PROXY=http://… on a CONNECT tunnel: both are
    watched, so the five-second drip ends at the one-second deadline."""
    url, certificate = tls_server
    session = BoundedSession(deadline=DEADLINE)
    with proxy(scheme) as (proxy_url, targets):
        answer = session.get(f"{url}/", proxies={"https": proxy_url}, verify=str(certificate))
        started = time.monotonic()
        with pytest.raises(AnswerTooSlow):
            session.get(f"{url}/drip", proxies={"https": proxy_url}, verify=str(certificate))
        took = time.monotonic() - started

    assert answer.json() == {"answered": True}
    assert took < 3 * DEADLINE
    assert set(targets) == {urlsplit(url).netloc}
