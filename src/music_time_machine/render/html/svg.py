"""Charts drawn as inline SVG, straight from the numbers: a heat grid, a calendar, bars, a bump chart, a stream graph.

Drawn here rather than by a charting library in the page: the charts are few and fixed, SVG needs no script (the
page's policy forbids scripts), prints and reads in any browser, and keeps the page small. Colours come from the
page's CSS classes (`h0`-`h4` for heat, `s0`-`s9` for series), so light and dark mode need nothing here. Every mark
carries its tooltip as a `<title>`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from music_time_machine.render.html.page import text

SERIES = 10  # colour classes s0-s9
LABEL_CHARACTERS = 34  # of a name drawn beside a bar (the tooltip and the table hold it whole)


def svg(width: float, height: float, label: str, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" role="img" '
        f'aria-label="{text(label)}">{body}</svg>'
    )


def heat(value: float, top: float) -> str:
    """The heat class of a value: h0 for nothing, then h1-h4 for each quarter of the largest value."""
    return "h0" if value <= 0 or top <= 0 else f"h{min(4, math.ceil(4 * value / top))}"


def rect(x: float, y: float, width: float, height: float, kind: str, tip: str, extra: str = "") -> str:
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" class="{kind}"{extra}>'
        f"<title>{text(tip)}</title></rect>"
    )


def label(x: float, y: float, words: str, anchor: str = "start") -> str:
    shown = words if len(words) <= LABEL_CHARACTERS else words[: LABEL_CHARACTERS - 1] + "…"
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}">{text(shown)}</text>'


def heat_grid(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    tip: Callable[[int, int], str],
) -> str:
    """One cell per row and column (the listening clock: weekdays by hours), shaded by its value."""
    size, left, top = 24, 40, 18
    largest = max((value for row in values for value in row), default=0)
    marks = [label(left + column * size + size / 2, 12, name, "middle") for column, name in enumerate(columns)]
    for row, name in enumerate(rows):
        marks.append(label(0, top + row * size + 16, name))
        for column, value in enumerate(values[row]):
            x, y = left + column * size, top + row * size
            marks.append(rect(x, y, size - 2, size - 2, f"cell {heat(value, largest)}", tip(row, column)))
    return svg(left + len(columns) * size, top + len(rows) * size, title, "".join(marks))


def _week(day: date) -> int:
    """The column of a day in its year's calendar: weeks start on Monday, the first (partial) week is column 0."""
    first = date(day.year, 1, 1)
    return ((day - first).days + first.weekday()) // 7


def calendar(title: str, years: Sequence[int], values: dict[str, float], tip: Callable[[str], str]) -> str:
    """One row of weeks per year, a cell per day (Monday at the top), shaded by its value; days without one are
    drawn empty, so every day of each year is there."""
    size, left, year_height = 11, 38, 7 * 11 + 16
    largest = max(values.values(), default=0)
    marks: list[str] = []
    for row, year in enumerate(years):
        first, top = date(year, 1, 1), row * year_height + 12
        marks.append(label(0, top + 40, str(year)))
        for month in range(1, 13):
            start = date(year, month, 1)
            marks.append(label(left + _week(start) * size, top - 3, start.strftime("%b")))
        day = first
        while day.year == year:
            week = _week(day)
            key = day.isoformat()
            value = values.get(key, 0)
            x, y = left + week * size, top + day.weekday() * size
            marks.append(rect(x, y, size - 1, size - 1, f"day {heat(value, largest)}", tip(key)))
            day += timedelta(days=1)
    return svg(left + 54 * size, len(years) * year_height + 4, title, "".join(marks))


def bars(title: str, items: Sequence[tuple[str, float, str]]) -> str:
    """Horizontal bars, one per item (its label, value and tooltip), longest first as given."""
    height, left, width = 22, 230, 420
    largest = max((value for _name, value, _tip in items), default=0) or 1
    marks = []
    for index, (name, value, tip) in enumerate(items):
        y, length = index * height, max(1.0, width * value / largest)
        marks.append(label(0, y + 15, name))
        marks.append(rect(left, y + 3, round(length, 1), height - 6, f"bar s{index % SERIES}", tip))
    return svg(left + width + 10, len(items) * height + 4, title, "".join(marks))


