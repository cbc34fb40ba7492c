"""Run `tm sync` hourly and `tm snapshot` monthly: a cron block or systemd user timers, printed or installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from music_time_machine.config import Settings, is_database_url
from music_time_machine.errors import TmError, UsageError
from music_time_machine.printable import is_printable
from music_time_machine.private_files import private_folder, private_replacement

BEGIN, END = "# >>> tm schedule (managed by `tm schedule`) >>>", "# <<< tm schedule <<<"
# (name, cron time, systemd OnCalendar): sync often, because Spotify keeps only the last 50 plays
JOBS = (("sync", "17 * * * *", "*-*-* *:17:00"), ("snapshot", "23 9 1 * *", "*-*-01 09:23:00"))


@dataclass(frozen=True)
class Job:
    command: list[str]  # how to run tm: its script, or python -m music_time_machine
    environment: dict[str, str]
    log: Path
    options: tuple[str, ...] = ()  # after each subcommand, e.g. --all-users

    def shell(self, subcommand: str) -> str:
        assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in self.environment.items())
        program = " ".join(shlex.quote(part) for part in [*self.command, subcommand, *self.options])
        return f"{assignments} {program} >> {shlex.quote(str(self.log))} 2>&1"


def tm_command() -> list[str]:
    """The `tm` this process runs as, so the schedule uses the same install (and virtualenv)."""
    script = Path(sys.executable).with_name("tm")
    if script.exists():
        return [str(script)]
    found = shutil.which("tm")
    return [found] if found else [sys.executable, "-m", "music_time_machine"]


def cron_block(job: Job) -> str:
    # cron reads an unescaped % as the end of the command (a URL's %-escapes included)
    commands = {name: job.shell(name).replace("%", r"\%") for name, _when, _calendar in JOBS}
    lines = [f"{when} {commands[name]}" for name, when, _calendar in JOBS]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def merge_crontab(existing: str, block: str) -> str:
    """The user's crontab with our block replaced (or appended); their own lines stay as they are."""
    kept, inside = [], False
    for line in existing.splitlines():
        if line == BEGIN:
            inside = True
        elif line == END:
            inside = False
        elif not inside:
            kept.append(line)
    body = "\n".join(kept).rstrip("\n")
    return (body + "\n" if body else "") + block


def _run(command: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`command` under umask 077: what crontab (or systemctl) creates is the user's alone, whatever tm's umask."""
    try:
        return subprocess.run(command, input=stdin, capture_output=True, text=True, check=False, umask=0o077)
    except FileNotFoundError as error:
        raise TmError(
            f"`{command[0]}` is not installed here.", hint="Use `tm schedule --print` and add it by hand."
        ) from error


def install_cron(block: str) -> None:
    current = _run(["crontab", "-l"])
    existing = current.stdout if current.returncode == 0 else ""  # "no crontab for user" is not an error here
    written = _run(["crontab", "-"], stdin=merge_crontab(existing, block))
    if written.returncode != 0:
        raise TmError(f"crontab refused the new table: {written.stderr.strip()}")


def _exec_word(text: str) -> str:
    """`text` as it must stand in `ExecStart=` to reach the program unchanged: systemd reads `%` as a specifier,
    a backslash as a C escape (also between quotes: `\\x27` would end the shell's quoting) and `$` as a
    variable (systemd.service(5), "Command lines")."""
    return text.replace("\\", "\\\\").replace("%", "%%").replace("$", "$$")


def systemd_units(job: Job) -> dict[str, str]:
    units = {}
    for name, _when, calendar in JOBS:
        run = _exec_word(shlex.quote(job.shell(name)))
        units[f"tm-{name}.service"] = (
            f"[Unit]\nDescription=tm {name}\n\n[Service]\nType=oneshot\nExecStart=/bin/sh -c {run}\n"
        )
        units[f"tm-{name}.timer"] = (
            f"[Unit]\nDescription=Run tm {name}\n\n[Timer]\nOnCalendar={calendar}\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )
    return units


def install_systemd(units: dict[str, str], directory: Path) -> None:
    private_folder(directory)
    for name, text in units.items():
        with private_replacement(directory / name) as unit:  # 0600: no one else may change what it runs
            unit.write(text)
    timers = [name for name in units if name.endswith(".timer")]
    for command in (["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", *timers]):
        done = _run(command)
        if done.returncode != 0:
            raise TmError(f"`{' '.join(command)}` failed: {done.stderr.strip()}")


@dataclass(frozen=True)
class SchedulePlan:
    """What `tm schedule` would install: cron's block or systemd's units, and where their output goes."""

    units: dict[str, str]  # file or crontab name -> its text
    systemd: bool
    log: Path
    missing_settings: Path | None  # TM_HOME/.env when it is missing: scheduled runs, which do not start here, need it


def plan_schedule(settings: Settings, *, systemd: bool, all_users: bool) -> SchedulePlan:
    """The schedule for this machine's settings; never one that writes a database password into a crontab."""
    if is_database_url(settings.database):
        from music_time_machine.store.postgres import parse_postgres_url

        # A crontab line is also the command line of its shell, which `ps` shows every user of the machine.
        if parse_postgres_url(str(settings.database)).secrets:
            raise UsageError(
                "tm schedule does not write a database password into your crontab or systemd units.",
                hint="Keep it in ~/.pgpass (or PGPASSFILE), an sslpassword in a ~/.pg_service.conf service, and "
                "give TM_DB/--db a URL without them (postgresql://…?service=NAME).",
            )
    home = settings.home.absolute()  # cron and systemd start elsewhere: a relative path would point there
    environment = {"TM_HOME": str(home)}
    if settings.database != settings.home / "tm.sqlite3":
        database = settings.database
        environment["TM_DB"] = str(database.absolute() if isinstance(database, Path) else database)
    options = ("--all-users",) if all_users else ()
    job = Job(tm_command(), environment, home / "schedule.log", options)
    for name, value in [*environment.items(), ("the tm command", " ".join(job.command))]:
        if not is_printable(value):
            raise UsageError(
                f"{name} holds a control character (a line break, an escape, …): tm schedule will not write it "
                "into a crontab or a systemd unit, where it would start a line of its own.",
                hint="Check TM_HOME and TM_DB, in the environment and in any .env file tm read (the one here, too).",
            )
    units = systemd_units(job) if systemd else {"crontab": cron_block(job)}
    home_settings = settings.home / ".env"
    return SchedulePlan(units, systemd, job.log, None if home_settings.is_file() else home_settings)


def install_schedule(plan: SchedulePlan) -> None:
    if plan.systemd:
        install_systemd(plan.units, Path.home() / ".config" / "systemd" / "user")
    else:
        install_cron(plan.units["crontab"])
