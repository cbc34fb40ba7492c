"""Fixtures: a fake Spotify on loopback per test, a private TM_HOME, and a CLI runner with a controllable clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from music_time_machine.auth import run_login
from music_time_machine.cli import app
from music_time_machine.cli.state import Runtime
from music_time_machine.config import SETTING_NAMES, load_settings
from music_time_machine.models import User
from music_time_machine.testing.browser import follow, free_port
from music_time_machine.testing.fake_spotify import FakeSpotify
from music_time_machine.tokens import TokenFile

CLIENT_ID = "tm-test-client"
CLIENT_SECRET = "tm-test-secret"


def mid_month(month: str) -> datetime:
    year, number = map(int, month.split("-"))
    return datetime(year, number, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer's .env or environment leaks into a test."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in (*SETTING_NAMES, "COLUMNS", "FORCE_COLOR", "NO_COLOR"):  # tables: full width, no colour
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def redirect_uri() -> str:
    return f"http://127.0.0.1:{free_port()}/callback"


@pytest.fixture
def fake(redirect_uri: str) -> Iterator[FakeSpotify]:
    with FakeSpotify(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(redirect_uri,), month="2025-03"
    ) as server:
        yield server


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "tm-home"


@pytest.fixture
def env(fake: FakeSpotify, home: Path, redirect_uri: str) -> dict[str, str]:
    return {
        "SPOTIPY_CLIENT_ID": CLIENT_ID,
        "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
        "SPOTIPY_REDIRECT_URI": redirect_uri,
        "TM_HOME": str(home),
        "TM_SPOTIFY_API_URL": fake.api_url,
        "TM_SPOTIFY_ACCOUNTS_URL": fake.accounts_url,
    }


@dataclass
class Tm:
    """Runs `tm` in-process with a fixed clock; records waits instead of sleeping."""

    env: dict[str, str]
    home: Path
    fake: FakeSpotify
    sleeps: list[float] = field(default_factory=list)
    sleeper: Callable[[float], None] | None = None  # instead of recording waits
    now: datetime = field(default_factory=lambda: mid_month("2025-03"))

    def at(self, month: str) -> Tm:
        """Move both clocks, ours and the fake Spotify's, to the middle of `month`."""
        self.now = mid_month(month)
        self.fake.month = month
        return self

    def __call__(self, *args: str, input: str | None = None, extra_env: dict[str, str] | None = None) -> Result:
        runtime = Runtime(clock=lambda: self.now, sleep=self.sleeper or self.sleeps.append)
        return CliRunner().invoke(
            app,
            list(args),
            env={**self.env, **(extra_env or {})},
            obj=runtime,
            input=input,
            catch_exceptions=False,
        )

    @property
    def db_path(self) -> Path:
        return self.home / "tm.sqlite3"

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db_path)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with self.db() as connection:
            return connection.execute(sql, params).fetchall()

    @property
    def tokens(self) -> TokenFile:
        return TokenFile(self.home / "token.json")


@pytest.fixture
def tm(env: dict[str, str], home: Path, fake: FakeSpotify) -> Tm:
    return Tm(env=env, home=home, fake=fake)


def login(tm: Tm) -> User:
    """The real login flow (our listener, the fake's consent redirect), driven without a terminal."""
    settings = load_settings(tm.env, Path.cwd())
    settings.ensure_home()
    return run_login(
        settings,
        tm.tokens,
        show_url=lambda url: None,
        open_url=follow,
        timeout=10,
        clock=lambda: tm.now,
        wait=lambda seconds, reason: tm.sleeps.append(seconds),
    )


@pytest.fixture
def logged_in(tm: Tm) -> Tm:
    login(tm)
    return tm


@pytest.fixture
def snapshot_months(logged_in: Tm) -> Callable[..., Tm]:
    def take(*months: str) -> Tm:
        for month in months:
            result = logged_in.at(month)("snapshot")
            assert result.exit_code == 0, result.output
        return logged_in

    return take


def error_lines(result: Result) -> list[str]:
    """The `Error:`/`Hint:` lines of a run's stderr (waits and progress may come before them)."""
    lines = result.stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
    return lines[starts[0] :] if starts else []
