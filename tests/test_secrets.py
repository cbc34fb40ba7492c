"""Secrets go only where they were issued (issue 15, group 3): endpoints pinned and https, a home only the user can
write, token files no symlink can redirect, database passwords in no message or schedule, private files under any
umask."""

from __future__ import annotations

import grp
import ipaddress
import json
import os
import pwd
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from music_time_machine.cli import app
from music_time_machine.config import load_settings
from music_time_machine.context import Runtime
from music_time_machine.errors import ConfigError
from music_time_machine.testing.fake_spotify import FakeSpotify

from conftest import CLIENT_ID, CLIENT_SECRET, Tm, error_lines, login, postgres_schema

WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH


@pytest.fixture
def elsewhere(redirect_uri: str) -> Iterator[FakeSpotify]:
    """Another Spotify-like server, as a stray .env would name: it must never hear from tm."""
    with FakeSpotify(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(redirect_uri,), legacy_app=True
    ) as server:
        yield server


def _pointed_at(server: FakeSpotify) -> dict[str, str]:
    return {"TM_SPOTIFY_API_URL": server.api_url, "TM_SPOTIFY_ACCOUNTS_URL": server.accounts_url}


def _endpoints_of(server: FakeSpotify) -> dict[str, str]:
    """How a token file records its issuer."""
    return {"api_url": server.api_url, "accounts_url": server.accounts_url}


# --- 1. the Client Credentials flow is pinned, and every endpoint is https unless it is this machine ------------


def test_the_app_secret_never_goes_to_other_endpoints_than_the_logins(logged_in: Tm, elsewhere: FakeSpotify) -> None:
    result = logged_in("playlists", "someone", extra_env=_pointed_at(elsewhere))

    assert result.exit_code == 2, result.output
    assert "tm will not send the client secret there" in error_lines(result)[0]
    assert elsewhere.requests == []


def test_without_a_login_the_first_app_token_pins_its_endpoints(
    tm: Tm, redirect_uri: str, elsewhere: FakeSpotify
) -> None:
    with FakeSpotify(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(redirect_uri,), legacy_app=True
    ) as first:
        first.add_public_playlists("someone", 2)
        pinned = tm("playlists", "someone", extra_env=_pointed_at(first))
        again = tm("playlists", "someone", extra_env=_pointed_at(first))
        moved = tm("playlists", "someone", extra_env=_pointed_at(elsewhere))

    assert (pinned.exit_code, again.exit_code) == (0, 0), pinned.output + again.output
    assert first.count("POST", "/api/token") == 1  # the cached token served the second run
    assert moved.exit_code == 2
    assert "will not send the client secret there" in error_lines(moved)[0]
    assert elsewhere.requests == []


def test_an_app_token_from_other_endpoints_is_dropped_not_sent_to_the_logins(
    tm: Tm, redirect_uri: str, elsewhere: FakeSpotify
) -> None:
    elsewhere.add_public_playlists("someone", 1)
    first = tm("playlists", "someone", extra_env=_pointed_at(elsewhere))  # no login yet: pinned there
    with FakeSpotify(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(redirect_uri,), legacy_app=True
    ) as here:
        here.add_public_playlists("someone", 1)
        local = Tm(env={**tm.env, **_pointed_at(here)}, home=tm.home, fake=here, database=tm.database)
        login(local)  # the login is issued here: the app's credentials now belong here
        moved = local("playlists", "someone")

        assert (first.exit_code, moved.exit_code) == (0, 0), first.output + moved.output
        # one request, with a token fetched here: the cached one from elsewhere was never sent (it would get a 401)
        assert here.count("GET", "/v1/users/someone/playlists") == 1
        assert json.loads((tm.home / "app-token.json").read_text())["issued_by"] == _endpoints_of(here)


@pytest.mark.parametrize("setting", ["TM_SPOTIFY_API_URL", "TM_SPOTIFY_ACCOUNTS_URL"])
@pytest.mark.parametrize(
    "url",
    [
        "http://accounts.example.invalid/",
        "http://127.0.0.1.example.invalid/",
        "http://[::2]/",
        "http://[fe80::1]:8080/",
        "https://user:password@accounts.example.invalid/",
        "https://accounts.example.invalid/?next=x",
        "https://accounts.example.invalid:0/",
        "https://accounts.example.invalid:70000/",
    ],
)
def test_an_endpoint_that_is_not_https_to_another_machine_is_a_configuration_error(
    tm: Tm, setting: str, url: str
) -> None:
    result = tm("playlists", "someone", extra_env={setting: url})

    assert result.exit_code == 2, result.output
    assert error_lines(result)[0].startswith(f"Error: {setting} ")
    assert "password" not in result.output
    assert tm.fake.requests == []


