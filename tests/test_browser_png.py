"""tm's own screenshot helper (music_time_machine.browser): the installed Chromium as a program, bounded in time,
kept off the network, its PNG written atomically or not at all."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from browser import Listener, page, png_size
from music_time_machine.browser import find_browser, screenshot
from music_time_machine.errors import TmError

ONE_PIXEL_PNG = (  # a valid 1x1 PNG, for fake browsers to write where a real one would draw
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder of the test's files only (tmp_path also holds the test's working directory)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def program(folder: Path, name: str, script: str) -> Path:
    """An executable shell script `folder/name` standing in for a browser."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def screenshot_argument(script_body: str) -> str:
    """Shell that runs `script_body` with $shot set to the path given as --screenshot=PATH."""
    return f'for a in "$@"; do case "$a" in --screenshot=*) shot="${{a#--screenshot=}}";; esac; done\n{script_body}'


@example(width=1080, height=1920)  # the share card of `tm wrapped --png`
@given(width=st.integers(1, 2500), height=st.integers(1, 2500))
@settings(max_examples=4, deadline=None)  # each is a browser's start, 1-2 s
def test_the_png_has_the_asked_size(chromium_path: str, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        html = page(Path(folder), "<body style='margin: 0; height: 5000px; background: navy'></body>")
        png = Path(folder) / "card.png"

        screenshot(chromium_path, html, png, width, height)

        assert png_size(png) == (width, height)
        assert png.stat().st_mode & 0o777 == 0o600
        assert sorted(path.name for path in Path(folder).iterdir()) == ["card.png", "page.html"]


def test_a_page_cannot_reach_the_network_while_drawn(chromium_path: str, listener: Listener, out: Path) -> None:
    url = f"http://127.0.0.1:{listener.port}/x"
    loads = f"<img src='{url}'><link rel='stylesheet' href='{url}'><script>fetch('{url}').catch(() => {{}})</script>"
    html = page(out, f"<body>{loads}<img src='http://example.com/x.png'></body>")

    screenshot(chromium_path, html, out / "card.png", 400, 300)

    assert png_size(out / "card.png") == (400, 300)
    assert listener.connections == 0


def test_no_browser_found_is_a_usage_error_naming_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(TmError) as raised:
        find_browser(None)

    assert raised.value.exit_code == 2
    assert raised.value.message == "No Chromium or Chrome found to draw the PNG."
    assert raised.value.hint == (
        "Install chromium (Debian/Ubuntu: sudo apt install chromium) or set TM_CHROMIUM to its path."
    )


def test_a_setting_that_is_no_program_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(TmError) as raised:
        find_browser(str(tmp_path / "chromium"))

    assert raised.value.exit_code == 2
    assert str(tmp_path / "chromium") in raised.value.message


def test_browsers_are_found_on_path_in_order_and_the_setting_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    chrome = program(bin_dir, "google-chrome-stable", "exit 0")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert find_browser(None) == str(chrome)

    chromium = program(bin_dir, "chromium", "exit 0")
    assert find_browser(None) == str(chromium)

    elsewhere = program(tmp_path / "opt", "my-chrome", "exit 0")
    assert find_browser(str(elsewhere)) == str(elsewhere)
    assert find_browser("google-chrome-stable") == str(chrome)


def drawing_browser(folder: Path, first: str = "") -> Path:
    """A fake browser that runs `first`, then draws a 1x1 PNG where --screenshot says."""
    drawing = folder.parent / "drawing.png"
    drawing.write_bytes(bytes.fromhex(ONE_PIXEL_PNG))
    return program(folder, "chromium", screenshot_argument(f'{first}\ncp {drawing} "$shot"'))


def _ends(pid: int, within: float = 5.0) -> bool:
    """Whether process `pid` is gone within `within` seconds (SIGKILL is delivered, not awaited; a zombie counts as
    gone, since PID 1 in a container may never reap it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if "State:\tZ" in Path(f"/proc/{pid}/status").read_text():
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_a_browser_that_hangs_is_stopped_with_all_it_started(out: Path) -> None:
    helper_pid = out / "helper.pid"
    hangs = program(out / "bin", "chromium", f"sleep 600 &\necho $! > {helper_pid}\nsleep 600")
    html = page(out, "<body></body>")
    png = out / "card.png"
    png.write_bytes(b"the previous card")
    started = time.monotonic()

    with pytest.raises(TmError) as raised:
        screenshot(str(hangs), html, png, 100, 100, timeout=1.0)

    assert time.monotonic() - started < 5
    assert raised.value.exit_code == 1
    assert raised.value.message == "chromium did not finish drawing the PNG within 1 s; it was stopped."
    assert _ends(int(helper_pid.read_text()))
    assert png.read_bytes() == b"the previous card"


def test_a_browser_that_fails_is_one_error_with_its_reason(out: Path) -> None:
    reason = "echo 'Failed to connect to the bus (dbus)' >&2; echo 'cannot open display' >&2"
    fails = program(out / "bin", "chromium", f"{reason}\necho 'dbus: no session bus' >&2\nexit 1")
    png = out / "card.png"
    png.write_bytes(b"the previous card")

    with pytest.raises(TmError) as raised:
        screenshot(str(fails), page(out, "<body></body>"), png, 100, 100)

    assert raised.value.exit_code == 1
    assert raised.value.message == "chromium could not draw the PNG (exit status 1)."
    assert raised.value.hint == "cannot open display"
    assert png.read_bytes() == b"the previous card"
    assert sorted(path.name for path in out.iterdir()) == ["bin", "card.png", "page.html"]


@pytest.mark.parametrize("writes", ["", "printf 'not a picture' > \"$shot\""])
def test_a_browser_that_draws_nothing_is_an_error(out: Path, writes: str) -> None:
    silent = program(out / "bin", "chromium", screenshot_argument(f"{writes}\nexit 0"))
    png = out / "card.png"

    with pytest.raises(TmError) as raised:
        screenshot(str(silent), page(out, "<body></body>"), png, 100, 100)

    assert raised.value.message == "chromium finished but wrote no PNG of page.html."
    assert not png.exists()
    assert sorted(path.name for path in out.iterdir()) == ["bin", "page.html"]


def test_the_browser_runs_headless_offline_on_a_throwaway_profile(out: Path) -> None:
    arguments = out / "arguments"
    fake = drawing_browser(out / "bin", f'printf "%s\\n" "$@" > {arguments}')
    html = page(out, "<body></body>")

    screenshot(str(fake), html, out / "card.png", 320, 240)

    given = arguments.read_text().splitlines()
    profile = next(argument.removeprefix("--user-data-dir=") for argument in given if "--user-data-dir=" in argument)
    assert png_size(out / "card.png") == (1, 1)
    assert given[-1] == html.resolve().as_uri()
    assert {"--headless", "--window-size=320,240", "--proxy-server=127.0.0.1:1"} <= set(given)
    assert ("--no-sandbox" in given) == (os.geteuid() == 0)
    assert not Path(profile).exists()


def test_a_png_where_it_cannot_be_written_is_a_usage_error(out: Path) -> None:
    fake = drawing_browser(out / "bin")
    html = page(out, "<body></body>")
    (out / "a folder").mkdir()

    with pytest.raises(TmError) as missing:
        screenshot(str(fake), html, out / "no such folder" / "card.png", 100, 100)
    with pytest.raises(TmError) as folder:
        screenshot(str(fake), html, out / "a folder", 100, 100)

    assert missing.value.exit_code == 2
    assert (
        missing.value.message
        == f"Cannot write {str(out / 'no such folder' / 'card.png')!r}: No such file or directory."
    )
    assert folder.value.exit_code == 2
    assert folder.value.message.startswith(f"Cannot write {str(out / 'a folder')!r}: ")


def test_a_browser_that_is_no_program_is_one_error(out: Path) -> None:
    not_a_program = out / "chromium"
    not_a_program.write_bytes(b"\x7fELF of another machine")
    not_a_program.chmod(0o755)

    with pytest.raises(TmError) as raised:
        screenshot(str(not_a_program), page(out, "<body></body>"), out / "card.png", 100, 100)

    assert raised.value.exit_code == 1
    assert raised.value.message == "chromium could not be started: Exec format error."
    assert sorted(path.name for path in out.iterdir()) == ["chromium", "page.html"]
