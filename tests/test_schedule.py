"""`tm schedule`: hourly sync and monthly snapshot, printed or installed (cron block or systemd user timers)."""

from __future__ import annotations

import os
import re
import shlex
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Tm, error_lines


def _stand_in(bin_dir: Path, name: str, script: str) -> None:
    """A stand-in for a system tool, so installing touches nothing outside tmp."""
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def crontab(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    table = tmp_path / "crontab.txt"
    table.write_text("MAILTO=me@example.org\n5 4 * * * backup.sh\n")
    _stand_in(tmp_path / "bin", "crontab", f'if [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n')
    return table, {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}


def test_print_shows_an_hourly_sync_and_a_monthly_snapshot(tm: Tm) -> None:
    result = tm("schedule", "--print")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# >>> tm schedule")
    assert lines[1].startswith("17 * * * * TM_HOME=")
    assert lines[1].endswith(f" sync >> {tm.home / 'schedule.log'} 2>&1")
    assert lines[2].startswith("23 9 1 * * ")
    assert " snapshot >> " in lines[2]


def test_a_households_schedule_acts_for_every_listener(tm: Tm) -> None:
    result = tm("schedule", "--print", "--all-users")

    assert result.exit_code == 0, result.output
    jobs = result.stdout.splitlines()[1:3]
    assert jobs[0].endswith(f" sync --all-users >> {tm.home / 'schedule.log'} 2>&1")
    assert " snapshot --all-users >> " in jobs[1]


def test_a_database_url_is_escaped_for_cron_and_its_password_never_written(tm: Tm) -> None:
    url = "postgresql://me@db.example/tm?options=-csearch_path%3Dhome"
    printed = tm("schedule", "--print", "--db", url)
    refused = tm("schedule", "--print", "--db", "postgresql://me:s3cret@db.example/tm")

    assert printed.exit_code == 0, printed.output
    assert "TM_DB='postgresql://me@db.example/tm?options=-csearch_path\\%3Dhome'" in printed.stdout
    assert refused.exit_code == 2
    assert "s3cret" not in refused.output
    assert (
        error_lines(refused)[0] == "Error: tm schedule does not write a database password into your crontab or "
        "systemd units."
    )


def test_install_adds_one_block_and_keeps_the_users_own_lines(tm: Tm, crontab: tuple[Path, dict[str, str]]) -> None:
    table, path = crontab

    first = tm("schedule", "--yes", extra_env=path)
    second = tm("schedule", "--yes", extra_env=path)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    text = table.read_text()
    assert text.startswith("MAILTO=me@example.org\n5 4 * * * backup.sh\n# >>> tm schedule")
    assert text.count("# >>> tm schedule") == 1
    assert text.count(" sync >> ") == 1


def test_install_without_a_terminal_needs_yes(tm: Tm, crontab: tuple[Path, dict[str, str]]) -> None:
    table, path = crontab
    before = table.read_text()

    result = tm("schedule", extra_env=path)

    assert result.exit_code == 2
    assert error_lines(result)[0] == "Error: Not installing without confirmation."
    assert table.read_text() == before


def test_systemd_timers_are_written_and_enabled(tm: Tm, tmp_path: Path) -> None:
    calls = tmp_path / "systemctl.log"
    _stand_in(tmp_path / "bin", "systemctl", f'echo "$@" >> {calls}\n')
    environment = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}

    result = tm("schedule", "--systemd", "--yes", extra_env=environment)

    assert result.exit_code == 0, result.output
    units = tmp_path / ".config" / "systemd" / "user"
    assert sorted(p.name for p in units.iterdir()) == [
        "tm-snapshot.service",
        "tm-snapshot.timer",
        "tm-sync.service",
        "tm-sync.timer",
    ]
    assert "OnCalendar=*-*-* *:17:00" in (units / "tm-sync.timer").read_text()
    assert calls.read_text().splitlines()[-1] == "--user enable --now tm-sync.timer tm-snapshot.timer"