def _accepted_accounts_url(where: Path, url: str) -> str | None:
    try:
        return load_settings({"TM_HOME": str(where / "none"), "TM_SPOTIFY_ACCOUNTS_URL": url}, where).accounts_url
    except ConfigError:
        return None


def test_plain_http_is_for_this_machine_only(tmp_path: Path) -> None:
    hosts = ["127.0.0.1", "127.3.2.1", "[::1]", "localhost", "192.0.2.1", "[::2]", "localhost.example.invalid"]

    accepted = {host: _accepted_accounts_url(tmp_path, f"http://{host}:9") for host in hosts}

    assert accepted == {
        "127.0.0.1": "http://127.0.0.1:9/",
        "127.3.2.1": "http://127.3.2.1:9/",
        "[::1]": "http://[::1]:9/",
        "localhost": "http://localhost:9/",
        "192.0.2.1": None,
        "[::2]": None,
        "localhost.example.invalid": None,
    }


def _is_this_machine(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8") or host == "::1"
    except ValueError:
        return False


@settings(max_examples=300)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    host=st.one_of(
        st.sampled_from(["127.0.0.1", "127.9.9.9", "[::1]", "localhost", "example.org", "127.0.0.1.example.org"]),
        st.text(min_size=0, max_size=12),
    ),
    tail=st.text(max_size=12),
)
@example(scheme="http", host="evil.example@127.0.0.1", tail="/")
@example(scheme="http", host="127.0.0.1\\@evil.example", tail="/")
@example(scheme="http", host="evil.example", tail="#@127.0.0.1/")
def test_any_endpoint_setting_is_https_or_this_machine_or_refused(
    tmp_path_factory: pytest.TempPathFactory, scheme: str, host: str, tail: str
) -> None:
    url = f"{scheme}://{host}{tail}"
    accepted = _accepted_accounts_url(tmp_path_factory.getbasetemp(), url)
    if accepted is None:
        return
    parts = urlsplit(accepted)
    # requests and urlsplit agree on such a URL: one host, no user part, nothing after a backslash or an @
    assert "@" not in url
    assert "\\" not in url
    assert parts.scheme == "https" or (parts.scheme == "http" and _is_this_machine(parts.hostname or ""))


# --- 2. TM_HOME is the user's own, and no planted symlink receives a token --------------------------------------


def _group_of_someone_else() -> int | None:
    """A group that another user belongs to (for a home that others can write through it), if this user may give
    a folder to it (root may; anyone may give one to a group they are in)."""
    me, mine = os.geteuid(), set(os.getgroups()) | {os.getegid()}
    for user in pwd.getpwall():
        if user.pw_uid != me and (me == 0 or user.pw_gid in mine):
            return user.pw_gid
    return None


def _private_group_of_mine() -> int | None:
    """This user's primary group when nobody else is in it (a user private group), else None."""
    me, gid = os.geteuid(), os.getegid()
    members = set(grp.getgrgid(gid).gr_mem) - {pwd.getpwuid(me).pw_name}
    others = [user for user in pwd.getpwall() if user.pw_gid == gid and user.pw_uid != me]
    return None if members or others else gid


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o720, 0o702, 0o1777])
def test_a_home_others_can_write_is_refused_before_its_env_is_read(tm: Tm, elsewhere: FakeSpotify, mode: int) -> None:
    tm.home.mkdir()
    planted = "".join(f"{name}={value}\n" for name, value in _pointed_at(elsewhere).items())
    (tm.home / ".env").write_text(planted)
    if mode & stat.S_IWGRP and not mode & stat.S_IWOTH:  # writable through a group that someone else is in
        shared = _group_of_someone_else()
        if shared is None:
            pytest.skip("no group of another user to give the folder to")
        os.chown(tm.home, -1, shared)
    tm.home.chmod(mode)
    env = {name: value for name, value in tm.env.items() if not name.startswith("TM_SPOTIFY_")}

    result = CliRunner().invoke(app, ["playlists", "someone"], env=env, obj=Runtime(), catch_exceptions=False)

    assert result.exit_code == 2, result.output
    assert error_lines(result) == [
        f"Error: TM_HOME {tm.home} can be written by others (mode {mode:04o}); tm keeps your Spotify login there "
        "and reads its .env.",
        f"Hint: Check what is in it (its .env above all), then make it yours alone: chmod 700 {tm.home}",
    ]
    assert elsewhere.requests == []
    assert stat.S_IMODE(tm.home.stat().st_mode) == mode  # refused, not silently repaired


