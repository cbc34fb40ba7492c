"""The pages tm writes (tm wrapped --html, tm report): the numbers on them are the --json numbers, strangers' names
cannot become markup, and the file is written whole or not at all. Then, in a real headless Chromium from file://:
nothing fails or loads, every chart is drawn with the marks its data asks for, each mark has its tooltip, dark mode
is dark, and the share card is a 1080 x 1920 PNG. Without a browser those skip with the reason; CI
(TM_BROWSER_TESTS=required) never skips them."""

from __future__ import annotations

import calendar
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, LoadedPage, png_size
from music_time_machine.testing.export_generator import Habits, write_export
from page_tables import article_numbers, figure_tables

from conftest import Tm, error_lines

HABITS = Habits(session_gap=(3 * 3600, 40 * 3600))  # sessions hours to days apart: all of 2016 and into 2017
YEAR = "2016"
HOSTILE = '<script>alert("x")</script>\x1b[2J \u202eevil" onmouseover="alert(1)'


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_export(folder, plays=8_000, seed=11, habits=HABITS)
    hostile = {
        "ts": "2016-06-01T12:00:00Z",
        "ms_played": 200_000,
        "master_metadata_track_name": HOSTILE,
        "master_metadata_album_artist_name": HOSTILE,
        "master_metadata_album_album_name": HOSTILE,
        "spotify_track_uri": "spotify:track:EvilEvilEvilEvilEvilEv",
        "reason_start": "clickrow",
        "reason_end": "trackdone",
        "skipped": False,
    }
    rows = [hostile | {"ts": f"2016-06-{day:02d}T12:00:00Z"} for day in range(1, 29)]  # enough to rank
    (folder / "Streaming_History_Audio_hostile.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


@pytest.fixture
def imported(tm: Tm, export: Path) -> Tm:
    result = tm("import", str(export))
    assert result.exit_code == 0, result.output
    return tm


def wrapped_page(tm: Tm, path: Path, *args: str) -> tuple[str, Any]:
    """The page and the JSON of one run of `tm wrapped YEAR --html path --json`."""
    result = tm("wrapped", YEAR, "--tz", "Europe/Berlin", "--html", str(path), "--json", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Wrote your {YEAR} to {path}"
    return path.read_text(encoding="utf-8"), json.loads(result.stdout)


def _numbers(rows: list[list[str]]) -> list[list[Any]]:
    return [[int(cell) if re.fullmatch(r"-?[0-9]+", cell) else cell for cell in row] for row in rows]


def _shown(data: Any) -> Any:
    """The JSON as the page shows it: the hostile name's escape and bidi override as U+FFFD (the generated names
    are plain)."""
    return json.loads(json.dumps(data).replace("\\u001b", "\\ufffd").replace("\\u202e", "\\ufffd"))


def test_the_wrapped_page_shows_the_json_numbers(imported: Tm, tmp_path: Path) -> None:
    page, data = wrapped_page(imported, tmp_path / "2016.html")
    data = _shown(data)
    tables = {figure: _numbers(rows) for figure, rows in figure_tables(page).items()}

    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert tables["clock"] == [[day, *hours] for day, hours in zip(weekdays, data["clock"], strict=True)]
    assert tables["calendar"] == [[day["date"], day["minutes"], day["plays"]] for day in data["days"]]
    assert [row[:3] for row in tables["months"]] == [[m["month"], m["minutes"], m["plays"]] for m in data["months"]]
    assert [row[3] for row in tables["months"]] == [
        f"{m['top_track']['name']} - {m['top_track']['artist']}" if m["top_track"] else "-" for m in data["months"]
    ]
    for figure, key in (("top-tracks", "top_tracks"), ("top-albums", "top_albums"), ("discoveries", "discoveries")):
        expected = [[e["rank"], e["name"], e["artist"], e["plays"], e["minutes"]] for e in data[key]]
        assert tables[figure] == expected, figure
    artists = [[e["rank"], e["artist"], e["plays"], e["minutes"]] for e in data["top_artists"]]
    assert tables["top-artists"] == artists
    assert f"<b>{data['minutes']:,}</b>minutes" in page
    assert f"<b>{data['plays']:,}</b>full plays" in page
    assert len(data["days"]) > 200, "the export must cover much of the year for the calendar to mean something"


def test_a_strangers_name_stays_text_on_the_page(imported: Tm, tmp_path: Path) -> None:
    page, data = wrapped_page(imported, tmp_path / "2016.html")

    assert HOSTILE in {entry["name"] for entry in data["top_tracks"]}, "the hostile track must be on the page"
    assert "<script" not in page.lower()
    assert 'onmouseover="' not in page
    assert "\x1b" not in page
    assert "\u202e" not in page
    shown = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\ufffd[2J \ufffdevil&quot; onmouseover=&quot;alert(1)"
    assert shown in page
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page


def test_a_year_of_skips_only_says_nothing_ranks_instead_of_empty_charts(tm: Tm, tmp_path: Path) -> None:
    skip = {
        "ts": "2024-05-01T12:00:00Z",
        "ms_played": 5_000,
        "master_metadata_track_name": "Once",
        "master_metadata_album_artist_name": "Someone",
        "spotify_track_uri": "spotify:track:OnceOnceOnceOnceOnceOn",
        "skipped": True,
    }
    export = tmp_path / "Streaming_History_Audio_2024.json"
    export.write_text(json.dumps([skip]), encoding="utf-8")
    assert tm("import", str(export)).exit_code == 0
    path = tmp_path / "2024.html"

    result = tm("wrapped", "2024", "--tz", "UTC", "--html", str(path))

    assert result.exit_code == 0, result.output
    page = path.read_text(encoding="utf-8")
    assert "No full plays this year (only skips), so nothing ranks." in page
    assert 'id="top-tracks"' not in page
    assert 'id="calendar"' in page  # the skip's day is still a day with listening


def test_a_year_without_plays_writes_no_page_and_no_card_and_says_so(imported: Tm, tmp_path: Path) -> None:
    page, card, drawn = tmp_path / "2010.html", tmp_path / "2010.png", tmp_path / "drawn"
    browser = tmp_path / "chromium"  # a browser that would leave a mark if it were asked to draw anything
    browser.write_text(f"#!/bin/sh\ntouch {drawn}\n")
    browser.chmod(0o755)

    result = imported(
        "wrapped",
        "2010",
        "--tz",
        "UTC",
        "--html",
        str(page),
        "--png",
        str(card),
        extra_env={"TM_CHROMIUM": str(browser)},
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == "", "as in the terminal view of a year without plays"
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"No plays stored for 2010 \(UTC\)\. Years with plays: 2016(, 20[0-9][0-9])*\.", lines[0])
    assert lines[1:] == [f"No page written to {page}.", f"No share card written to {card}."]
    assert not page.exists()
    assert not card.exists()
    assert not drawn.exists(), "the browser was never started"


def test_the_page_replaces_an_old_one_whole_and_a_missing_folder_is_a_usage_error(imported: Tm, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    path = folder / "2016.html"
    path.write_text("an older page", encoding="utf-8")

    wrapped_page(imported, path)
    missing = imported("wrapped", YEAR, "--html", str(folder / "nowhere" / "2016.html"))

    assert path.read_text(encoding="utf-8").endswith("</html>\n")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["2016.html"], "no temporary file is left beside it"
    assert missing.exit_code == 2
    assert error_lines(missing)[0].startswith(f"Error: Cannot write '{folder / 'nowhere' / '2016.html'}'")
    assert missing.stdout == "", "nothing is shown when the page cannot be written"
    for command in (["wrapped", YEAR, "--html"], ["report", "--out"]):
        onto_folder = imported(*command, str(folder))
        assert onto_folder.exit_code == 2, onto_folder.output
        assert error_lines(onto_folder)[0] == f"Error: Cannot write '{folder}': it is a folder."
    no_page = imported("report", "--json", "--open")
    assert no_page.exit_code == 2
    assert (
        error_lines(no_page)[0]
        == "Error: --open with --json needs --out FILE: with --json no page is written by default."
    )


def _clean(page: LoadedPage) -> None:
    """Nothing went wrong and nothing left the file: no console error, no exception, only file: requests."""
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.blocked == []
    assert all(url.startswith(("file:", "data:")) for url in page.requests), page.requests


def _figures_are_described(page: LoadedPage) -> None:
    """Every chart has a title, a description and a data table; every mark of every chart has a tooltip."""
    figures = page.query_count("figure")
    assert figures > 0
    assert page.query_count("figure > figcaption > h3") == figures
    assert page.query_count("figure > figcaption > p") == figures
    assert page.query_count("figure table") == figures
    marks = "figure svg rect, figure svg circle, figure svg path"
    untitled = page.evaluate(
        f"[...document.querySelectorAll('{marks}')].filter(mark => !mark.querySelector('title')?.textContent).length"
    )
    assert untitled == 0


@pytest.mark.sqlite_only  # what a page draws does not depend on the backend
def test_the_wrapped_page_draws_every_chart_offline(imported: Tm, browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "wrapped.html"
    _page, data = wrapped_page(imported, path)

    page = browser.open(path)

    _clean(page)
    _figures_are_described(page)
    assert page.query_count("#clock rect.cell") == 7 * 24
    assert page.query_count("#calendar rect.day") == 366  # 2016 is a leap year: every day is drawn
    assert page.query_count("#months rect.bar") == 12
    assert page.query_count("#top-tracks rect.bar") == len(data["top_tracks"]) == 10
    assert page.query_count("#top-artists rect.bar") == len(data["top_artists"])
    busiest = data["busiest_day"]
    assert f"{busiest['date']}: {busiest['minutes']:,} minutes, {busiest['plays']:,} full plays" in page.texts(
        "#calendar rect.day > title"
    )
    first = data["top_tracks"][0]
    assert page.texts("#top-tracks rect.bar > title")[0].startswith(f"#1 {first['name']} - {first['artist']}: ")
    page.screenshot("wrapped-light", full_page=True)


@pytest.mark.sqlite_only
def test_the_wrapped_page_follows_dark_mode(imported: Tm, browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "wrapped.html"
    wrapped_page(imported, path)
    background = "getComputedStyle(document.body).backgroundColor"

    light, dark = browser.open(path), browser.open(path, color_scheme="dark")

    _clean(dark)
    assert light.evaluate(background) == "rgb(251, 251, 250)"
    assert dark.evaluate(background) == "rgb(18, 18, 20)"
    empty_cell = "getComputedStyle(document.querySelector('#calendar rect.h0')).fill"
    assert light.evaluate(empty_cell) != dark.evaluate(empty_cell)
    dark.screenshot("wrapped-dark", full_page=True)


@pytest.mark.sqlite_only
def test_the_share_card_is_a_1080_by_1920_png(imported: Tm, chromium_path: str, tmp_path: Path) -> None:
    card = tmp_path / "card.png"

    result = imported("wrapped", YEAR, "--png", str(card), extra_env={"TM_CHROMIUM": chromium_path})

    assert result.exit_code == 0, result.output
    assert png_size(card) == (1080, 1920)
    assert result.stderr.strip().endswith(f"Wrote your {YEAR} share card to {card}")


@pytest.mark.sqlite_only
def test_without_a_browser_the_card_names_what_to_install(imported: Tm, tmp_path: Path) -> None:
    result = imported("wrapped", YEAR, "--png", str(tmp_path / "card.png"), extra_env={"PATH": str(tmp_path)})

    assert result.exit_code == 2
    assert error_lines(result)[0] == "Error: No Chromium or Chrome found to draw the PNG."
    assert not (tmp_path / "card.png").exists()


def _report(tm: Tm, path: Path) -> Any:
    result = tm("report", "--tz", "Europe/Berlin", "--out", str(path), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.sqlite_only
def test_the_report_page_draws_every_chart_offline(imported: Tm, browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    data = _report(imported, path)

    page = browser.open(path)

    _clean(page)
    _figures_are_described(page)
    years = sorted({int(day["date"][:4]) for day in data["days"]})
    days_drawn = sum(366 if calendar.isleap(year) else 365 for year in range(years[0], years[-1] + 1))
    assert page.query_count("#calendar rect.day") == days_drawn
    assert page.query_count("#clock rect.cell") == 7 * 24
    assert page.query_count("#years rect.bar") == len(data["years"])
    assert page.query_count("#stream path.area") == len(data["artists"]) + 1  # and everyone else
    assert page.query_count("#stream rect.hover") == len(data["months"])
    assert page.query_count("#bump path.line") == len(data["bump"]) == 10
    assert page.query_count("#in-review article") == len(data["years"])
    assert page.evaluate("new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size") == page.query_count(
        "[id]"
    ), "no id twice"
    page.screenshot("report-light", full_page=True)


@pytest.mark.sqlite_only
def test_open_hands_the_written_page_to_the_default_browser(imported: Tm, tmp_path: Path) -> None:
    """Run as a user runs it (a process of its own, so Python's webbrowser reads $BROWSER afresh): the "browser"
    is a script that notes what it was asked to open."""
    opened, script, page = tmp_path / "opened.txt", tmp_path / "browser.sh", tmp_path / "report.html"
    script.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    script.chmod(0o755)
    env = {**os.environ, **imported.env, "BROWSER": f"{script} %s"}
    command = [sys.executable, "-m", "music_time_machine", "report", "--tz", "UTC", "--out", str(page), "--open"]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert opened.read_text() == page.resolve().as_uri()
    assert page.read_text(encoding="utf-8").endswith("</html>\n")


def test_the_report_page_shows_the_json_numbers(imported: Tm, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    data = _shown(_report(imported, path))
    tables = {figure: _numbers(rows) for figure, rows in figure_tables(path.read_text(encoding="utf-8")).items()}

    years = [[y["year"], y["minutes"], y["plays"], y["skips"], y["artists"]] for y in data["years"]]
    assert tables["years"] == years
    assert tables["calendar"] == [[day["date"], day["minutes"], day["plays"]] for day in data["days"]]
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert tables["clock"] == [[day, *hours] for day, hours in zip(weekdays, data["clock"], strict=True)]
    streams = {(row[0], row[1]): row[2] for row in tables["stream"]}
    for artist in data["artists"]:
        for month in artist["months"]:
            assert streams[(month["month"], artist["artist"])] == month["minutes"]
    ranks = {(row[0], row[2]): row[3] for row in tables["bump"]}
    expected = {(line["name"], m["month"]): m["rank"] for line in data["bump"] for m in line["months"] if m["rank"]}
    assert ranks == expected
    page = path.read_text(encoding="utf-8")
    assert f"<b>{sum(month['minutes'] for month in data['months']):,}</b>minutes in all" in page
    assert f"<b>{len(data['days']):,}</b>days" in page
    gems = [[gem["name"], ", ".join(gem["artists"])] for gem in data["gems"]]
    assert [row[:2] for row in tables["gems"]] == gems
    assert gems, "a year of plays leaves tracks in the long-term chart that the short-term one lacks"


def _year_numbers(year: dict[str, Any]) -> list[tuple[str, str]]:
    """What a year's section should say, from `--json`."""
    shown = [(f"{year[key]:,}", label) for key, label in PLAIN_YEAR_NUMBERS]
    month, day, streak = year["top_month"], year["busiest_day"], year["longest_streak"]
    shown.append((f"{month['minutes']:,}", f"minutes in {month['month']}, the top month"))
    shown.append((f"{day['minutes']:,}", f"minutes on {day['date']}, the busiest day"))
    shown.append((str(streak["days"]), f"days in a row with full plays, {streak['from']} to {streak['to']}"))
    return shown


PLAIN_YEAR_NUMBERS = [("minutes", "minutes"), ("plays", "full plays"), ("skips", "skips"), ("artists", "artists")]


def test_each_year_has_a_section_with_its_wrapped_numbers(imported: Tm, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    data = _report(imported, path)
    page = path.read_text(encoding="utf-8")

    sections = {name: items for name, items in article_numbers(page).items() if name.startswith("wrapped-")}

    assert sections == {f"wrapped-{year['year']}": _year_numbers(year) for year in data["years"]}
    for year in data["years"]:
        assert f'<a href="#wrapped-{year["year"]}">' in page  # the overview links to it
        assert f'<a href="#year-{year["year"]}">' in page
        assert f'id="year-{year["year"]}"' in page
