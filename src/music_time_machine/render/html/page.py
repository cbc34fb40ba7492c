"""One self-contained HTML page: inline CSS and SVG, no script, no request to anywhere (its policy forbids them).

Every chart is a `figure` with a title, a text description, a legend where its colours mean something, and its
data as a table (what a screen reader reads, and anyone who wants the numbers); marks carry their own tooltip
(`<title>`, which browsers show on hover; the drawing itself is one named image to a screen reader, whose numbers
are the table's). Light and dark follow the reader's system, and charts shrink to fit a phone. Text
from strangers (names) passes the same sanitiser as the terminal's, then HTML escaping.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from music_time_machine.printable import printable
from music_time_machine.render.streaming import atomic_text_file

# Nothing may load: no script, font, image or style from anywhere but the page itself (data: images only).
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """
:root { color-scheme: light dark; --bg: #fbfbfa; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de;
  --card: #ffffff; --h0: #ebedf0; --h1: #b7e4c7; --h2: #74c69d; --h3: #2d9b5f; --h4: #0b5d33;
  --s0: #1f77b4; --s1: #d9480f; --s2: #2b8a3e; --s3: #c2255c; --s4: #7048e8; --s5: #8d6e00; --s6: #0c8599;
  --s7: #9c6644; --s8: #868e96; --s9: #5c940d; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121214; --fg: #ececf1; --muted: #a0a4ab; --line: #3a3a40; --card: #1c1c20; --h0: #26262b;
    --h1: #0e4429; --h2: #006d32; --h3: #26a641; --h4: #39d353; --s0: #4dabf7; --s1: #ff8787; --s2: #69db7c;
    --s3: #f783ac; --s4: #b197fc; --s5: #ffd43b; --s6: #3bc9db; --s7: #ffa94d; --s8: #ced4da; --s9: #a9e34b; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.9rem; margin: 0 0 .2rem; } h2 { font-size: 1.3rem; margin: 2.2rem 0 .4rem; }
header p, .note, figcaption p { color: var(--muted); margin: .2rem 0; }
nav a { margin-right: .8rem; color: inherit; }
.numbers { display: flex; flex-wrap: wrap; gap: .8rem; padding: 0; list-style: none; }
.numbers li { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; padding: .6rem .9rem; }
.numbers b { display: block; font-size: 1.5rem; }
.review { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: .8rem; }
.review article { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; padding: .8rem; }
.review h3 { margin: 0; } .review .numbers { gap: .2rem .9rem; margin: .4rem 0; }
.review .numbers li { border: 0; padding: 0; background: none; } .review .numbers b { font-size: 1.1rem; }
figure { margin: 1rem 0; padding: .8rem; background: var(--card); border: 1px solid var(--line);
  border-radius: .6rem; overflow-x: auto; }
figcaption h3 { margin: 0; font-size: 1.05rem; }
svg { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; fill: var(--fg); }
svg text { fill: var(--muted); } svg .axis { stroke: var(--line); }
.h0 { --c: var(--h0); } .h1 { --c: var(--h1); } .h2 { --c: var(--h2); } .h3 { --c: var(--h3); }
.h4 { --c: var(--h4); } .cell, .day { fill: var(--c); }
.s0 { --c: var(--s0); } .s1 { --c: var(--s1); } .s2 { --c: var(--s2); } .s3 { --c: var(--s3); }
.s4 { --c: var(--s4); } .s5 { --c: var(--s5); } .s6 { --c: var(--s6); } .s7 { --c: var(--s7); }
.s8 { --c: var(--s8); } .s9 { --c: var(--s9); }
.bar, .area, .dot { fill: var(--c, var(--s0)); } .line { fill: none; stroke: var(--c); stroke-width: 2.5; }
.area { fill-opacity: .85; } .hover { fill: transparent; } .hover:hover { fill: var(--fg); fill-opacity: .08; }
rect:hover, .dot:hover { stroke: var(--fg); stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: .1rem 1rem; margin: .5rem 0 0; padding: 0; list-style: none;
  font-size: .85rem; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .35rem;
  border-radius: 2px; background: var(--c, var(--s0)); vertical-align: -.1rem; }
details { margin-top: .5rem; } summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; margin-top: .4rem; font-size: .9rem; }
th, td { padding: .15rem .6rem; border-bottom: 1px solid var(--line); text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
"""


def text(value: object) -> str:
    """A value as HTML text: printable (as on the terminal), then escaped, quotes included."""
    return html.escape(printable(str(value)), quote=True)


@dataclass(frozen=True)
class Table:
    """A chart's data: column headings, rows, and which columns hold numbers (right-aligned)."""

    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    numeric: frozenset[int] = frozenset()

    def html(self, caption: str) -> str:
        def cell(tag: str, index: int, value: object) -> str:
            kind = ' class="n"' if index in self.numeric else ""
            return f"<{tag}{kind}>{text('' if value is None else value)}</{tag}>"

        head = "".join(cell("th", index, heading) for index, heading in enumerate(self.headings))
        body = "".join(
            "<tr>" + "".join(cell("td", index, value) for index, value in enumerate(row)) + "</tr>" for row in self.rows
        )
        return f"<table><caption>{text(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Drawing:
    """A chart's marks (SVG, drawn in a `width` x `height` box, shown `scale` times larger) and, where its colours
    mean something, the legend naming each colour: its CSS class and what it stands for."""

    width: float
    height: float
    marks: str
    scale: float = 1
    legend: Sequence[tuple[str, str]] = ()

    def html(self, chart_id: str) -> str:
        """The SVG as one image to a screen reader, named and described by the elements `<chart_id>-title` and
        `<chart_id>-about`; its marks hidden from it (their numbers are in the data table), then the legend."""
        return (
            f'<svg viewBox="0 0 {self.width:g} {self.height:g}" width="{self.width * self.scale:g}" '
            f'height="{self.height * self.scale:g}" role="img" aria-labelledby="{chart_id}-title" '
            f'aria-describedby="{chart_id}-about"><g aria-hidden="true">{self.marks}</g></svg>' + legend(self.legend)
        )


def legend(entries: Sequence[tuple[str, str]]) -> str:
    """What each colour means, as text beside a swatch of it (nothing when colours mean nothing)."""
    items = "".join(f'<li><i class="{kind}"></i>{text(words)}</li>' for kind, words in entries)
    return f'<ul class="legend" aria-label="Colours">{items}</ul>' if entries else ""


@dataclass(frozen=True)
class Chart:
    """A chart: its id (for tests and links), title, what it shows in words, its drawing and its data."""

    id: str
    title: str
    description: str
    drawing: Drawing | None  # None: a list, whose table is shown itself
    data: Table

    def html(self) -> str:
        table = self.data.html(self.title)
        shown = (
            f"{self.drawing.html(self.id)}<details><summary>The data</summary>{table}</details>"
            if self.drawing
            else table
        )
        return (
            f'<figure id="{self.id}" aria-labelledby="{self.id}-title" aria-describedby="{self.id}-about">'
            f'<figcaption><h3 id="{self.id}-title">{text(self.title)}</h3>'
            f'<p id="{self.id}-about">{text(self.description)}</p></figcaption>{shown}</figure>'
        )


def missing(what: str) -> str:
    """What a section says instead of drawing an empty chart."""
    return f'<p class="note missing">{text(what)}</p>'


def numbers(items: Iterable[tuple[str, object]]) -> str:
    """Headline numbers, each a label and its value."""
    return (
        '<ul class="numbers">'
        + "".join(f"<li><b>{text(value)}</b>{text(label)}</li>" for label, value in items)
        + "</ul>"
    )


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    body: str  # HTML: charts, numbers or a note

    def html(self) -> str:
        return f'<section id="{self.id}"><h2>{text(self.heading)}</h2>{self.body}</section>'


def html_document(title: str, style: str, body: str) -> str:
    """A whole page: its title, inline style and body, under the policy that loads nothing."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{text(title)}</title><style>{style}</style></head><body>{body}</body></html>\n"
    )


def document(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """A report: a header with links to its sections, the sections, a footer."""
    links = "".join(f'<a href="#{section.id}">{text(section.heading)}</a>' for section in sections)
    header = f'<header><h1>{text(title)}</h1><p>{text(subtitle)}</p><nav aria-label="Sections">{links}</nav></header>'
    main = "".join(section.html() for section in sections)
    return html_document(title, STYLE, f"{header}<main>{main}</main><footer>{text(footer)}</footer>")


def write_page(path: Path, page: str) -> None:
    """Write the page atomically (a private temporary file beside it, moved into place when whole)."""
    with atomic_text_file(path) as handle:
        handle.write(page)
