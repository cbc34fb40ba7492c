"""How tm's pages read and look in a real headless Chromium: each chart is one named, described image to a screen
reader (its numbers in the table beside it), month labels never overlap whatever the span, every colour that means
something is named in a legend, and on a phone nothing runs off the side. Plays are made here, a few a day, for
spans of a month to fifteen years; what each page should show comes from the command's own --json."""

from __future__ import annotations

import json
import random
import re
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import pytest

from browser import Box, Browser, LoadedPage

from conftest import Tm

ARTISTS = [f"Artist {letter}" for letter in "ABCDEFGHIJ"]  # more than the stream graph names, so "everyone else"
PLAYS_A_MONTH = 30
PHONE = 360  # px: the narrowest common phone


def _months(first: str, count: int) -> list[str]:
    year, month = map(int, first.split("-"))
    shown = []
    for _ in range(count):
        shown.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return shown


def _plays(months: list[str], seed: int = 7) -> list[dict[str, Any]]:
    """PLAYS_A_MONTH full plays in each month, of 20 tracks by 10 artists, the first few played most (so charts have
    ranks that move)."""
    draw = random.Random(seed)
    rows = []
    for month in months:
        for number in range(PLAYS_A_MONTH):
            track = min(int(draw.expovariate(0.25)), 19)
            rows.append(
                {
                    "ts": f"{month}-{1 + number % 28:02d}T{8 + number % 14:02d}:{number:02d}:00Z",
                    "ms_played": 200_000,
                    "master_metadata_track_name": f"Song {track}",
                    "master_metadata_album_artist_name": ARTISTS[track % len(ARTISTS)],
                    "master_metadata_album_album_name": f"Album {track}",
                    "spotify_track_uri": f"spotify:track:{track:022d}",
                    "reason_start": "clickrow",
                    "reason_end": "trackdone",
                    "skipped": False,
                }
            )
    return rows


def _report(tm: Tm, folder: Path, first: str, months: int) -> tuple[Path, Any]:
    """The report page of plays in `months` months from `first`, and its --json."""
    export = folder / "Streaming_History_Audio_made.json"
    export.write_text(json.dumps(_plays(_months(first, months))), encoding="utf-8")
    assert tm("import", str(export)).exit_code == 0
    path = folder / "report.html"
    result = tm("report", "--tz", "UTC", "--out", str(path), "--json")
    assert result.exit_code == 0, result.output
    return path, json.loads(result.stdout)


def _wrapped(tm: Tm, folder: Path, year: str) -> Path:
    path = folder / f"{year}.html"
    result = tm("wrapped", year, "--tz", "UTC", "--html", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def two_years(tm: Tm, tmp_path: Path) -> tuple[Path, Any]:
    """A report of 2015-12 to 2017-11 (starting in December, next to a January)."""
    return _report(tm, tmp_path, "2015-12", 24)


def _named_by_id(page: LoadedPage, attribute: str) -> list[str]:
    """The text of the element each chart's SVG names in `attribute`, or "missing" where no element has that id."""
    return page.evaluate(
        f"[...document.querySelectorAll('figure svg')].map(svg => "
        f"document.getElementById(svg.getAttribute('{attribute}'))?.textContent ?? 'missing')"
    )


@pytest.mark.sqlite_only  # what a page draws does not depend on the backend
def test_each_chart_is_one_image_named_and_described_for_a_screen_reader(
    tm: Tm, browser: Browser, two_years: tuple[Path, Any], tmp_path: Path
) -> None:
    for path in (two_years[0], _wrapped(tm, tmp_path, "2016")):
        page = browser.open(path)
        drawn = page.evaluate("[...document.querySelectorAll('figure:has(svg)')].map(figure => figure.id)")
        titles = [page.texts(f"#{figure} > figcaption > h3")[0] for figure in drawn]
        descriptions = [page.texts(f"#{figure} > figcaption > p")[0] for figure in drawn]

        images = page.accessible("image")

        assert [image.name for image in images] == titles, path.name
        assert [image.description for image in images] == descriptions, path.name
        assert _named_by_id(page, "aria-labelledby") == titles
        assert _named_by_id(page, "aria-describedby") == descriptions
        assert page.accessible("graphics-symbol") == [], "no mark of a chart is met on its own"
        assert page.query_count("figure svg > :not(g[aria-hidden=true])") == 0, "every mark is in the hidden group"
        assert page.query_count("figure svg > g[aria-hidden=true]") == len(drawn)
        assert len(drawn) >= 6, path.name


def _month_labels_apart(page: LoadedPage, chart: str) -> list[Box]:
    """The month labels of `chart`, after checking no two of them share a pixel and none is cut off at either side
    of its drawing."""
    labels = page.boxes(f"#{chart} svg text.month")
    (drawing,) = page.boxes(f"#{chart} svg")
    overlapping = [(one.text, other.text) for one, other in combinations(labels, 2) if one.meets(other)]
    assert overlapping == [], chart
    assert [label.text for label in labels if not drawing.left <= label.left < label.right <= drawing.right] == []
    return labels


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("first", "months"), [("2016-12", 1), ("2015-12", 24), ("2007-12", 180)])
def test_month_labels_never_overlap(tm: Tm, browser: Browser, tmp_path: Path, first: str, months: int) -> None:
    path, data = _report(tm, tmp_path, first, months)
    charts = ["bump", "stream", "calendar", *(["turnover"] if data["evolution"] else [])]

    for width in (1280, PHONE):
        page = browser.open(path, width=width)
        for chart in charts:
            labels = _month_labels_apart(page, chart)
            assert labels, f"{chart} has month labels"
            if chart != "calendar":  # along a time axis, each label names a month of the chart's own
                assert {label.text for label in labels} <= {month["month"] for month in data["months"]}
            if chart != "calendar" and width == 1280:  # a wide screen draws them full size, ~48 px apart
                starts = [label.left for label in labels]
                assert all(later - earlier > 44 for earlier, later in pairwise(starts)), (chart, starts)
                shown, drawn = page.evaluate(
                    f"(svg => [svg.getBoundingClientRect().width, svg.width.baseVal.value])"
                    f"(document.querySelector('#{chart} svg'))"
                )
                assert drawn - shown < 0.5, f"{chart} is not shrunk on a wide screen"
        if width == 1280:
            page.screenshot(f"report-{months}-months", full_page=True)
    year = first[:4]
    _month_labels_apart(browser.open(_wrapped(tm, tmp_path, year)), "calendar")


