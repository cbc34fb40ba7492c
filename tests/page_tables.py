"""Read a page the way a screen reader's table view would: each figure's data table, as rows of cell texts."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, list[list[str]]] = {}
        self.figure: str | None = None
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "figure":
            self.figure = dict(attrs).get("id") or ""
            self.figures[self.figure] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and self.figure is not None:
            self.figures[self.figure].append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.figure is not None:
            self.figures[self.figure][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "figure":
            self.figure = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def figure_tables(page: str) -> dict[str, list[list[str]]]:
    """Each figure's id and its data table's body rows (cell texts, entities decoded)."""
    parser = _Tables()
    parser.feed(page)
    return parser.figures
