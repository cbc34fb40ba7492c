"""Write rows as CSV (with a header row) or a JSON array, streaming: one row in memory at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TextIO

from music_time_machine.errors import UsageError
from music_time_machine.printable import json_text
from music_time_machine.private_files import private_replacement

# A spreadsheet runs a cell that starts like a formula; names come from strangers (other people's playlists), so
# such a text cell gets a leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: object) -> object:
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell


def write_csv(out: TextIO, columns: list[str], rows: Iterator[tuple[object, ...]]) -> int:
    """CSV with a header row; a text cell that a spreadsheet would run as a formula is written as text."""
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_as_text(cell) for cell in row])
        count += 1
    return count


def write_json(out: TextIO, columns: list[str], rows: Iterator[tuple[object, ...]]) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(("\n  " if count == 0 else ",\n  ") + json_text(dict(zip(columns, row, strict=True))))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """Write to a new temporary file beside `path` (created exclusively, 0600 like the database) and move it into
    place only when everything was written. A folder that is missing or not writable, or a folder where the file
    should go, is a usage error."""
    if path.is_dir():
        raise UsageError(f"Cannot write {str(path)!r}: it is a folder.", hint="Give a file name inside it.")
    with ExitStack() as stack:
        try:
            handle = stack.enter_context(private_replacement(path, newline=""))
        except OSError as error:
            raise UsageError(f"Cannot write {str(path)!r}: {error.strerror}.") from None
        yield handle
