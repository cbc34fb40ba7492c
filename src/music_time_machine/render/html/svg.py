"""Charts drawn as inline SVG, straight from the numbers: a heat grid, a calendar, bars, a bump chart, a stream graph.

Drawn here rather than by a charting library in the page: the charts are few and fixed, SVG needs no script (the
page's policy forbids scripts), prints and reads in any browser, and keeps the page small. Colours come from the
page's CSS classes (`h0`-`h4` for heat, `s0`-`s9` for series), so light and dark mode need nothing here; a drawing
whose colours mean something comes with its legend. Every mark carries its tooltip as a `<title>`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from music_time_machine.render.html.page import Drawing, text

SERIES = 10  # colour classes s0-s9
MONTH_LABEL_GAP = 48  # px from one month's label to the next along a time axis: "2024-01" is about 40 px wide
LABEL_EVERY = (1, 2, 3, 4, 6, 12, 24, 60)  # months from one label to the next, as few as leave the gap
# px for a whole period along a time axis: inside the widest figure (72rem less paddings), so a long period is
# drawn narrow enough that a wide screen never shrinks its labels
MONTH_AXIS = 1_000
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # whatever the locale
LABEL_CHARACTERS = 34  # of a name drawn beside a bar (the tooltip and the table hold it whole)


def heat(value: float, top: float) -> str:
    """The heat class of a value: h0 for nothing, then h1-h4 for each quarter of the largest value."""
    return "h0" if value <= 0 or top <= 0 else f"h{min(4, math.ceil(4 * value / top))}"


def rect(x: float, y: float, width: float, height: float, kind: str, tip: str) -> str:
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" class="{kind}">'
        f"<title>{text(tip)}</title></rect>"
    )


def label(x: float, y: float, words: str, anchor: str = "start", kind: str = "") -> str:
    shown = words if len(words) <= LABEL_CHARACTERS else words[: LABEL_CHARACTERS - 1] + "…"
    classes = f' class="{kind}"' if kind else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{classes}>{text(shown)}</text>'


def heat_legend(largest: int, unit: str) -> list[tuple[str, str]]:
    """What each heat class stands for: the whole numbers (minutes) `heat` gives it against the `largest` (a class
    no whole number can have is left out)."""
    shown = [("h0", f"no {unit}")]
    for level in range(1, 5):
        low, high = (level - 1) * largest // 4 + 1, level * largest // 4  # level - 1 < 4 * value / largest <= level
        if low <= high:
            shown.append((f"h{level}", f"{low:,} {unit}" if low == high else f"{low:,} to {high:,} {unit}"))
    return shown


def heat_grid(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int]],
    tip: Callable[[int, int], str],
    scale: float = 1,
) -> Drawing:
    """One cell per row and column (the listening clock: weekdays by hours), shaded by its value."""
    size, left, top = 24, 40, 18
    largest = max((value for row in values for value in row), default=0)
    marks = [label(left + column * size + size / 2, 12, name, "middle") for column, name in enumerate(columns)]
    for row, name in enumerate(rows):
        marks.append(label(0, top + row * size + 16, name))
        for column, value in enumerate(values[row]):
            x, y = left + column * size, top + row * size
            marks.append(rect(x, y, size - 2, size - 2, f"cell {heat(value, largest)}", tip(row, column)))
    return Drawing(
        left + len(columns) * size, top + len(rows) * size, "".join(marks), scale, heat_legend(largest, "minutes")
    )


def _week(day: date) -> int:
    """The column of a day in its year's calendar: weeks start on Monday, the first (partial) week is column 0."""
    first = date(day.year, 1, 1)
    return ((day - first).days + first.weekday()) // 7


def calendar(years: Sequence[int], values: dict[str, int], tip: Callable[[str], str]) -> Drawing:
    """One row of weeks per year, a cell per day (Monday at the top), shaded by its value; days without one are
    drawn empty, so every day of each year is there."""
    size, left, year_height = 11, 38, 7 * 11 + 16
    largest = max(values.values(), default=0)
    marks: list[str] = []
    for row, year in enumerate(years):
        first, top = date(year, 1, 1), row * year_height + 12
        marks.append(f'<g id="year-{year}">')
        marks.append(label(0, top + 40, str(year)))
        for month in range(1, 13):
            start = date(year, month, 1)
            marks.append(label(left + _week(start) * size, top - 3, MONTHS[month - 1], kind="month"))
        day = first
        while day.year == year:
            week = _week(day)
            key = day.isoformat()
            value = values.get(key, 0)
            x, y = left + week * size, top + day.weekday() * size
            marks.append(rect(x, y, size - 1, size - 1, f"day {heat(value, largest)}", tip(key)))
            day += timedelta(days=1)
        marks.append("</g>")
    legend = heat_legend(largest, "minutes")
    return Drawing(left + 54 * size, len(years) * year_height, "".join(marks), legend=legend)


def bars(items: Sequence[tuple[str, float, str]]) -> Drawing:
    """Horizontal bars, one per item (its label, value and tooltip), longest first as given."""
    height, left, width = 22, 230, 420
    largest = max((value for _name, value, _tip in items), default=0) or 1
    marks = []
    for index, (name, value, tip) in enumerate(items):
        y, length = index * height, max(1.0, width * value / largest)
        marks.append(label(0, y + 15, name))
        marks.append(rect(left, y + 3, round(length, 1), height - 6, f"bar s{index % SERIES}", tip))
        marks.append(label(left + length + 6, y + 15, f"{value:,.0f}"))
    return Drawing(left + width + 70, len(items) * height + 4, "".join(marks))


