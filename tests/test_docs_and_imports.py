"""The CLI documents itself, README covers every command, and offline paths never import spotipy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from music_time_machine.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_the_command_set_is_the_documented_one() -> None:
    assert COMMANDS == [
        "ban",
        "compare",
        "demo",
        "doctor",
        "evolution",
        "export",
        "gems",
        "history",
        "import",
        "login",
        "logout",
        "on-this-day",
        "pin",
        "playlist",
        "playlists",
        "rank-vs-plays",
        "schedule",
        "snapshot",
        "sync",
        "top",
        "unban",
        "unpin",
        "whoami",
    ]


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


def test_offline_history_never_imports_spotipy_and_json_never_imports_rich(tmp_path: Path) -> None:
    args = ["history", "--month", "2025-01", "--json", "--db", str(tmp_path / "x.db")]
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from music_time_machine.cli import app\n"
        "assert 'spotipy' not in sys.modules, 'importing the CLI pulled in spotipy'\n"
        f"result = CliRunner().invoke(app, {args!r}, env={{'TM_HOME': {str(tmp_path)!r}, 'SPOTIPY_CLIENT_ID': None}})\n"
        "assert 'spotipy' not in sys.modules, 'tm history imported spotipy'\n"
        "assert 'rich' not in sys.modules, 'tm history --json imported rich'\n"
        "print(result.exit_code)\n"
    )

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"  # empty database, nobody logged in: a clean "not logged in"
