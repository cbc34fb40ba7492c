"""The `tm` command line: parse, call a service, hand the result to render. Errors become exit codes here."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Annotated, Any, NoReturn

import typer
import typer.main
from typer.core import TyperGroup

from music_time_machine import __version__
from music_time_machine.cli.state import runtime
from music_time_machine.config import load_settings
from music_time_machine.errors import TmError
from music_time_machine.store import as_store_error

EXIT_INTERRUPTED = 130


def _report(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"Error: {message}\n")
    if hint:
        sys.stderr.write(f"Hint: {hint}\n")


# The module that defines each command, in the order `tm --help` lists them. Only the module of the command
# being run is imported and turned into a click command: start-up stays near a one-command Typer app's.
COMMANDS = {
    **dict.fromkeys(("login", "logout", "whoami"), "account"),
    **dict.fromkeys(("snapshot", "top", "history", "gems"), "charts"),
    **dict.fromkeys(("import", "sync", "schedule", "on-this-day", "rank-vs-plays"), "listening"),
    **dict.fromkeys(("evolution", "compare"), "analytics"),
    **dict.fromkeys(("playlist", "ban", "unban", "pin", "unpin"), "playlists"),
    "playlists": "browse",
    "export": "exports",
    "db": "database",
    "doctor": "doctor",
    "demo": "demo",
}

SETTINGS = {"pretty_exceptions_enable": False, "add_completion": False, "rich_markup_mode": None}


@cache
def commands_of(module: str) -> dict[str, Any]:
    """The click commands that `music_time_machine.cli.<module>` registers, built once per process."""
    commands = typer.Typer(**SETTINGS)  # type: ignore[arg-type]
    importlib.import_module(f"music_time_machine.cli.{module}").register(commands)
    return dict(typer.main.get_group(commands).commands)


class _LazyCommands(Mapping):
    def __getitem__(self, name: str) -> Any:
        return commands_of(COMMANDS[name])[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class TmGroup(TyperGroup):
    """Loads commands on demand, and is the one place where failures turn into a message line and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()  # type: ignore[assignment]

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, BrokenPipeError):
            raise
        except TmError as error:
            self._fail(ctx, error)
        except KeyboardInterrupt:
            sys.stderr.write("Interrupted; nothing half-written was kept.\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:
            database_error = as_store_error(error)
            if database_error is not None:
                self._fail(ctx, database_error, error)
            self._debug_trace(ctx)
            _report(
                f"unexpected {type(error).__name__}: {error}",
                "This is a bug in tm; run again with --debug for details and report it.",
            )
            raise typer.Exit(1) from error

    def _fail(self, ctx: typer.Context, error: TmError, cause: BaseException | None = None) -> NoReturn:
        self._debug_trace(ctx)
        _report(error.message, error.hint)
        raise typer.Exit(error.exit_code) from cause or error

    @staticmethod
    def _debug_trace(ctx: typer.Context) -> None:
        state = runtime(ctx)
        if state.debug or (state.settings is not None and state.settings.debug):
            import traceback  # 10 ms to import: only for --debug

            traceback.print_exc()


app = typer.Typer(
    cls=TmGroup,
    help="tm, the Music Time Machine: a memory for your Spotify listening.\n\n"
    "Snapshots your top tracks every month, finds the songs you loved and stopped playing, "
    "and shows what you were into back then. Try it without an account: `tm demo`.",
    no_args_is_help=True,
    **SETTINGS,  # type: ignore[arg-type]
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tm {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors [env: TM_DEBUG=1].")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    state = runtime(ctx)
    state.debug = state.debug or debug
    if state.settings is None:
        state.settings = load_settings()


def main() -> None:
    app()