@pytest.mark.parametrize("control", ["\n", "\r", "\x1b]52;c;cm0gLXJmIH4=\x07", "\x85", "\u2028", "\t"])
@pytest.mark.parametrize("setting", ["TM_HOME", "TM_DB"])
def test_a_control_character_in_a_path_never_reaches_the_crontab(
    tm: Tm, crontab: tuple[Path, dict[str, str]], tmp_path: Path, setting: str, control: str
) -> None:
    """A stray .env can set TM_HOME or TM_DB; a line break in one would be a crontab line of its own."""
    table, path = crontab
    before = table.read_text()
    value = str(tmp_path / f"tm{control}* * * * * touch {tmp_path / 'owned'}" / "tm.sqlite3")

    result = tm("schedule", "--yes", extra_env={**path, setting: value})

    assert result.exit_code == 2, result.output
    assert error_lines(result)[0].startswith(f"Error: {setting} holds a control character")
    assert table.read_text() == before


def test_relative_paths_are_scheduled_as_absolute_ones(tm: Tm, tmp_path: Path) -> None:
    os.chdir(tmp_path)  # the test's own folder (conftest isolates each test's working directory)
    result = tm("schedule", "--print", extra_env={"TM_HOME": "rel-home", "TM_DB": "data/tm.sqlite3"})

    assert result.exit_code == 0, result.output
    sync = result.stdout.splitlines()[1]
    assert f"TM_HOME={tmp_path / 'rel-home'} " in sync
    assert f"TM_DB={tmp_path / 'data' / 'tm.sqlite3'} " in sync
    assert sync.endswith(f" sync >> {tmp_path / 'rel-home' / 'schedule.log'} 2>&1")


_C_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "s": " ", "a": "\a", "b": "\b"}


def systemd_argv(exec_start: str) -> list[str]:
    """What systemd runs for an `ExecStart=` value, by systemd.service(5): `%%` is `%` (any other `%x` a
    specifier), words split at blanks outside '…' and "…", C escapes (\\\\, \\xNN, \\n, …) unescaped inside quotes
    too, and `$$` is `$` (any other `$` a variable). A specifier or a variable here would be tm's mistake."""
    assert re.fullmatch(r"(?:[^%]|%%)*", exec_start), f"a specifier in {exec_start!r}"
    text, words, word, quote, at = exec_start.replace("%%", "%"), [], None, None, 0
    while at < len(text):
        char, at = text[at], at + 1
        if char == "\\":  # a C escape, between quotes too
            escape, at = text[at], at + 1
            if escape == "x":
                char, at = chr(int(text[at : at + 2], 16)), at + 2
            else:
                char = _C_ESCAPES[escape]
        elif quote and char == quote:
            quote = None
            continue
        elif not quote and char in "'\"":
            quote, word = char, word or ""
            continue
        elif not quote and char.isspace():
            if word is not None:
                words.append(word)
            word = None
            continue
        word = (word or "") + char
    if word is not None:
        words.append(word)
    assert all(re.fullmatch(r"(?:[^$]|\$\$)*", w) for w in words), f"a variable in {words!r}"
    return [w.replace("$$", "$") for w in words]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.sampled_from("ab \\'\"$%x27{}`;&|()*?!#~=-n"), min_size=1, max_size=12))
def test_a_systemd_unit_runs_exactly_the_paths_it_was_given(tm: Tm, tmp_path: Path, name: str) -> None:
    """A stray .env may hold `\\x27`, `$HOME` or `%h` in TM_HOME: systemd would read them, not the shell."""
    home = tmp_path / "homes" / name.strip(" ") if name.strip(" ") not in ("", ".", "..") else tmp_path / "home"

    result = tm("schedule", "--systemd", "--print", extra_env={"TM_HOME": str(home)})

    assert result.exit_code == 0, result.output
    exec_start = next(line for line in result.stdout.splitlines() if line.startswith("ExecStart="))
    shell, option, script = systemd_argv(exec_start.removeprefix("ExecStart="))
    assert (shell, option) == ("/bin/sh", "-c")
    assert shlex.split(script)[0] == f"TM_HOME={home}"
