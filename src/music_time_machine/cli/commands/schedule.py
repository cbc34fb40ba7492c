"""tm schedule: run sync hourly and snapshot monthly."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from music_time_machine.cli.options import AllUsersOption, DbOption, context
from music_time_machine.errors import UsageError
from music_time_machine.render.listening import show_schedule, show_schedule_installed


def command(
    ctx: typer.Context,
    print_only: Annotated[bool, typer.Option("--print", help="Only print what would be installed.")] = False,
    systemd: Annotated[bool, typer.Option("--systemd", help="systemd user timers instead of cron.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Install without asking.")] = False,
    all_users: AllUsersOption = False,
    db: DbOption = None,
) -> None:
    """Run `tm sync` hourly and `tm snapshot` monthly, from cron (default) or systemd user timers.

    Prints the schedule and, after you confirm, installs it: a marked block in your crontab
    (replaced, never duplicated, on a second run) or units in ~/.config/systemd/user.

    Examples:

        tm schedule --print

        tm schedule --systemd --yes

        tm schedule --all-users --db postgresql://me@db.example/tm    # a household's server
    """
    from music_time_machine.services.schedule import install_schedule, plan_schedule

    env = context(ctx, db)
    plan = plan_schedule(env.settings, systemd=systemd, all_users=all_users)
    show_schedule(plan, to_stdout=print_only)
    if print_only:
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("Not installing without confirmation.", hint="Add --yes, or use --print.")
        typer.confirm("Install this schedule?", abort=True, err=True)
    install_schedule(plan)
    show_schedule_installed(plan)
