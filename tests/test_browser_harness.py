"""The browser harness itself (tests/browser.py): it reports what a page does wrong, so it must be seen failing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from browser import Accessible, Browser, Listener, page, png_size

TESTS = Path(__file__).resolve().parent


def test_a_clean_page_reports_nothing(browser: Browser, tmp_path: Path) -> None:
    path = page(tmp_path, "<body><p>hello</p><img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></body>")

    loaded = browser.open(path)

    assert loaded.console_errors == []
    assert loaded.page_errors == []
    assert loaded.blocked == []
    assert loaded.requests[0] == path.resolve().as_uri()
    assert all(url.startswith(("file:", "data:")) for url in loaded.requests)
    assert loaded.texts("p") == ["hello"]


def test_console_errors_are_reported(browser: Browser, tmp_path: Path) -> None:
    path = page(tmp_path, "<body><script>console.error('drawn wrong'); console.log('fine')</script></body>")

    loaded = browser.open(path)

    assert loaded.console_errors == ["drawn wrong"]
    assert loaded.page_errors == []


def test_uncaught_exceptions_are_reported(browser: Browser, tmp_path: Path) -> None:
    path = page(tmp_path, "<body><script>null.width</script><script>throw new Error('no data')</script></body>")

    loaded = browser.open(path)

    assert len(loaded.page_errors) == 2
    assert "null" in loaded.page_errors[0]
    assert "no data" in loaded.page_errors[1]


OUTSIDE_LOADS = {  # each way a page can ask for something over the network; {url} is the loopback listener
    "img": "<body><img src='{url}'></body>",
    "script": "<body><script src='{url}'></script></body>",
    "stylesheet": "<head><link rel='stylesheet' href='{url}'></head>",
    "css @import": "<style>@import url('{url}');</style>",
    "web font": "<style>@font-face {{ font-family: f; src: url('{url}') }} body {{ font-family: f }}</style>"
    "<body>text in the font</body>",
    "css background": "<body style=\"background: url('{url}')\"></body>",
    "fetch": "<body><script>fetch('{url}').catch(() => {{}})</script></body>",
    "iframe": "<body><iframe src='{url}'></iframe></body>",
    "websocket": "<body><script>new WebSocket('{ws}')</script></body>",
}


@pytest.mark.parametrize("kind", sorted(OUTSIDE_LOADS))
def test_a_request_to_the_network_is_reported_and_blocked(
    browser: Browser, listener: Listener, tmp_path: Path, kind: str
) -> None:
    url = f"http://127.0.0.1:{listener.port}/x"
    path = page(tmp_path, OUTSIDE_LOADS[kind].format(url=url, ws=f"ws://127.0.0.1:{listener.port}/x"))

    loaded = browser.open(path)

    assert len(loaded.blocked) == 1
    assert loaded.blocked[0].endswith(f"//127.0.0.1:{listener.port}/x")
    assert loaded.blocked[0] in loaded.requests
    assert listener.connections == 0


def test_dark_mode_is_what_the_page_sees(browser: Browser, tmp_path: Path) -> None:
    style = "<style>body { background: white } @media (prefers-color-scheme: dark) { body { background: black } }"
    path = page(tmp_path, f"{style}</style><body></body>")
    background = "getComputedStyle(document.body).backgroundColor"

    light = browser.open(path)
    dark = browser.open(path, color_scheme="dark")

    assert light.evaluate(background) == "rgb(255, 255, 255)"
    assert dark.evaluate(background) == "rgb(0, 0, 0)"
    assert dark.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is True


def test_reduced_motion_is_what_the_page_sees(browser: Browser, tmp_path: Path) -> None:
    path = page(tmp_path, "<body></body>")
    asks = "matchMedia('(prefers-reduced-motion: reduce)').matches"

    assert browser.open(path, reduced_motion=True).evaluate(asks) is True
    assert browser.open(path).evaluate(asks) is False


def test_marks_and_their_tooltips_are_counted_and_read(browser: Browser, tmp_path: Path) -> None:
    bars = "".join(f"<rect x='{i * 10}' width='8' height='{i + 1}'><title>month {i}</title></rect>" for i in range(3))
    path = page(tmp_path, f"<body><svg width='40' height='10'>{bars}</svg></body>")

    loaded = browser.open(path)

    assert loaded.query_count("svg rect") == 3
    assert loaded.query_count("svg circle") == 0
    assert loaded.texts("svg rect > title") == ["month 0", "month 1", "month 2"]
    assert loaded.evaluate("document.querySelectorAll('rect').length") == 3


def test_the_accessibility_tree_is_what_a_screen_reader_meets(browser: Browser, tmp_path: Path) -> None:
    named = "<svg role='img' aria-label='a chart' aria-describedby='about'><rect width='9' height='9'/></svg>"
    hidden = "<div aria-hidden='true'><img alt='hidden' src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></div>"
    marks = "<svg><rect width='9' height='9'><title>a mark</title></rect></svg>"
    path = page(tmp_path, f"<body><p id='about'>what it shows</p>{named}{hidden}{marks}</body>")

    loaded = browser.open(path)

    assert loaded.accessible("image") == [Accessible("a chart", "what it shows")]
    assert loaded.accessible("graphics-symbol") == [Accessible("a mark", "")]
    assert loaded.accessible("paragraph") == [Accessible("", "")]


def test_boxes_are_where_elements_are_drawn(browser: Browser, tmp_path: Path) -> None:
    spans = "<span style='position: absolute; left: {}px; top: 10px; width: 30px; height: 10px'>{}</span>"
    path = page(tmp_path, "<body>" + "".join(spans.format(left, f"at {left}") for left in (0, 30, 50)) + "</body>")

    first, second, third = browser.open(path).boxes("span")

    assert (first.left, first.top, first.right, first.bottom, first.text) == (0, 10, 30, 20, "at 0")
    assert not first.meets(second), "touching is not overlapping"
    assert second.meets(third)
    assert third.meets(second)


def test_load_time_counts_what_delays_the_load_event(browser: Browser, tmp_path: Path) -> None:
    # drawing in a load handler (as a chart might) ends the load event later, not the parsing before it
    busy = "<script>onload = () => { const end = performance.now() + 300; while (performance.now() < end) {} }</script>"

    quick = browser.open(page(tmp_path, "<body></body>", "quick.html"))
    slow = browser.open(page(tmp_path, f"<body>{busy}</body>", "slow.html"))

    assert 0 < quick.load_ms < 300
    assert slow.load_ms >= 300


def test_screenshot_is_a_png_of_the_viewport(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TM_SCREENSHOTS", raising=False)
    path = page(tmp_path, "<body style='height: 3000px; background: teal'></body>")

    shot = browser.open(path, width=640, height=360).screenshot("harness-viewport")

    assert shot == tmp_path / "harness-viewport.png"
    assert png_size(shot) == (640, 360)
    assert f"screenshot: {shot}" in capsys.readouterr().out


def test_screenshots_go_to_tm_screenshots_when_set(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    artifacts = tmp_path / "artifacts" / "of-ci"
    monkeypatch.setenv("TM_SCREENSHOTS", str(artifacts))
    path = page(tmp_path, "<body style='margin: 0; height: 900px'></body>")

    shot = browser.open(path, width=300, height=200).screenshot("harness-full", full_page=True)

    assert shot == artifacts / "harness-full.png"
    assert png_size(shot) == (300, 900)


def _harness_outcome(tmp_path: Path, required: bool) -> subprocess.CompletedProcess[str]:
    """pytest, in a child, on a test of the harness's browser where no browser can be found."""
    (tmp_path / "test_needs_a_browser.py").write_text("def test_it(chromium_path):\n    pass\n")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TM_CHROMIUM", "TM_BROWSER_TESTS")}
    env |= {"PATH": str(empty), "PYTHONPATH": str(TESTS), **({"TM_BROWSER_TESTS": "required"} if required else {})}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "browser", "-rsf", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_browser_the_tests_skip_with_the_reason(tmp_path: Path) -> None:
    run = _harness_outcome(tmp_path, required=False)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert "No Chromium or Chrome found" in run.stdout


def test_without_a_browser_required_browser_tests_fail(tmp_path: Path) -> None:
    run = _harness_outcome(tmp_path, required=True)

    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout or "1 failed" in run.stdout
    assert "browser tests are required (TM_BROWSER_TESTS=required), but No Chromium or Chrome found" in run.stdout
