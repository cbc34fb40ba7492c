"""The `tm` command line: parse, call a service, hand the result to render. Errors become exit codes here."""

from __future__ import annotations

import sqlite3
import sys
import traceback
from typing import Annotated, Any

import typer
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


class TmGroup(TyperGroup):
    """The one place where failures turn into a message line and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, BrokenPipeError):
            raise
        except (TmError, sqlite3.Error) as raised:
            self._debug_trace(ctx)
            error = as_store_error(raised) if isinstance(raised, sqlite3.Error) else raised
            _report(error.message, error.hint)
            raise typer.Exit(error.exit_code) from raised
        except KeyboardInterrupt:
            sys.stderr.write("Interrupted; nothing half-written was kept.\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:
            self._debug_trace(ctx)
            _report(
                f"unexpected {type(error).__name__}: {error}",
                "This is a bug in tm; run again with --debug for details and report it.",
            )
            raise typer.Exit(1) from error

    @staticmethod
    def _debug_trace(ctx: typer.Context) -> None:
        state = runtime(ctx)
        if state.debug or (state.settings is not None and state.settings.debug):
            traceback.print_exc()


app = typer.Typer(
    cls=TmGroup,
    help="tm, the Music Time Machine: a memory for your Spotify listening.\n\n"
    "Snapshots your top tracks every month, finds the songs you loved and stopped playing, "
    "and shows what you were into back then. Try it without an account: `tm demo`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
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


def _register() -> None:
    from music_time_machine.cli import (
        account,
        analytics,
        browse,
        charts,
        demo,
        doctor,
        exports,
        listening,
        playlists,
    )

    for module in (account, charts, listening, analytics, playlists, browse, exports, doctor, demo):
        module.register(app)


_register()


def main() -> None:
    app()
