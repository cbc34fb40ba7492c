"""Tables for people: box-drawn, aligned, fitted to the terminal, in one pass over the cells.

rich's Table measures and wraps every cell through several layers of renderables; for the ~200 rows of
`tm history` that was 300-400 ms, more than the whole rest of the command. This draws the same look (rich's
heavy-head box) with plain string work. On a terminal, wide tables shrink their text columns and cut long
names with "…"; in a pipe nothing is cut, so `grep` sees every name whole. Colour follows NO_COLOR,
FORCE_COLOR and TERM=dumb, and is never sent to a pipe.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from music_time_machine.printable import printable

_STYLES = {"bold": "1", "dim": "2", "italic": "3", "red": "31", "green": "32", "yellow": "33"}
_MIN_WIDTH = 6  # a text column is never cut narrower than this


class Styled(NamedTuple):
    """A cell with its own style, e.g. a red "FAIL"."""

    text: str
    style: str


Cell = str | Styled


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # numbers align right, and are never cut
    style: str = ""


def number(header: str) -> Column:
    return Column(header, right=True)


@dataclass(frozen=True)
class Output:
    """Where the lines go: the width to fit (None: never cut) and whether to colour."""

    width: int | None
    color: bool

    @classmethod
    def of_stdout(cls) -> Output:
        terminal = sys.stdout.isatty()
        if os.environ.get("FORCE_COLOR"):
            color = True
        else:
            color = terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        width = shutil.get_terminal_size().columns if terminal or "COLUMNS" in os.environ else None
        return cls(width=width, color=color)

    def paint(self, text: str, style: str) -> str:
        if not (self.color and style):
            return text
        codes = ";".join(_STYLES[name] for name in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):  # combining marks, vowel signs, joiners: no column
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def cell_len(text: str) -> int:
    """Terminal columns `text` takes (wide CJK characters take two)."""
    return len(text) if text.isascii() else sum(map(_char_width, text))


def _fit(text: str, width: int, right: bool) -> str:
    """`text` padded to exactly `width` columns, cut with "…" when longer."""
    length = cell_len(text)
    if length > width:
        kept, used = [], 0
        for char in text:
            used += _char_width(char)
            if used > width - 1:
                break
            kept.append(char)
        text = "".join(kept) + "…"
        length = cell_len(text)
    padding = " " * (width - length)
    return padding + text if right else text + padding


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    @classmethod
    def of(cls, title: str, *columns: Column | str) -> Table:
        return cls(title, [c if isinstance(c, Column) else Column(c) for c in columns])

    def add_row(self, *cells: object) -> None:  # Styled keeps its style; None is empty; anything else is str()
        row: list[Cell] = []
        for cell in cells:
            if isinstance(cell, Styled):
                row.append(Styled(printable(cell.text), cell.style))
            else:
                row.append("" if cell is None else printable(str(cell)))
        self.rows.append(row)

    def _widths(self, limit: int | None) -> list[int]:
        widths = [cell_len(c.header) for c in self.columns]
        for row in self.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], cell_len(cell[0] if isinstance(cell, Styled) else cell))
        if limit is None:
            return widths
        excess = sum(widths) + 3 * len(widths) + 1 - limit
        while excess > 0:  # take one column at a time from the widest text column that can still give
            shrinkable = [i for i, c in enumerate(self.columns) if not c.right and widths[i] > _MIN_WIDTH]
            if not shrinkable:
                break
            widest = max(shrinkable, key=widths.__getitem__)
            widths[widest] -= 1
            excess -= 1
        return widths

    def lines(self, out: Output) -> list[str]:
        widths = self._widths(out.width)

        def rule(left: str, fill: str, middle: str, right: str) -> str:
            return left + middle.join(fill * (w + 2) for w in widths) + right

        def row_line(cells: list[Cell], bar: str, header: bool) -> str:
            parts = []
            for column, width, cell in zip(self.columns, widths, cells, strict=True):
                text, style = cell if isinstance(cell, Styled) else (cell, "bold" if header else column.style)
                parts.append(out.paint(_fit(text, width, column.right), style))
            return f"{bar} " + f" {bar} ".join(parts) + f" {bar}"

        lines = [out.paint(printable(self.title), "italic")] if self.title else []
        lines += [rule("┏", "━", "┳", "┓"), row_line([c.header for c in self.columns], "┃", header=True)]
        lines.append(rule("┡", "━", "╇", "┩"))
        lines += [row_line(row, "│", header=False) for row in self.rows]
        lines.append(rule("└", "─", "┴", "┘"))
        return lines


def _side_by_side(left: list[str], right: list[str], out: Output, gap: int = 2) -> list[str]:
    """Two blocks of lines next to each other, or one under the other when they don't fit."""
    left_width = max(map(_visible_len, left), default=0)
    if out.width is not None and left_width + gap + max(map(_visible_len, right), default=0) > out.width:
        return left + right
    padded = [line + " " * (left_width - _visible_len(line)) for line in left]
    padded += [" " * left_width] * (len(right) - len(left))
    right = right + [""] * (len(left) - len(right))
    return [(a + " " * gap + b).rstrip() for a, b in zip(padded, right, strict=True)]


def _visible_len(line: str) -> int:
    """Columns of a line that may carry our own colour codes (ESC only ever comes from `Output.paint`)."""
    if "\x1b[" not in line:
        return cell_len(line)
    visible, inside = [], False
    for char in line:
        if char == "\x1b":
            inside = True
        elif inside:
            inside = char != "m"
        else:
            visible.append(char)
    return cell_len("".join(visible))


Block = Table | tuple[Table, Table] | Styled | str


def show(*blocks: Block) -> None:
    """Write to stdout, in order: tables, pairs of tables side by side, and lines (plain or styled)."""
    out = Output.of_stdout()
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            lines += block.lines(out)
        elif isinstance(block, Styled):
            lines.append(out.paint(printable(block.text), block.style))
        elif isinstance(block, str):
            lines.append(printable(block))
        else:
            lines += _side_by_side(block[0].lines(out), block[1].lines(out), out)
    sys.stdout.write("\n".join(lines) + "\n")
