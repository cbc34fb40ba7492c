"""Fixtures: a fake Spotify on loopback per test, a private TM_HOME, and a CLI runner with a controllable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from music_time_machine.auth import run_login
from music_time_machine.cli import app
from music_time_machine.config import SETTING_NAMES, load_settings
from music_time_machine.context import Context, Runtime
from music_time_machine.models import User
from music_time_machine.store import open_store
from music_time_machine.store.backend import Backend
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


TEST_DATABASE_URL = os.environ.get("TM_TEST_DATABASE_URL", "")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL of TM_TEST_DATABASE_URL whose tables live in a fresh schema of their own (dropped afterwards)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{TEST_DATABASE_URL}{'&' if '?' in TEST_DATABASE_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, home: Path) -> Iterator[Path | str]:
    """Where tm keeps this test's data: $TM_HOME/tm.sqlite3, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield home / "tm.sqlite3"
        return
    marker = request.node.get_closest_marker("sqlite_only")
    if marker:
        pytest.skip(f"SQLite only: {marker.args[0]}")
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL: set TM_TEST_DATABASE_URL to a database the tests may create schemas in")
    with postgres_schema() as url:
        yield url


@pytest.fixture
def env(fake: FakeSpotify, home: Path, redirect_uri: str, database: Path | str) -> dict[str, str]:
    return {
        "SPOTIPY_CLIENT_ID": CLIENT_ID,
        "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
        "SPOTIPY_REDIRECT_URI": redirect_uri,
        "TM_HOME": str(home),
        "TM_SPOTIFY_API_URL": fake.api_url,
        "TM_SPOTIFY_ACCOUNTS_URL": fake.accounts_url,
        **({"TM_DB": database} if isinstance(database, str) else {}),
    }


@dataclass
class Tm:
    """Runs `tm` in-process with a fixed clock; records waits instead of sleeping."""

    env: dict[str, str]
    home: Path
    fake: FakeSpotify
    database: Path | str
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
        """The SQLite file (tests of SQLite itself are marked sqlite_only)."""
        assert isinstance(self.database, Path), "a sqlite_only test"
        return self.database

    @contextmanager
    def db(self) -> Iterator[Backend]:
        """The test's database, for `execute` with `?` placeholders (each statement commits)."""
        store = open_store(self.database)
        try:
            yield store.db
        finally:
            store.close()

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with self.db() as db:
            return [tuple(row) for row in db.execute(sql, params).fetchall()]

    @property
    def tokens(self) -> TokenFile:
        return TokenFile(self.home / "token.json")


@pytest.fixture
def tm(env: dict[str, str], home: Path, fake: FakeSpotify, database: Path | str) -> Tm:
    return Tm(env=env, home=home, fake=fake, database=database)


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
        identify=Context(
            settings, Runtime(clock=lambda: tm.now), lambda seconds, reason: tm.sleeps.append(seconds)
        ).identify,
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