def test_a_home_writable_only_through_the_users_own_private_group_is_used(tm: Tm) -> None:
    """Debian and Fedora give each user a group of their own and a umask of 002: `mkdir` makes 0775 folders."""
    private = _private_group_of_mine()
    if private is None:
        pytest.skip("this user's primary group has other members")
    tm.home.mkdir()
    os.chown(tm.home, -1, private)
    tm.home.chmod(0o775)

    login(tm)
    result = tm("whoami")

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(tm.home.stat().st_mode) == 0o775


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_home_owned_by_another_user_is_refused(tm: Tm) -> None:
    tm.home.mkdir(mode=0o700)
    os.chown(tm.home, 65534, 65534)  # nobody

    result = tm("history", "--month", "2025-03")

    assert result.exit_code == 2, result.output
    assert error_lines(result)[0] == (
        f"Error: TM_HOME {tm.home} belongs to another user (uid 65534); tm keeps your Spotify login there."
    )
    assert list(tm.home.iterdir()) == []


def test_a_home_that_is_a_file_is_refused(tm: Tm) -> None:
    tm.home.write_text("not a folder")

    result = tm("history", "--month", "2025-03")

    assert result.exit_code == 2
    assert error_lines(result)[0] == f"Error: TM_HOME {tm.home} is not a folder."


