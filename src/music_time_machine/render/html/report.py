"""tm report as a page: the years, the charts over time (bump chart), the artists' shares (stream graph), how the
chart turns over, every day (calendar), the listening clock, boomerangs and today's forgotten gems.

A section whose data is missing says so instead of drawing an empty chart. The numbers are `report_json`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.charts import gems_json
from music_time_machine.render.html import svg
from music_time_machine.render.html.charts import calendar_chart, clock_chart, plural
from music_time_machine.render.html.page import Chart, Section, Table, document, missing, numbers
from music_time_machine.services.wrapped import clock_minutes, minutes_of

if TYPE_CHECKING:
    from music_time_machine.services.evolution import Evolution
    from music_time_machine.services.gems import ChartedGems, TodaysGems
    from music_time_machine.services.report import Report, YearSummary

FOOTER = "Made by tm, the Music Time Machine, from your snapshots and plays. Nothing here was loaded from anywhere."
NO_PLAYS = "No plays stored in this period: run `tm import` with your data export, or `tm sync`."


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _years(report: Report) -> str:
    links = "".join(f'<a href="#wrapped-{year.year}">{year.year}</a> ' for year in report.years)
    items = [(str(year.year), year.minutes, f"{year.year}: {plural(year.minutes, 'minute')}") for year in report.years]
    rows = [[y.year, y.minutes, y.plays, y.skips, y.distinct_artists] for y in report.years]
    chart = Chart(
        "years",
        "Year by year",
        "Minutes listened each year (whole years on your clock, as tm wrapped counts them).",
        svg.columns(items),
        Table(["year", "minutes", "full plays", "skips", "artists"], rows, frozenset(range(5))),
    )
    return f'<nav aria-label="Years">Jump to a year: {links}</nav>{chart.html()}'


def _year_in_review(year: YearSummary) -> str:
    """One year's card: the numbers tm wrapped has too, and a link to its calendar row."""
    shown: list[tuple[str, object]] = [
        ("minutes", f"{year.minutes:,}"),
        ("full plays", f"{year.plays:,}"),
        ("skips", f"{year.skips:,}"),
        ("artists", f"{year.distinct_artists:,}"),
    ]
    if year.top_month:
        shown.append((f"minutes in {year.top_month.label}, the top month", f"{year.top_month.minutes:,}"))
    if year.busiest_day:
        shown.append((f"minutes on {year.busiest_day.label}, the busiest day", f"{year.busiest_day.minutes:,}"))
    if year.streak.days:
        shown.append((f"days in a row with full plays, {year.streak.first} to {year.streak.last}", year.streak.days))
    return (
        f'<article id="wrapped-{year.year}"><h3>{year.year}</h3>{numbers(shown)}'
        f'<a href="#year-{year.year}">Its days in the calendar</a></article>'
    )


def _in_review(report: Report) -> str:
    cards = "".join(map(_year_in_review, report.years))
    rest = "Each year whole, with its top tracks, artists, albums, discoveries and songs of the month:"
    return f'<div class="review">{cards}</div><p class="note">{rest} <code>tm wrapped YEAR --html FILE</code>.</p>'


def _charted_span(ranks: list[list[int | None]]) -> slice:
    """The months from the first to the last that any line has a rank in (the period may start before charts)."""
    held = [index for line in ranks for index, rank in enumerate(line) if rank is not None]
    return slice(min(held), max(held) + 1)


def _bump(report: Report) -> Chart:
    span = _charted_span([line.ranks for line in report.bump])
    months = [str(month) for month in report.months[span]]
    lines = [(f"{line.name} - {line.artist}", line.ranks[span]) for line in report.bump]

    def tip(number: int, index: int) -> str:
        return f"{lines[number][0]}: #{lines[number][1][index]} in {months[index]}"

    rows = [
        [line.name, line.artist, month, rank]
        for line, (_name, ranks) in zip(report.bump, lines, strict=True)
        for month, rank in zip(months, ranks, strict=True)
        if rank is not None
    ]
    return Chart(
        "bump",
        "Your top tracks, month by month",
        f"The short-term chart rank (from {report.source.value}) of the {len(lines)} tracks with the most chart "
        "points (51 minus the rank, each month in the top 50); a line breaks where a track was out of the chart.",
        svg.bump(months, lines, tip),
        Table(["track", "artist", "month", "rank"], rows, frozenset({3})),
    )


def _stream(report: Report) -> Chart:
    months = [str(month) for month in report.months]
    # never below 0: an older tm's row with an unreal time is in play_months' artist sums but in no day or hour
    rest = [max(0, total - sum(s.ms[i] for s in report.artists)) for i, total in enumerate(report.month_ms)]
    series = [(stream.artist, stream.ms) for stream in report.artists] + [("everyone else", rest)]

    def tip(index: int) -> str:
        total = report.month_ms[index]
        shares = "; ".join(f"{name} {_share(ms[index], total)}" for name, ms in series)
        return f"{months[index]} ({plural(minutes_of(total), 'minute')}): {shares}"

    rows = [
        [month, name, minutes_of(ms[index]), _share(ms[index], report.month_ms[index])]
        for index, month in enumerate(months)
        for name, ms in series
    ]
    return Chart(
        "stream",
        "Who you listened to",
        f"Each month's minutes shared among your {len(report.artists)} most played artists of the period and "
        "everyone else (months in UTC, as charts are).",
        svg.stream(months, series, tip),
        Table(["month", "artist", "minutes", "share"], rows, frozenset({2, 3})),
    )


