"""A PNG of one of tm's pages, drawn by the Chromium or Chrome installed on this machine (its own headless mode,
run as a program: no browser automation library, no download).

The page is tm's own, but it carries strangers' names, so the browser runs as if offline: every connection goes
to a proxy that does not exist and no host name resolves, so even a page that went wrong cannot reach out."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from music_time_machine.errors import ConfigError, TmError, UsageError

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Port 1 (tcpmux) is privileged and unused, so nothing answers there; `<-loopback>` sends loopback through the
# proxy too (Chromium bypasses it for localhost by default), and the resolver rule fails every other host name.
NO_NETWORK_FLAGS = (
    "--proxy-server=127.0.0.1:1",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

# A 1080x1920 card takes 1-2 s; the rest is for a cold start on a busy machine.
SCREENSHOT_TIMEOUT = 60.0

_QUIET_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--mute-audio",
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STDERR_TAIL = 4096  # bytes of the browser's stderr read back for the error's hint


def find_browser(setting: str | None) -> str:
    """The browser to draw with: the TM_CHROMIUM setting (a path or a name on PATH), else the first of
    BROWSER_NAMES on PATH."""
    if setting:
        found = shutil.which(setting)
        if found is None:
            raise ConfigError(
                f"TM_CHROMIUM is {setting!r}, which is not a program that can be run.",
                hint="Set TM_CHROMIUM to the path of chromium or chrome, or unset it to look on PATH.",
            )
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise UsageError(
        "No Chromium or Chrome found to draw the PNG.",
        hint="Install chromium (Debian/Ubuntu: sudo apt install chromium) or set TM_CHROMIUM to its path.",
    )


def browser_command(browser: str, page_url: str, png: Path, profile: Path, width: int, height: int) -> list[str]:
    """The command line that draws `page_url` into `png` as a `width` x `height` picture."""
    sandbox = ("--no-sandbox",) if os.geteuid() == 0 else ()  # Chromium refuses to start as root with its sandbox
    return [
        browser,
        *_QUIET_FLAGS,
        *NO_NETWORK_FLAGS,
        *sandbox,
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        f"--screenshot={png}",
        page_url,
    ]


def screenshot(
    browser: str, html_path: Path, png_path: Path, width: int, height: int, *, timeout: float = SCREENSHOT_TIMEOUT
) -> None:
    """Draw the page at `html_path` into `png_path` (replaced atomically, mode 0600), or raise a TmError."""
    try:  # Chromium picks the picture's format by the file's ending, so the temporary name ends in .png too
        descriptor, name = tempfile.mkstemp(prefix=f".{png_path.name}.", suffix=".png", dir=png_path.parent)
        os.close(descriptor)
    except OSError as error:  # as for every file tm writes (render/streaming.py): a usage error
        raise UsageError(f"Cannot write {str(png_path)!r}: {error.strerror}.") from None
    drawn = Path(name)
    try:
        with tempfile.TemporaryDirectory(prefix="tm-browser-") as profile:
            command = browser_command(browser, html_path.resolve().as_uri(), drawn, Path(profile), width, height)
            _run(command, Path(profile) / "stderr.log", timeout)
        with drawn.open("rb") as handle:
            if handle.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
                raise TmError(f"{Path(browser).name} finished but wrote no PNG of {html_path.name}.")
        try:
            os.replace(drawn, png_path)
        except OSError as error:  # a folder where the PNG should go
            raise UsageError(f"Cannot write {str(png_path)!r}: {error.strerror}.") from None
    finally:
        drawn.unlink(missing_ok=True)


def draw_page(browser: str, page: str, png_path: Path, width: int, height: int) -> None:
    """Draw the HTML `page` (a whole document) into `png_path` as a `width` x `height` picture; the browser loads it
    from a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tm-page-") as folder:
        html_path = Path(folder) / "page.html"
        html_path.write_text(page, encoding="utf-8")
        screenshot(browser, html_path, png_path, width, height)


def _run(command: list[str], stderr_path: Path, timeout: float) -> None:
    """Run the browser in a process group of its own, ended whole after `timeout` seconds (its renderer and GPU
    helpers would outlive a killed parent)."""
    program = Path(command[0]).name
    with stderr_path.open("w+b") as stderr:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
            )
        except OSError as error:  # not a program after all (no #! line, a file of another machine)
            raise TmError(f"{program} could not be started: {error.strerror}.") from None
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TmError(f"{program} did not finish drawing the PNG within {timeout:g} s; it was stopped.") from None
        finally:
            _end_group(process)
        if code != 0:
            raise TmError(f"{program} could not draw the PNG (exit status {code}).", hint=_last_line(stderr))


def _end_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # the browser and every helper it started have already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _last_line(stderr: BinaryIO) -> str | None:
    """The last line the browser wrote to stderr (its reason, usually), cut to one short line."""
    end = stderr.seek(0, os.SEEK_END)
    stderr.seek(max(0, end - _STDERR_TAIL))
    text = stderr.read().decode("utf-8", "replace")
    # dbus lines are about the machine (no session bus in a container or over ssh), never about the page
    lines = [line.strip() for line in text.splitlines() if line.strip() and "dbus" not in line]
    return lines[-1][:200] if lines else None