def test_a_planted_symlink_at_the_old_temporary_names_never_receives_a_login(tm: Tm, tmp_path: Path) -> None:
    """The old code wrote `.NAME.PID.tmp` beside each token file, following a symlink planted there."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    tm.home.mkdir(mode=0o700)
    planted = [tm.home / f".{name}.{os.getpid()}.tmp" for name in ("token.json", ".token.pending.json")]
    for link in planted:
        link.symlink_to(victim)

    login(tm)  # writes the pending login, then moves it into place
    tm.fake.expire_access_tokens()
    refreshed = tm("top")  # writes the refreshed token

    assert refreshed.exit_code == 0, refreshed.output
    assert victim.read_text() == "precious\n"
    token = tm.home / "token.json"
    assert not token.is_symlink()
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["token"]["access_token"]
    assert sorted(path for path in tm.home.iterdir() if path.name.endswith(".tmp")) == sorted(planted)


def test_a_planted_symlink_at_the_old_temporary_name_never_receives_an_app_token(
    tmp_path: Path, elsewhere: FakeSpotify
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    home = tmp_path / "app-home"
    home.mkdir(mode=0o700)
    (home / f".app-token.json.{os.getpid()}.tmp").symlink_to(victim)
    elsewhere.add_public_playlists("someone", 1)
    env = {"SPOTIPY_CLIENT_ID": CLIENT_ID, "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET, "TM_HOME": str(home)}

    result = CliRunner().invoke(
        app, ["playlists", "someone"], env={**env, **_pointed_at(elsewhere)}, obj=Runtime(), catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    token = home / "app-token.json"
    assert not token.is_symlink()
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["issued_by"] == _endpoints_of(elsewhere)


# --- 3. a PostgreSQL URL's secrets are in no message and no schedule ---------------------------------------------

CLOSED = "127.0.0.1:1"  # nothing listens on port 1: a well-formed URL fails fast, at connecting
SECRET_POSITIONS = {
    "user:password@ as written": lambda secret: f"postgresql://me:{secret}@{CLOSED}/tm",
    "user:password@ encoded": lambda secret: f"postgresql://me:{quote(secret, safe='')}@{CLOSED}/tm",
    "?password= as written": lambda secret: f"postgresql://me@{CLOSED}/tm?password={secret}",
    "?password= encoded": lambda secret: f"postgres://me@{CLOSED}/tm?password={quote(secret, safe='')}",
    "?sslpassword= as written": lambda secret: f"postgresql://me@{CLOSED}/tm?sslpassword={secret}",
    "&sslpassword= encoded": lambda secret: f"postgresql://{CLOSED}/tm?sslmode=prefer&sslpassword={quote(secret)}",
}
# every way a command shows a database: its error (with --debug's traceback), doctor's report, a schedule
COMMANDS = (
    ["--debug", "history", "--month", "2025-03", "--db"],
    ["doctor", "--offline", "--json", "--db"],
    ["schedule", "--print", "--db"],
)
# passwords that take every path of the URL check, for the text tm prints whatever the password
REFERENCE_SECRETS = (
    "qz7-Xv9k",
    "qz@Xv9k",
    "qz/Xv9k",
    "qz#Xv9k",
    "qz%zzXv",
    "qz Xv9k",
    "qz&Xv9k",
    "qx&zz=1k",
    "%ff%feXq",
)


def _run(home: Path, args: list[str]) -> str:
    result = CliRunner().invoke(app, args, env={"TM_HOME": str(home)}, obj=Runtime(), catch_exceptions=False)
    assert "unexpected" not in result.output, result.output
    return result.output


def _pieces(text: str, size: int = 4) -> set[str]:
    return {text[start : start + size] for start in range(len(text) - size + 1)}


@pytest.fixture(scope="module")
def db_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("db-home")


@pytest.fixture(scope="module")
def public_text(db_home: Path) -> set[str]:
    """Every 4-character piece of what tm prints for other passwords: a piece of a random password found there
    is a coincidence, not a leak."""
    printed = [
        _run(db_home, [*command, position(secret)])
        for secret in REFERENCE_SECRETS
        for position in SECRET_POSITIONS.values()
        for command in COMMANDS
    ]
    return set().union(*map(_pieces, printed))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=st.text(
        st.one_of(st.sampled_from("@:/?#%&= +;,[]\\'\"!$*()~"), st.characters(exclude_categories=("Cs",))),
        min_size=4,
        max_size=24,
    ),
    position=st.sampled_from(sorted(SECRET_POSITIONS)),
    command=st.sampled_from(COMMANDS),
)
@example(secret="p@ssw0rd!", position="user:password@ as written", command=COMMANDS[0])
@example(secret="sek/ret-part", position="user:password@ as written", command=COMMANDS[0])
@example(secret="kEy-Passphrase", position="?sslpassword= as written", command=COMMANDS[2])
@example(secret="ab&cdef=gh", position="?password= as written", command=COMMANDS[0])
def test_no_message_shows_a_database_password_or_a_piece_of_it(
    db_home: Path, public_text: set[str], secret: str, position: str, command: list[str]
) -> None:
    output = _run(db_home, [*command, SECRET_POSITIONS[position](secret)])

    forms = (secret, quote(secret, safe=""), unquote(secret))
    leaked = {piece for form in forms for piece in _pieces(form) - public_text if piece in output}
    assert not leaked, output


def test_reference_passwords_are_not_shown_either(db_home: Path) -> None:
    for secret in REFERENCE_SECRETS:
        for position in SECRET_POSITIONS.values():
            output = _run(db_home, ["--debug", "history", "--month", "2025-03", "--db", position(secret)])
            assert not {piece for piece in _pieces(secret) if piece in output}, output


def test_an_unencoded_at_in_the_password_is_one_configuration_error(tm: Tm) -> None:
    result = tm("history", "--month", "2025-03", "--db", f"postgresql://me:p@ssw0rd@{CLOSED}/tm")

    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: The PostgreSQL URL in --db/TM_DB is malformed: it holds an @ that is not the one before the host "
        "(write @ in a password as %40). (tm does not show it: it may hold a password.)",
        "Hint: Percent-encode @ : / ? # & = % and spaces in the user name, password and values (@ is %40), or keep "
        "the password in ~/.pgpass (PGPASSFILE).",
    ]


@pytest.mark.parametrize("host", ["[bad", "[::1", "h:99999", "h:port", "h,,g", "h:0"])
def test_a_malformed_host_is_one_configuration_error_even_with_debug(tm: Tm, host: str) -> None:
    result = tm("--debug", "history", "--month", "2025-03", "--db", f"postgresql://me:hunter22@{host}/tm")

    assert result.exit_code == 2
    assert error_lines(result)[0].startswith("Error: The PostgreSQL URL in --db/TM_DB is malformed: a ")
    assert "hunter22" not in result.output


@pytest.mark.parametrize("parameter", ["sslpassword", "pass%77ord", "oauth_client_secret"])
def test_a_secret_parameter_is_never_written_into_a_schedule(tm: Tm, parameter: str) -> None:
    result = tm("schedule", "--print", "--db", f"postgresql://me@db.example/tm?{parameter}=hunter22")

    assert result.exit_code == 2, result.output
    assert "hunter22" not in result.output
    assert error_lines(result)[0] == (
        "Error: tm schedule does not write a database password into your crontab or systemd units."
    )


def test_a_url_that_is_not_postgresql_is_not_taken_for_a_file_name(tm: Tm) -> None:
    result = tm("history", "--month", "2025-03", "--db", "POSTGRESQL://me:hunter22@db.example/tm")

    assert result.exit_code == 2
    assert "hunter22" not in result.output
    assert not Path("POSTGRESQL:").exists()


def test_a_real_postgresql_is_reached_with_the_password_kept_out_of_its_url(postgres_url: str, tmp_path: Path) -> None:
    """The secrets travel to libpq as parameters of their own; the location tm shows has *** for each."""
    with postgres_schema(postgres_url) as url:
        # the throwaway cluster trusts loopback, so any password is accepted (and unused)
        with_secrets = url.replace("postgres@", "postgres:hunter22%40x@", 1) + "&sslpassword=opensesame"
        result = _run(tmp_path / "home", ["doctor", "--offline", "--json", "--db", with_secrets])

    checks = {check["name"]: check for check in json.loads(result[result.index("{") :])["checks"]}
    database = checks["database"]
    assert database["status"] == "pass", database
    assert "postgres:***@" in database["detail"]
    assert "sslpassword=***" in database["detail"]
    assert "hunter22" not in result
    assert "opensesame" not in result


# --- 4. under umask 000, nothing tm creates can be written by others ---------------------------------------------

TM_SCRIPT = Path(sys.executable).with_name("tm")


def _run_with_umask_000(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TM_SCRIPT), *args], env={**os.environ, **env}, cwd=cwd, capture_output=True, text=True, umask=0, timeout=60
    )


def _writable_by_others(top: Path) -> list[str]:
    found = [top, *top.rglob("*")]
    return [
        f"{path} {stat.S_IMODE(path.lstat().st_mode):04o}"
        for path in found
        if path.lstat().st_mode & WRITABLE_BY_OTHERS
    ]


def test_under_umask_000_the_folders_and_files_tm_creates_stay_private(tmp_path: Path, elsewhere: FakeSpotify) -> None:
    made = tmp_path / "made"
    home = made / "by" / "tm" / "home"
    env = {"TM_HOME": str(home), "SPOTIPY_CLIENT_ID": CLIENT_ID, "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET}
    env.update(_pointed_at(elsewhere))
    elsewhere.add_public_playlists("someone", 1)

    # doctor opens (so creates) the database, and fails only its login check
    home_database = _run_with_umask_000(["doctor", "--offline"], env, tmp_path)
    other_database = _run_with_umask_000(
        ["doctor", "--offline", "--db", str(made / "dbs" / "x.sqlite3")], env, tmp_path
    )
    app_token = _run_with_umask_000(["playlists", "someone"], env, tmp_path)

    assert "Run `tm login`" in home_database.stdout + home_database.stderr
    assert "Run `tm login`" in other_database.stdout + other_database.stderr
    assert app_token.returncode == 0, app_token.stderr
    assert _writable_by_others(made) == []
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for private in (home / "tm.sqlite3", home / "app-token.json", made / "dbs" / "x.sqlite3"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private


def test_under_umask_000_systemd_units_and_the_crontab_stay_private(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    table = tmp_path / "spool" / "crontab"
    table.parent.mkdir(mode=0o700)
    for name, script in {
        "crontab": f'if [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n',
        "systemctl": "exit 0\n",
    }.items():
        (tools / name).write_text("#!/bin/sh\n" + script)
        (tools / name).chmod(0o755)
    env = {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), "TM_HOME": str(tmp_path / "h")}

    cron = _run_with_umask_000(["schedule", "--yes"], env, tmp_path)
    systemd = _run_with_umask_000(["schedule", "--systemd", "--yes"], env, tmp_path)

    assert (cron.returncode, systemd.returncode) == (0, 0), cron.stderr + systemd.stderr
    assert "tm sync" in table.read_text() or " sync " in table.read_text()
    assert _writable_by_others(table.parent) == []
    assert _writable_by_others(tmp_path / ".config") == []
    assert len(list((tmp_path / ".config" / "systemd" / "user").glob("tm-*"))) == 4
