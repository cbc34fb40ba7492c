"""The streams: lines for people, waits and progress on stderr; JSON on stdout. rich is imported only when a
countdown or progress bar is drawn (tables are render/tables.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from music_time_machine.errors import TmError
from music_time_machine.printable import json_text, printable

if TYPE_CHECKING:
    from rich.console import Console

    from music_time_machine.models import User

T = TypeVar("T")
JsonObject = dict[str, Any]


@cache
def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def message(*lines: str) -> None:
    """Lines for people, on stderr: plain text, each one line (names are never read as markup, nor obeyed)."""
    sys.stderr.write("".join(printable(text) + "\n" for text in lines))
    sys.stderr.flush()


def line(text: str) -> None:
    """A line of data on stdout (Typer's echo, as every command printed before)."""
    import typer

    typer.echo(printable(text))


def emit_json(data: object) -> None:
    sys.stdout.write(json_text(data, indent=2) + "\n")


def countdown_waiter(sleep: Callable[[float], None]) -> Callable[[float, str], None]:
    """A waiter for the Spotify client: shows why and how long on stderr, counting down each second."""

    def wait(seconds: float, reason: str) -> None:
        remaining = seconds
        with _stderr().status(f"{reason}; waiting {remaining:.0f}s…") as status:
            message(f"{reason}; waiting {seconds:g}s before retrying.")
            while remaining > 0:
                step = min(1.0, remaining)
                sleep(step)
                remaining -= step
                status.update(f"{reason}; waiting {remaining:.0f}s…")

    return wait


def with_progress(items: Sequence[T], description: str) -> Iterable[T]:
    """Iterate with a progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import track

    return track(items, description=description, console=_stderr(), transient=True)


@contextmanager
def byte_progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over `total` bytes on stderr (drawn only on a terminal); yields the advance function."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    stderr = _stderr()
    if not stderr.is_terminal:  # no bar (and no stray newline) in logs and pipes
        yield lambda size: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda size: progress.advance(task, size)


@contextmanager
def pages_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over pages whose number is known after the first (drawn only on a terminal); yields the
    update function (pages done, pages in all)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    stderr = _stderr()
    if not stderr.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def per_listener(
    outcomes: Sequence[tuple[User, T | TmError]],
    as_json: bool,
    to_json: Callable[[T], JsonObject],
    summary: Callable[[T], None],
) -> bool:
    """What `--all-users` did for each listener (JSON: one object each, with "ok"); True when all succeeded."""
    if as_json:
        emit_json(
            [
                {"user": user.id, "ok": False, "error": result.message, "hint": result.hint}
                if isinstance(result, TmError)
                else {"ok": True, **to_json(result), "user": user.id}
                for user, result in outcomes
            ]
        )
    for user, result in outcomes:
        message(f"{user.label}:")
        if isinstance(result, TmError):
            message(f"  failed: {result.message}" + (f" Hint: {result.hint}" if result.hint else ""))
        else:
            summary(result)
    return not any(isinstance(result, TmError) for _user, result in outcomes)


def page_progress(description: str) -> Callable[[int, int], None]:
    """A "read N of M" line on stderr for long paged reads (only on a terminal)."""
    stderr = _stderr()

    def show(done: int, total: int) -> None:
        if stderr.is_terminal and total > done:
            stderr.print(printable(f"{description}: {done} of {total}…"), end="\r", markup=False, highlight=False)

    return show
