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


class _Numbers(HTMLParser):
    """The headline numbers (`<li><b>value</b>label</li>`) of each `<article>`, by its id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.articles: dict[str, list[list[str]]] = {}
        self.article: str | None = None
        self.item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.article = dict(attrs).get("id") or ""
            self.articles[self.article] = []
        elif tag == "li" and self.article is not None:
            self.item = [""]  # the value, then (after </b>) the label
            self.articles[self.article].append(self.item)

    def handle_endtag(self, tag: str) -> None:
        if tag == "b" and self.item is not None:
            self.item.append("")
        elif tag == "li":
            self.item = None
        elif tag == "article":
            self.article = None

    def handle_data(self, data: str) -> None:
        if self.item is not None:
            self.item[-1] += data


def article_numbers(page: str) -> dict[str, list[tuple[str, str]]]:
    """Each article's id and its numbers as (value, label), entities decoded."""
    parser = _Numbers()
    parser.feed(page)
    return {name: [(item[0], "".join(item[1:])) for item in items] for name, items in parser.articles.items()}