def columns(title: str, items: Sequence[tuple[str, float, str]]) -> str:
    """Vertical bars, one per item (its label under it, value and tooltip), in the order given."""
    width, height, bottom = 36, 160, 20
    largest = max((value for _name, value, _tip in items), default=0) or 1
    marks = []
    for index, (name, value, tip) in enumerate(items):
        length = height * value / largest
        marks.append(rect(index * width + 4, height - length, width - 8, round(length, 1), "bar s0", tip))
        marks.append(label(index * width + width / 2, height + 14, name, "middle"))
    return svg(len(items) * width, height + bottom, title, "".join(marks))


def bump(
    title: str, months: Sequence[str], lines: Sequence[tuple[str, Sequence[int | None]]], tip: Callable[[int, int], str]
) -> str:
    """A line per track through its rank in each month (1 at the top); a month without a rank breaks the line."""
    step, row, left, top = 14, 12, 34, 16
    deepest = max((rank for _name, ranks in lines for rank in ranks if rank), default=1)
    marks = [label(0, top + (rank - 1) * row + 4, f"#{rank}") for rank in (1, 10, 20, 30, 40, 50) if rank <= deepest]
    marks += [label(left + index * step, 10, month, "middle") for index, month in enumerate(months) if index % 12 == 0]
    for number, (_name, ranks) in enumerate(lines):
        points = [(left + index * step, top + (rank - 1) * row) for index, rank in enumerate(ranks) if rank]
        path, previous = [], -2
        for index, rank in enumerate(ranks):
            if rank:
                path.append(f"{'L' if previous == index - 1 else 'M'}{left + index * step} {top + (rank - 1) * row}")
                previous = index
        kind = f"s{number % SERIES}"
        marks.append(f'<path class="line {kind}" d="{" ".join(path)}"><title>{text(_name)}</title></path>')
        dots = [index for index, rank in enumerate(ranks) if rank]
        marks += [
            f'<circle class="dot {kind}" cx="{x}" cy="{y}" r="3.5"><title>{text(tip(number, index))}</title></circle>'
            for (x, y), index in zip(points, dots, strict=True)
        ]
    return svg(left + len(months) * step + 10, top + deepest * row + 8, title, "".join(marks))


def stream(
    title: str, months: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], tip: Callable[[int], str]
) -> str:
    """Each series' share of every month's total, stacked (the shares of a month add up to 1); one hover band per
    month tells its numbers."""
    step, height, left, top = 14, 220, 34, 16
    totals = [sum(values[index] for _name, values in series) for index in range(len(months))]
    floor = [0.0] * len(months)
    marks = [label(0, top + 4, "100%"), label(0, top + height, "0%")]
    marks += [label(left + index * step, 10, month, "middle") for index, month in enumerate(months) if index % 12 == 0]
    for number, (name, values) in enumerate(series):
        ceiling = [
            low + (value / total if total else 0) for low, value, total in zip(floor, values, totals, strict=True)
        ]
        upper = [f"{left + index * step} {top + height * (1 - share):.1f}" for index, share in enumerate(ceiling)]
        lower = [f"{left + index * step} {top + height * (1 - share):.1f}" for index, share in enumerate(floor)]
        path = "M" + " L".join(upper + lower[::-1]) + " Z"
        marks.append(f'<path class="area s{number % SERIES}" d="{path}"><title>{text(name)}</title></path>')
        floor = ceiling
    marks += [
        rect(left + index * step - step / 2, top, step, height, "hover", tip(index)) for index in range(len(months))
    ]
    return svg(left + len(months) * step + 10, top + height + 8, title, "".join(marks))
