"""Fixtures: a fake Spotify on loopback per test, a private TM_HOME, and a CLI runner with a controllable clock."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import unicodedata
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

pytest_plugins = ["browser"]  # tests/browser.py: the `browser` fixture, pages in a real headless Chromium

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


def _version_of(initdb: Path) -> list[int]:
    """/usr/lib/postgresql/15/bin/initdb -> [15]"""
    return [int(part) for part in initdb.parts[-3].split(".") if part.isdigit()]


def _postgres_bin() -> Path | None:
    """The directory of this machine's PostgreSQL server programs (initdb, pg_ctl), newest first; None if absent."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_of, reverse=True)
    on_path = shutil.which("initdb")
    found = debian[0] if debian else Path(on_path) if on_path else None
    return found.parent if found else None


def _postgres_plan() -> tuple[str, Path | None]:
    """Where the PostgreSQL half runs: TM_TEST_DATABASE_URL, a throwaway cluster of `bin`, or nowhere (why)."""
    if os.environ.get("TM_TEST_DATABASE_URL"):
        return "TM_TEST_DATABASE_URL", None
    bin_dir = _postgres_bin()
    if bin_dir is None:
        return "skipped: no PostgreSQL server here (initdb); install it or set TM_TEST_DATABASE_URL", None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "skipped: running as root, and there is no postgres user for initdb to run as", None
    return f"a throwaway cluster of {bin_dir}, started when the first PostgreSQL test runs", bin_dir


def pytest_report_header() -> str:
    return f"PostgreSQL tests: {_postgres_plan()[0]}"


def _start_server(as_postgres: list[str], bin_dir: Path, workdir: Path) -> int:
    """Start the cluster in workdir on a free loopback port; retry when another process takes the port first."""
    for _attempt in range(5):
        port = free_port()
        options = f"-k {shlex.quote(str(workdir))} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [str(bin_dir / "pg_ctl"), "-D", str(workdir / "data"), "-l", str(workdir / "log"), "-w"]
        if subprocess.run([*as_postgres, *command, "-o", options, "start"], capture_output=True).returncode == 0:
            return port
    log = (workdir / "log").read_text(errors="replace") if (workdir / "log").exists() else ""
    raise RuntimeError(f"PostgreSQL would not start in {workdir}:\n{log[-2000:]}")


@contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[str]:
    """A PostgreSQL cluster of our own (temp dir, socket inside it, loopback port), stopped and removed afterwards.

    initdb refuses to run as root, so as root the server runs as the postgres user (as `.ci/run` does)."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="tm-test-postgres-", dir="/tmp" if as_postgres else None))
    try:
        if as_postgres:
            shutil.chown(workdir, "postgres")  # /tmp lets the postgres user reach it; $TMPDIR might not
        initdb = [str(bin_dir / "initdb"), "-D", str(workdir / "data"), "-A", "trust", "-U", "postgres", "-N"]
        subprocess.run([*as_postgres, *initdb], check=True, capture_output=True)
        port = _start_server(as_postgres, bin_dir, workdir)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            stop = [str(bin_dir / "pg_ctl"), "-D", str(workdir / "data"), "-m", "immediate", "stop"]
            subprocess.run([*as_postgres, *stop], capture_output=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database the tests may create schemas in: TM_TEST_DATABASE_URL, else a throwaway cluster."""
    plan, bin_dir = _postgres_plan()
    if os.environ.get("TM_TEST_DATABASE_URL"):
        yield os.environ["TM_TEST_DATABASE_URL"]
    elif bin_dir is None:
        pytest.skip(f"PostgreSQL tests {plan}")
    else:
        with throwaway_cluster(bin_dir) as url:
            yield url


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL of `base_url` whose tables live in a fresh schema of their own (dropped afterwards)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of the `database` fixture runs on SQLite and on PostgreSQL, except tests of SQLite itself."""
    if "database" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("database", ["sqlite"] if sqlite_only else ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest, home: Path) -> Iterator[Path | str]:
    """Where tm keeps this test's data: $TM_HOME/tm.sqlite3, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield home / "tm.sqlite3"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
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


# What migrations 6 and 7 added, taken away again: a database as a tm of schema 5 left it (the next tm migrates it).
SCHEMA_5 = [
    "DROP TABLE play_quarters",
    "DROP TABLE artist_months",
    "ALTER TABLE play_sources DROP COLUMN stamped",
    "ALTER TABLE play_sources DROP COLUMN recognised",
    "ALTER TABLE play_sources DROP COLUMN resume_after",
]


def error_lines(result: Result) -> list[str]:
    """The `Error:`/`Hint:` lines of a run's stderr (waits and progress may come before them)."""
    lines = result.stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
    return lines[starts[0] :] if starts else []


# Bidi classes that reorder what follows them (embeddings, overrides, isolates), per the Unicode database.
_REORDERING = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def obeyed(char: str) -> bool:
    """Whether a terminal may act on `char` instead of showing it, judged by the Unicode database: controls (C0,
    DEL, C1), lone surrogates, line and paragraph separators, and the bidi controls."""
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or unicodedata.bidirectional(char) in _REORDERING


def shown_safely(output: str, lines: int | None = None) -> bool:
    """No line of `output` carries a character a terminal obeys (and, if given, there are exactly `lines`)."""
    split = output.removesuffix("\n").split("\n")
    return not any(obeyed(char) for line in split for char in line) and (lines is None or len(split) == lines)