def _legend(page: LoadedPage, chart: str) -> tuple[list[str], list[str]]:
    """A chart's legend: the words of each entry, and the colour of its swatch."""
    colours = page.evaluate(
        f"[...document.querySelectorAll('#{chart} .legend li i')].map(i => getComputedStyle(i).backgroundColor)"
    )
    return page.texts(f"#{chart} .legend li"), colours


def _colours(page: LoadedPage, css: str, property_: str) -> list[str]:
    return page.evaluate(f"[...document.querySelectorAll('{css}')].map(mark => getComputedStyle(mark).{property_})")


@pytest.mark.sqlite_only
def test_every_colour_that_means_something_is_named_in_a_legend(browser: Browser, two_years: tuple[Path, Any]) -> None:
    path, data = two_years

    page = browser.open(path)

    tracks = [f"{line['name']} - {line['artist']}" for line in data["bump"]]
    assert _legend(page, "bump") == (tracks, _colours(page, "#bump path.line", "stroke"))
    artists = [stream["artist"] for stream in data["artists"]] + ["everyone else"]
    assert _legend(page, "stream") == (artists, _colours(page, "#stream path.area", "fill"))
    assert _legend(page, "turnover") == (["turnover", "overlap"], _colours(page, "#turnover path.line", "stroke"))
    _heat_legend_covers(page, "clock", "rect.cell", [minutes for day in data["clock"] for minutes in day])
    days = {day["date"]: day["minutes"] for day in data["days"]}
    drawn_days = page.evaluate("[...document.querySelectorAll('#calendar rect.day > title')].map(t => t.textContent)")
    _heat_legend_covers(page, "calendar", "rect.day", [days.get(tip.split(":")[0], 0) for tip in drawn_days])
    for plain in ("years", "boomerangs"):  # bars named where they stand: their colours mean nothing
        assert page.query_count(f"#{plain} .legend") == 0, plain


def _heat_legend_covers(page: LoadedPage, chart: str, cells: str, values: list[int]) -> None:
    """Each cell's colour is in the legend, whose words for it take in the cell's value ("no minutes", "4 minutes",
    "3 to 5 minutes")."""
    words, swatches = _legend(page, chart)
    ranges = []
    for entry in words:
        numbers = [int(number.replace(",", "")) for number in re.findall(r"[0-9][0-9,]*", entry)] or [0]
        ranges.append((numbers[0], numbers[-1]))
    drawn = _colours(page, f"#{chart} {cells}", "fill")
    assert len(drawn) == len(values), chart
    for colour, value in zip(drawn, values, strict=True):
        low, high = ranges[swatches.index(colour)]
        assert low <= value <= high, (chart, value, words)
    assert len(set(drawn)) > 2, f"{chart}: the plays are spread enough to shade in several colours"


@pytest.mark.sqlite_only
def test_on_a_phone_nothing_runs_off_the_side_and_charts_shrink_to_fit(
    tm: Tm, browser: Browser, two_years: tuple[Path, Any], tmp_path: Path
) -> None:
    for path in (two_years[0], _wrapped(tm, tmp_path, "2016")):
        page = browser.open(path, width=PHONE, height=740)

        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth"), path.name
        charts = page.evaluate(
            "[...document.querySelectorAll('figure svg')].map(svg => { const figure = svg.parentElement,"
            " style = getComputedStyle(figure); return [figure.id, svg.getBoundingClientRect().width,"
            " figure.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),"
            " svg.width.baseVal.value]; })"
        )
        too_wide = [(chart, shown, room) for chart, shown, room, _drawn in charts if shown > room + 0.5]  # subpixels
        assert too_wide == [], path.name
        assert any(shown < drawn for _chart, shown, _room, drawn in charts), "wide charts are drawn smaller"
        page.screenshot(f"{path.stem}-phone", full_page=True)
