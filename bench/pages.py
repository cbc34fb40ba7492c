"""P5 pages, on the 10-year database: `tm report` written against `tm evolution --json` in the same rounds, the
page's size, and how long headless Chromium takes to draw it (navigation start to the end of its load event)."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from measure import TM, Row, measure, medians, ratio_rows

from music_time_machine.browser import NO_NETWORK_FLAGS, find_browser
from music_time_machine.errors import TmError

MAX_PAGE_MB = 3.0
MAX_DRAW_MS = 2_000
DRAWS = 5  # loads of the page in fresh browser contexts; the median is reported


def _draw_ms(page: Path) -> float | None:
    """The median load time of the page in the system's Chromium (None when there is no browser or playwright)."""
    try:
        from playwright.sync_api import sync_playwright

        executable = find_browser(os.environ.get("TM_CHROMIUM") or None)
    except (ImportError, TmError):  # no playwright or no browser here: the row says so
        return None
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=[*NO_NETWORK_FLAGS, *sandbox])
        for _ in range(DRAWS):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            tab = context.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            times.append(tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            context.close()
        browser.close()
    return statistics.median(times)


def pages(work: Path, env: dict[str, str], db: Path, year: str, rounds: int) -> list[Row]:
    page, card = work / "report.html", work / "wrapped.html"
    commands = {
        "tm evolution --json": [TM, "evolution", "--json", "--db", str(db)],
        "tm report --out page.html": [TM, "report", "--out", str(page), "--db", str(db)],
    }
    rows = ratio_rows("P5", medians(commands, env, rounds), "tm evolution --json", 3)
    wrapped_seconds, wrapped_rss, _ = measure([TM, "wrapped", year, "--html", str(card), "--db", str(db)], env)
    size = page.stat().st_size / 1e6
    rows.append(Row("P5", "size of the report page", f"{size:.2f} MB", None, f"≤ {MAX_PAGE_MB:g} MB", size <= 3))
    draw = _draw_ms(page)
    drawn = "no Chromium here" if draw is None else f"{draw:.0f} ms (median of {DRAWS} loads)"
    met = draw is not None and draw <= MAX_DRAW_MS
    rows.append(Row("P5", "headless Chromium draws the report page", drawn, None, f"≤ {MAX_DRAW_MS:,} ms", met))
    measured = f"{wrapped_seconds:.1f} s, peak RSS {wrapped_rss:.0f} MB"
    rows.append(
        Row("P5", f"`tm wrapped {year} --html` (a year of the million plays)", measured, None, "(for reference)", True)
    )
    return rows