def _turnover(report: Report, evolution: Evolution) -> Chart:
    months = [str(change.month) for change in evolution.changes]
    series = [
        ("turnover", [change.turnover for change in evolution.changes]),
        ("overlap", [change.overlap for change in evolution.changes]),
    ]

    def tip(number: int, index: int) -> str:
        name, values = series[number]
        return f"{months[index]}: {name} {values[index]:.2f}"

    rows = [
        [str(c.month), _fixed(c.turnover), _fixed(c.overlap), len(c.entries), len(c.exits)] for c in evolution.changes
    ]
    return Chart(
        "turnover",
        "How your chart turns over",
        "Per month: turnover, the share of the short-term chart that is new, and rank-biased overlap with the month "
        "before (1.00: the same tracks in the same order). Lines break after a month without a chart.",
        svg.trend(months, series, tip),
        Table(["month", "turnover", "overlap", "entries", "exits"], rows, frozenset({1, 2, 3, 4})),
    )


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _boomerangs(evolution: Evolution) -> Chart:
    back = evolution.returning_tracks
    items = [(b.name, b.returns, f"{b.name}: came back {plural(b.returns, 'time')}") for b in back]
    rows = [[b.name, b.returns, ", ".join(map(str, b.gaps))] for b in back]
    return Chart(
        "boomerangs",
        "Boomerangs",
        "Tracks that left your short-term chart and came back, with the months they were away each time.",
        svg.bars(items),
        Table(["track", "returns", "months away"], rows, frozenset({1})),
    )


def _gems(found: TodaysGems | ChartedGems) -> Chart:
    def why(gem: dict[str, object]) -> object:
        return gem.get("reason") or f"#{gem['long_term_rank']} in your long-term chart, not in your short-term one"

    rows = [[gem["name"], ", ".join(gem["artists"]), why(gem)] for gem in gems_json(found)]
    return Chart(
        "gems",
        "Forgotten gems",
        "Tracks high in your long-term chart that have left your short-term one, as `tm gems` finds them today.",
        None,
        Table(["track", "artist", "why"], rows),
    )


def _sections(report: Report) -> list[Section]:
    has_plays = bool(report.days)
    charted = any(rank is not None for line in report.bump for rank in line.ranks)
    years = [int(day.label[:4]) for day in report.days]
    calendar_years = list(range(years[0], years[-1] + 1)) if years else []
    evolution = report.evolution
    when = f"from {report.first} to {report.last}"
    return [
        Section("overview", "Year by year", _years(report) if report.years else missing(NO_PLAYS)),
        Section(
            "in-review",
            "Each year in review",
            _in_review(report) if report.years else missing(NO_PLAYS),
        ),
        Section("charts", "Charts over time", _bump(report).html() if charted else missing("No monthly charts yet.")),
        Section("artists", "Artists over time", _stream(report).html() if has_plays else missing(NO_PLAYS)),
        Section(
            "evolution",
            "Turnover",
            _turnover(report, evolution).html() if evolution else missing("It takes two monthly charts."),
        ),
        Section(
            "days",
            "Every day",
            calendar_chart(calendar_years, report.days, report.tz).html() if has_plays else missing(NO_PLAYS),
        ),
        Section(
            "hours",
            "When you listen",
            clock_chart(clock_minutes(report.clock), report.tz, when).html() if has_plays else missing(NO_PLAYS),
        ),
        Section(
            "returns",
            "Boomerangs",
            _boomerangs(evolution).html()
            if evolution and evolution.returning_tracks
            else missing("No track has left your chart and come back yet."),
        ),
        Section(
            "forgotten",
            "Forgotten gems",
            _gems(report.gems).html() if report.gems and report.gems.gems else missing("No forgotten gems today."),
        ),
    ]


def report_page(report: Report) -> str:
    """The whole time machine as one self-contained page."""
    title = "Your music time machine"
    if report.first is None:
        note = missing("Nothing stored yet: run `tm import` with your data export, or `tm snapshot`.")
        return document(title, "", [Section("overview", "Nothing yet", note)], FOOTER)
    total = sum(map(minutes_of, report.month_ms))  # the months' minutes of --json, added up
    clock = f"days and hours on the clock of {report.tz}"
    subtitle = f"{report.first} to {report.last}, {clock}; charts from {report.source.value}."
    head = numbers([("minutes in all", f"{total:,}"), ("years", len(report.years)), ("days", f"{len(report.days):,}")])
    sections = _sections(report)
    sections[0] = Section(sections[0].id, sections[0].heading, head + sections[0].body)
    return document(title, subtitle, sections, FOOTER)
