"""The CLI documents itself, README covers every command, and offline paths never import spotipy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from music_time_machine import cli
from music_time_machine.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = cli.command_names()


def test_every_command_module_defines_one_command_or_group() -> None:
    """The folder is the registry: each module of cli/commands is a command, and nothing else is."""
    assert COMMANDS, "no commands found"
    for name in COMMANDS:
        loaded = cli.load_command(name)
        assert loaded.name == name


def test_an_unknown_command_is_a_usage_error_not_a_crash() -> None:
    result = CliRunner().invoke(app, ["histroy"])

    assert result.exit_code == 2
    assert "No such command" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"tm {command}" in result.stdout
    assert f"`tm {command}" in (ROOT / "README.md").read_text()


def test_version_and_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "music_time_machine", "--version"], capture_output=True, text=True)

    assert result.returncode == 0
    assert result.stdout.startswith("tm ")


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_offline_history_imports_only_what_it_needs(tmp_path: Path, output: list[str]) -> None:
    """Start-up time: no spotipy, no rich, and no other command's module or services."""
    args = ["history", "--month", "2025-01", *output, "--db", str(tmp_path / "x.db")]
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from music_time_machine.cli import app\n"
        "assert 'spotipy' not in sys.modules, 'importing the CLI pulled in spotipy'\n"
        f"result = CliRunner().invoke(app, {args!r}, env={{'TM_HOME': {str(tmp_path)!r}, 'SPOTIPY_CLIENT_ID': None}})\n"
        "unwanted = ['spotipy', 'rich', 'music_time_machine.cli.commands.import_',\n"
        "            'music_time_machine.services.importer', 'music_time_machine.services.evolution',\n"
        "            'music_time_machine.services.doctor']\n"
        "print(result.exit_code, [name for name in unwanted if name in sys.modules])\n"
    )

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 []"  # empty database, nobody logged in: a clean "not logged in"


@pytest.mark.parametrize(("words", "expected"), [("tm hist", {"history"}), ("tm playlist mo", {"month"})])
def test_shell_completion_knows_the_lazily_loaded_commands(words: str, expected: set[str]) -> None:
    env = {
        **os.environ,
        "_TM_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    script = "from music_time_machine.cli import main; main()"

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)

    assert set(result.stdout.split()) == expected, result.stderr


def test_completion_script_is_offered_for_bash() -> None:
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="tm")

    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "_TM_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize("group", ["db", "playlist"])
def test_subcommand_help_is_plain_like_every_other(group: str) -> None:
    """Groups are built with the same settings as single commands: no rich panels, `[env: …]` kept as text."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from music_time_machine.cli import app\n"
        f"result = CliRunner().invoke(app, [{group!r}, 'copy' if {group!r} == 'db' else 'list', '--help'])\n"
        "print('rich' in sys.modules)\n"
        "print(result.output)\n"
    )

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    imported_rich, help_text = result.stdout.split("\n", 1)
    assert imported_rich == "False", result.stderr
    assert "[env: TM_DB" in help_text
    assert "╭" not in help_text
