"""The `tm` command line: parse, call a service, hand the result to render. Errors become exit codes here."""

from __future__ import annotations

import importlib
import keyword
import pkgutil
import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from music_time_machine import __version__
from music_time_machine.cli import commands
from music_time_machine.cli.options import COMMAND_SETTINGS, SETTINGS, runtime
from music_time_machine.config import load_settings
from music_time_machine.context import store_failure
from music_time_machine.errors import TmError
from music_time_machine.render.console import message

if TYPE_CHECKING:  # Typer vendors click; its Context is named here only for the overrides' signatures
    from typer._click import Context as ClickContext

EXIT_INTERRUPTED = 130


def _report(error: str, hint: str | None = None) -> None:
    message(f"Error: {error}", *([f"Hint: {hint}"] if hint else []))


def command_names() -> list[str]:
    """Every command, one module each: `tm on-this-day` lives in cli/commands/on_this_day.py (`import_` for the
    keyword). Listing the folder is the registry, so a new command is a new module and nothing else."""
    found = (module.name.rstrip("_").replace("_", "-") for module in pkgutil.iter_modules(commands.__path__))
    return sorted(found)


def module_of(name: str) -> str:
    module = name.replace("-", "_")
    return f"{commands.__name__}.{module}_" if keyword.iskeyword(module) else f"{commands.__name__}.{module}"


@cache
def load_command(name: str) -> TyperCommand | TyperGroup:
    """The command `tm <name>`, built on first use: its module defines `command` (a function) or `app` (a Typer
    group of subcommands). Only the command being run is imported: start-up stays near a one-command app's."""
    module = importlib.import_module(module_of(name))
    if isinstance(getattr(module, "app", None), typer.Typer):
        group = typer.main.get_group(module.app)
        group.name = name
        return group
    single = typer.Typer(**COMMAND_SETTINGS)
    single.command(name)(module.command)
    built = typer.main.get_group(single).commands[name]
    if not isinstance(built, TyperCommand):
        raise TypeError(f"{module.__name__}.command is not a Typer command")
    return built


class TmGroup(TyperGroup):
    """Loads commands on demand, and is the one place where failures turn into a message line and an exit code."""

    def list_commands(self, ctx: ClickContext) -> list[str]:
        return command_names()

    def get_command(self, ctx: ClickContext, cmd_name: str) -> TyperCommand | TyperGroup | None:
        return load_command(cmd_name) if cmd_name in command_names() else None

    def invoke(self, ctx: ClickContext) -> Any:
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
            database_error = store_failure(error)
            if database_error is not None:
                self._fail(ctx, database_error, error)
            self._debug_trace(ctx)
            _report(
                f"unexpected {type(error).__name__}: {error}",
                "This is a bug in tm; run again with --debug for details and report it.",
            )
            raise typer.Exit(1) from error

    def _fail(self, ctx: ClickContext, error: TmError, cause: BaseException | None = None) -> NoReturn:
        self._debug_trace(ctx)
        _report(error.message, error.hint)
        raise typer.Exit(error.exit_code) from cause or error

    @staticmethod
    def _debug_trace(ctx: ClickContext) -> None:
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
    **SETTINGS,
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
    app(prog_name="tm")  # also under `python -m music_time_machine`: completion and usage say `tm`
