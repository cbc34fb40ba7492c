"""Pages in a real headless Chromium (a pytest plugin; tests/conftest.py loads it through `pytest_plugins`).

`browser.open(path)` loads a local file from file:// in a fresh page and records what a self-contained page must
never do: console errors, uncaught exceptions, and requests other than file: and data: (blocked, and counted).
Playwright drives the system's Chromium (found as tm finds it: TM_CHROMIUM, else on PATH); it never downloads one.
Without a browser the tests skip with the reason, unless TM_BROWSER_TESTS=required (CI), where they fail."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, NoReturn

import pytest

from music_time_machine.browser import NO_NETWORK_FLAGS, find_browser
from music_time_machine.errors import TmError

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PlaywrightBrowser
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Route, WebSocketRoute

ALLOWED_SCHEMES = ("file:", "data:")
PAGE_TIMEOUT_MS = 15_000  # one page's load, query or screenshot; a page that needs longer is a failure itself


def page(folder: Path, body: str, name: str = "page.html") -> Path:
    """A test's own small page `folder/name`: `body` is what follows its <head> (a <style>, a <body>)."""
    path = folder / name
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head>{body}</html>")
    return path


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (bytes 16-24), read without any image library."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _unavailable(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it where browser tests are required (CI)."""
    if os.environ.get("TM_BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required (TM_BROWSER_TESTS=required), but {reason}", pytrace=False)
    pytest.skip(f"browser tests: {reason}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium or Chrome to test with: TM_CHROMIUM, else the first on PATH (as `tm wrapped --png` finds it)."""
    try:
        return find_browser(os.environ.get("TM_CHROMIUM") or None)
    except TmError as error:
        _unavailable(f"{error.message} {error.hint or ''}".strip())


@pytest.fixture(scope="session")
def _chromium(chromium_path: str) -> Iterator[PlaywrightBrowser]:
    """One browser for the whole session (starting one costs ~0.5 s); each test gets fresh pages of it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=[*NO_NETWORK_FLAGS, *sandbox])
        try:
            yield browser
        finally:
            browser.close()


class Box(NamedTuple):
    """An element's bounding box in CSS pixels, and its text."""

    left: float
    top: float
    right: float
    bottom: float
    text: str

    def meets(self, other: Box) -> bool:
        """Whether the two boxes share any area (touching edges do not count)."""
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )


class Accessible(NamedTuple):
    """A node of the page's accessibility tree, as a screen reader meets it."""

    name: str
    description: str


@dataclass
class LoadedPage:
    """A page after its `load` event, with everything it tried that a self-contained page must not."""

    page: Page
    default_screenshots: Path  # where screenshots go when TM_SCREENSHOTS is not set
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, allowed or not
    blocked: list[str] = field(default_factory=list)  # those refused: neither file: nor data:
    load_ms: float = 0.0  # from the start of navigation to the end of the load event, as the page measured it

    def query_count(self, css: str) -> int:
        return self.page.locator(css).count()

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def texts(self, css: str) -> list[str]:
        """The text content of each element matching `css` (SVG's <title> included, which has no innerText)."""
        return self.page.locator(css).all_text_contents()

    def accessible(self, role: str) -> list[Accessible]:
        """The nodes of `role` (Chromium's name for it: "image", "figure", "graphics-symbol", ...) that a screen
        reader meets, in page order: Chromium's own accessibility tree (CDP), without the nodes it ignores."""
        session = self.page.context.new_cdp_session(self.page)
        try:
            nodes = session.send("Accessibility.getFullAXTree")["nodes"]
        finally:
            session.detach()
        return [
            Accessible(node.get("name", {}).get("value", ""), node.get("description", {}).get("value", ""))
            for node in nodes
            if not node.get("ignored") and node.get("role", {}).get("value") == role
        ]

    def boxes(self, css: str) -> list[Box]:
        """Where each element matching `css` is drawn (its bounding box in CSS pixels) and its text."""
        found = self.page.evaluate(
            "css => [...document.querySelectorAll(css)].map(element => {"
            " const box = element.getBoundingClientRect();"
            " return [box.left, box.top, box.right, box.bottom, element.textContent]; })",
            css,
        )
        return [Box(*box) for box in found]

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """The viewport (or the whole page) as `<name>.png` in $TM_SCREENSHOTS (CI keeps them), else in the test's
        tmp_path; its path is printed (pytest shows it for a failing test) and returned."""
        shots = os.environ.get("TM_SCREENSHOTS")
        folder = Path(shots) if shots else self.default_screenshots
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _route(self, route: Route) -> None:
        if route.request.url.startswith(ALLOWED_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _route_socket(self, socket: WebSocketRoute) -> None:
        """Every WebSocket is refused before it connects (no page of tm's has a reason to open one)."""
        self.requests.append(socket.url)
        self.blocked.append(socket.url)
        socket.close()


@dataclass
class Browser:
    """Opens local pages, each in a fresh context (no cache, cookies or storage shared between pages)."""

    chromium: PlaywrightBrowser
    default_screenshots: Path
    _contexts: list[BrowserContext] = field(default_factory=list)

    def open(
        self,
        path: Path,
        *,
        width: int = 1280,
        height: int = 800,
        color_scheme: Literal["light", "dark"] = "light",
        reduced_motion: bool = False,
    ) -> LoadedPage:
        context = self.chromium.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            color_scheme=color_scheme,
            reduced_motion="reduce" if reduced_motion else "no-preference",
            service_workers="block",
        )
        self._contexts.append(context)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        loaded = LoadedPage(page, self.default_screenshots)
        context.route("**/*", loaded._route)
        context.route_web_socket("**/*", loaded._route_socket)
        context.on("request", loaded._on_request)
        context.on("console", loaded._on_console)
        page.on("pageerror", lambda error: loaded.page_errors.append(str(error)))
        page.goto(path.resolve().as_uri(), wait_until="load")
        loaded.load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        return loaded

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def browser(_chromium: PlaywrightBrowser, tmp_path: Path) -> Iterator[Browser]:
    """Headless Chromium for this test: `browser.open(path)` -> a LoadedPage."""
    opened = Browser(_chromium, tmp_path)
    try:
        yield opened
    finally:
        opened.close()


@dataclass
class Listener:
    """A TCP port on loopback that counts every connection made to it (whatever is said once connected)."""

    port: int
    connections: int = 0


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback port a page must never reach: `listener.connections` stays 0 if nothing got out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.settimeout(0.05)
        counted = Listener(server.getsockname()[1])
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    connection, _address = server.accept()
                except TimeoutError:
                    continue
                counted.connections += 1
                connection.close()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield counted
        finally:
            stop.set()
            thread.join()