def columns(items: Sequence[tuple[str, float, str]]) -> Drawing:
    """Vertical bars, one per item (its label under it, value and tooltip), in the order given."""
    width, height, bottom = 36, 160, 20
    largest = max((value for _name, value, _tip in items), default=0) or 1
    marks = []
    for index, (name, value, tip) in enumerate(items):
        length = height * value / largest
        marks.append(rect(index * width + 4, height - length, width - 8, round(length, 1), "bar s0", tip))
        marks.append(label(index * width + width / 2, height + 14, name, "middle"))
    return Drawing(len(items) * width, height + bottom, "".join(marks))


def _line(
    number: int, name: str, points: Sequence[tuple[float, float] | None], tip: Callable[[int, int], str]
) -> list[str]:
    """One series as a line through its points (a missing point breaks it) and a dot with a tooltip on each."""
    kind, path, previous = f"s{number % SERIES}", [], None
    for point in points:
        if point is not None:
            path.append(f"{'L' if previous is not None else 'M'}{point[0]:g} {point[1]:g}")
        previous = point
    marks = [f'<path class="line {kind}" d="{" ".join(path)}"><title>{text(name)}</title></path>']
    marks += [
        f'<circle class="dot {kind}" cx="{point[0]:g}" cy="{point[1]:g}" r="3.5">'
        f"<title>{text(tip(number, index))}</title></circle>"
        for index, point in enumerate(points)
        if point is not None
    ]
    return marks


def month_step(months: int) -> float:
    """The width of a month along a time axis: MONTH_AXIS px for the whole period, at most 56 px a month."""
    return round(min(56.0, MONTH_AXIS / max(months, 1)), 1)


def _month_labels(left: float, step: float, months: Sequence[str]) -> list[str]:
    """Along the top, every k-th month's label, the smallest k of LABEL_EVERY that keeps labels MONTH_LABEL_GAP
    apart (each k falls on the same months every year, or on the same Januaries); the SVG scales as a whole, so
    labels that do not meet at its own width meet at none."""
    every = next((k for k in LABEL_EVERY if k * step >= MONTH_LABEL_GAP), LABEL_EVERY[-1])

    def labelled(month: str) -> bool:
        year, number = int(month[:4]), int(month[5:7])
        return (number - 1) % every == 0 if every <= 12 else number == 1 and year % (every // 12) == 0

    return [
        label(left + index * step, 10, month, "middle", kind="month")
        for index, month in enumerate(months)
        if labelled(month)
    ]


def series_legend(names: Iterable[str]) -> list[tuple[str, str]]:
    """Each series' colour class (in the order drawn) and its name."""
    return [(f"s{number % SERIES}", name) for number, name in enumerate(names)]


def bump(
    months: Sequence[str], lines: Sequence[tuple[str, Sequence[int | None]]], tip: Callable[[int, int], str]
) -> Drawing:
    """A line per track through its rank in each month (1 at the top); a month without a rank breaks the line."""
    step, row, left, top = month_step(len(months)), 12, 34, 22
    deepest = max((rank for _name, ranks in lines for rank in ranks if rank), default=1)
    marks = [label(0, top + (rank - 1) * row + 4, f"#{rank}") for rank in (1, 10, 20, 30, 40, 50) if rank <= deepest]
    marks += _month_labels(left, step, months)
    for number, (name, ranks) in enumerate(lines):
        points = [(left + index * step, top + (rank - 1) * row) if rank else None for index, rank in enumerate(ranks)]
        marks += _line(number, name, points, tip)
    legend = series_legend(name for name, _ranks in lines)
    return Drawing(left + len(months) * step + 10, top + deepest * row + 8, "".join(marks), legend=legend)


def trend(
    months: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], tip: Callable[[int, int], str]
) -> Drawing:
    """A line per series through its value (0 to 1) in each month; a month without a value breaks the line."""
    step, height, left, top = month_step(len(months)), 160, 40, 22
    marks = [label(0, top + 4, "100%"), label(0, top + height / 2 + 4, "50%"), label(0, top + height + 4, "0%")]
    marks += _month_labels(left, step, months)
    for number, (name, values) in enumerate(series):
        points = [
            (left + index * step, round(top + height * (1 - value), 1)) if value is not None else None
            for index, value in enumerate(values)
        ]
        marks += _line(number, name, points, tip)
    legend = series_legend(name for name, _values in series)
    return Drawing(left + len(months) * step + 10, top + height + 8, "".join(marks), legend=legend)


def stream(months: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], tip: Callable[[int], str]) -> Drawing:
    """Each series' share of every month's total, stacked (the shares of a month add up to 1); one hover band per
    month tells its numbers."""
    step, height, left, top = month_step(len(months)), 220, 34, 22
    totals = [sum(values[index] for _name, values in series) for index in range(len(months))]
    floor = [0.0] * len(months)
    marks = [label(0, top + 4, "100%"), label(0, top + height, "0%")]
    marks += _month_labels(left, step, months)
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
    legend = series_legend(name for name, _values in series)
    return Drawing(left + len(months) * step + 10, top + height + 8, "".join(marks), legend=legend)
