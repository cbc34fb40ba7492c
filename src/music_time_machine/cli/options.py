"""What commands share: the options they have in common, and the `Context` each one runs with."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from music_time_machine.config import database_of
from music_time_machine.context import Context, Runtime
from music_time_machine.errors import UsageError
from music_time_machine.models import ChartsFrom, TimeRange
from music_time_machine.render.console import countdown_waiter

if TYPE_CHECKING:  # Typer vendors click: its Context (the root of a command's) is named here for annotations only
    from typer._click import Context as ClickContext


# Plain help (no rich panels, `[env: …]` never read as markup, help on stderr when arguments are missing), as for
# every Typer app of tm's. Shell completion (`tm --install-completion`) belongs to `tm` itself, not to each
# command's own small app.
SETTINGS: dict[str, Any] = {"pretty_exceptions_enable": False, "rich_markup_mode": None}
COMMAND_SETTINGS: dict[str, Any] = {**SETTINGS, "add_completion": False}


def command_group(help_text: str) -> typer.Typer:
    """The app of a command with subcommands (`tm playlist …`, `tm db …`), built like every other command."""
    return typer.Typer(help=help_text, no_args_is_help=True, **COMMAND_SETTINGS)


class RangeChoice(StrEnum):
    """What users type for a chart window (TimeRange's short names; checked below so the two never drift apart)."""

    short = "short"
    medium = "medium"
    long = "long"


if [choice.value for choice in RangeChoice] != [time_range.short_name for time_range in TimeRange]:
    raise AssertionError("RangeChoice must list TimeRange's short names")  # a typo here fails every command

RangeOption = Annotated[RangeChoice, typer.Option("--range", help="Which chart: ~4 weeks, ~6 months, ~1 year.")]


def time_range_of(choice: StrEnum) -> TimeRange:
    return TimeRange.parse(choice.value)


def ranges_of(chosen: list[RangeChoice] | None) -> list[TimeRange]:
    """The ranges asked for (repeatable --range), or all three."""
    return [time_range_of(choice) for choice in chosen] if chosen else list(TimeRange)


SourceOption = Annotated[
    ChartsFrom | None,
    typer.Option(
        "--source",
        help="spotify: the snapshots tm took; plays: charts computed from your stored plays "
        "[default: spotify when the months asked for have snapshots, else plays].",
    ),
]

MAX_LIMIT = 100_000  # what a --limit may ask for: more than any chart, playlist or listener has, and a plain number
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite database file, or a postgresql:// URL [env: TM_DB; default: $TM_HOME/tm.sqlite3].",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON to stdout instead of tables.")]
AllUsersOption = Annotated[
    bool,
    typer.Option(
        "--all-users",
        help="For every listener logged in on this machine (`tm login` as each); one failing never stops the others.",
    ),
]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="Whose days, hours and new year count: an IANA zone, e.g. Europe/Berlin [env: TM_TZ; default: this "
        "machine's].",
        show_default=False,
    ),
]
CreatePlaylistOption = Annotated[
    bool,
    typer.Option(
        "--create-playlist",
        help="Also keep a private playlist of these tracks, updated in place on later runs.",
    ),
]


def runtime(ctx: ClickContext) -> Runtime:
    root = ctx.find_root()
    if not isinstance(root.obj, Runtime):
        root.obj = Runtime()
    return root.obj


def context(ctx: typer.Context, db: str | None = None) -> Context:
    """The command's context: settings loaded by the app callback, `--db` applied."""
    state = runtime(ctx)
    settings = state.settings
    assert settings is not None, "the app callback loads settings before any command runs"
    if db is not None:
        if not db.strip():
            raise UsageError("--db is empty: give a SQLite file or a postgresql:// URL (or leave --db out).")
        settings = replace(settings, database=database_of(db))
    return Context(settings, state, countdown_waiter(state.sleep))


def zone_name(env: Context, tz: str | None) -> str:
    """The zone asked for: --tz, else TM_TZ, else this machine's (TZ, /etc/localtime; UTC when none names one)."""
    if tz is not None:
        return tz
    if env.settings.time_zone:
        return env.settings.time_zone
    import tzlocal  # only when no zone is named

    tzlocal.reload_localzone()  # tzlocal keeps the first answer for the process; the zone may have changed since
    return tzlocal.get_localzone_name() or "UTC"


CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV (with a header row) to stdout.")]


def one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise UsageError("Use --json or --csv, not both.")
