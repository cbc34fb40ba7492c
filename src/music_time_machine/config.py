"""Settings, loaded once: flags > environment > `.env` in the current directory > `.env` in TM_HOME > defaults."""

from __future__ import annotations

import ipaddress
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from music_time_machine.errors import ConfigError
from music_time_machine.private_files import private_folder

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8888/callback"
DEFAULT_API_URL = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com/"
DEFAULT_LASTFM_API_URL = "https://ws.audioscrobbler.com/2.0/"
DEFAULT_MAX_RETRY_WAIT = 60
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a SQLite connection waits for another writer's lock before "busy"

# Every variable `tm` reads; `.env.example` documents exactly these (a test keeps them in step).
SETTING_NAMES = (
    "SPOTIPY_CLIENT_ID",
    "SPOTIPY_CLIENT_SECRET",
    "SPOTIPY_REDIRECT_URI",
    "TM_HOME",
    "TM_DB",
    "TM_SPOTIFY_API_URL",
    "TM_SPOTIFY_ACCOUNTS_URL",
    "TM_LASTFM_API_KEY",
    "TM_LASTFM_API_URL",
    "TM_MAX_RETRY_WAIT",
    "TM_BUSY_TIMEOUT",
    "TM_TZ",
    "TM_CHROMIUM",
    "TM_DEBUG",
)


@dataclass(frozen=True)
class RedirectTarget:
    """Where our loopback listener must answer the browser."""

    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Settings:
    client_id: str | None
    client_secret: str | None
    redirect_uri: str
    home: Path
    database: Path | str  # a SQLite file, or a postgresql:// URL (see `database_of`)
    token_path: Path
    app_token_path: Path  # the Client Credentials token: never in the same file as a user's login
    api_url: str
    accounts_url: str
    lastfm_api_key: str | None
    lastfm_api_url: str
    max_retry_wait: int
    busy_timeout: float  # seconds; SQLite only
    time_zone: str | None  # whose clock days and hours are on (an IANA name); None: this machine's
    chromium: str | None  # the browser that draws PNGs; None: look on PATH
    debug: bool

    def require_client_id(self) -> str:
        if not self.client_id:
            raise ConfigError(
                "SPOTIPY_CLIENT_ID is not set.",
                hint="Create an app at https://developer.spotify.com/dashboard and put its client id in "
                "a .env file (see .env.example), or try `tm demo`, which needs no account.",
            )
        return self.client_id

    def require_lastfm_api_key(self) -> str:
        if not self.lastfm_api_key:
            raise ConfigError(
                "TM_LASTFM_API_KEY is not set.",
                hint="Get an API key at https://www.last.fm/api/account/create (free) and put it in a .env file "
                "(see .env.example). A Last.fm CSV export imports without one: tm import FILE.csv.",
            )
        return self.lastfm_api_key

    def redirect_target(self) -> RedirectTarget:
        return parse_redirect_uri(self.redirect_uri)

    def ensure_home(self) -> Path:
        """Create TM_HOME private to the user (0700); tokens and the default database live there."""
        if not self.home.exists():
            private_folder(self.home).chmod(0o700)
        return self.home

    def for_demo(
        self,
        api_url: str,
        accounts_url: str,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        database: Path | str | None,
    ) -> Settings:
        """The demo's own settings: its own token file and database, pointed at the built-in fake."""
        return replace(
            self,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            api_url=api_url,
            accounts_url=accounts_url,
            token_path=self.home / "demo-token.json",
            database=database or self.home / "demo.sqlite3",
        )


def is_database_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def database_of(value: str) -> Path | str:
    """--db / TM_DB: a postgresql:// URL as given, anything else a SQLite file path (but not another URL, whose
    password a file name would show in messages)."""
    if is_database_url(value):
        return value
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", value):
        raise ConfigError(
            "--db/TM_DB is a URL, but not a postgresql:// one (tm does not show it: it may hold a password).",
            hint="Use postgresql://… (lower case) for PostgreSQL, or a file path for SQLite.",
        )
    return Path(value).expanduser()


def parse_redirect_uri(uri: str) -> RedirectTarget:
    parts = _split(uri) or urlsplit("")
    host = parts.hostname or ""
    port = parts.port
    if host == "localhost":
        raise ConfigError(
            f"Redirect URI {uri} uses `localhost`, which Spotify no longer accepts (since 2025).",
            hint="Use http://127.0.0.1:8888/callback, and register exactly that URI in your app's dashboard.",
        )
    if parts.scheme != "http" or host not in ("127.0.0.1", "::1") or not port:
        raise ConfigError(
            f"Redirect URI {uri} is not a loopback address with a port.",
            hint="tm receives the login on this machine: use http://127.0.0.1:PORT/PATH "
            "(default http://127.0.0.1:8888/callback) and register it in your app's dashboard.",
        )
    return RedirectTarget(host=host, port=port, path=parts.path or "/")


def _default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("music-time-machine", appauthor=False))


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value}


def _private_group(gid: int) -> bool:
    """Whether nobody but this user is in group `gid`: a user private group (Debian's, Fedora's), whose folders
    are group-writable under their default umask 002 without anyone else being able to write them."""
    import grp
    import pwd

    me = os.geteuid()
    try:
        members, my_name = set(grp.getgrgid(gid).gr_mem), pwd.getpwuid(me).pw_name
    except KeyError:  # a group or user the system cannot name
        return False
    return members <= {my_name} and all(user.pw_uid == me for user in pwd.getpwall() if user.pw_gid == gid)


def check_home(home: Path) -> None:
    """TM_HOME keeps the login, the database and a .env that can point both elsewhere: only its user may write it
    (group-writable is fine when the group is the user's alone).

    Refused rather than repaired (chmod): whatever others could plant there (that .env, a symlink where the token
    goes) is already in it, and a repair would trust it; only the user can tell. A missing home is made private."""
    try:
        status = home.stat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise ConfigError(f"TM_HOME {home} cannot be used: {error.strerror}.") from None
    if not stat.S_ISDIR(status.st_mode):
        raise ConfigError(f"TM_HOME {home} is not a folder.", hint="Point TM_HOME at a folder of your own.")
    if status.st_uid != os.geteuid():
        raise ConfigError(
            f"TM_HOME {home} belongs to another user (uid {status.st_uid}); tm keeps your Spotify login there.",
            hint="Point TM_HOME at a folder of your own (tm creates a missing one, private to you).",
        )
    if status.st_mode & stat.S_IWOTH or (status.st_mode & stat.S_IWGRP and not _private_group(status.st_gid)):
        raise ConfigError(
            f"TM_HOME {home} can be written by others (mode {stat.S_IMODE(status.st_mode):04o}); tm keeps your "
            "Spotify login there and reads its .env.",
            hint=f"Check what is in it (its .env above all), then make it yours alone: chmod 700 {home}",
        )


def _layered(environ: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """Merge the sources, lowest precedence first; empty values count as unset."""
    from_env = {key: value for key, value in environ.items() if key in SETTING_NAMES and value}
    from_cwd = _read_dotenv(cwd / ".env")
    home = from_env.get("TM_HOME") or from_cwd.get("TM_HOME")
    home_path = Path(home).expanduser() if home else _default_home()
    check_home(home_path)  # before its .env is read
    from_home = _read_dotenv(home_path / ".env")
    merged = {**from_home, **from_cwd, **from_env}
    merged["TM_HOME"] = str(home_path)
    return merged


def _int_setting(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(f"{name} must be a whole number of seconds (got {raw!r}).")
    return number


def _seconds_setting(values: Mapping[str, str], name: str, default: float) -> float:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):  # also refuses nan
        raise ConfigError(f"{name} must be a number of seconds, 0 or more (got {raw!r}).")
    return seconds


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: this machine, where plain http reaches no one else."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Anything a URL parser might read differently from another (requests' from urlsplit's): a user part (`@`),
# backslashes, whitespace and control characters; a query or fragment makes no sense in a base URL.
_AMBIGUOUS_URL = re.compile(r"[@\\?#\s\x00-\x1f\x7f]")


def _split(url: str) -> SplitResult | None:
    """The parts of `url`; None when it has an unmatched [ or ], or a port outside 1-65535."""
    try:
        parts = urlsplit(url)
        return parts if parts.port != 0 else None  # urlsplit checks the port only when asked
    except ValueError:
        return None


def _base_url(values: Mapping[str, str], name: str, default: str) -> str:
    """An endpoint that receives secrets (Spotify's client secret and tokens, the Last.fm API key): https, or
    http to this machine only."""
    url = values.get(name, default)
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or _AMBIGUOUS_URL.search(url):
        raise ConfigError(
            f"{name} must be an https URL with a host, and no user part, query, fragment or spaces.",
            hint="The default, the service's own, needs no setting: remove it from the environment and any .env.",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{name} is plain http to another machine ({parts.hostname}); tm sends your secrets (client secret, "
            "tokens, API key) there, so it must be https.",
            hint="Use https, or http only to this machine (127.0.0.1, ::1, localhost).",
        )
    return url if url.endswith("/") else url + "/"


def load_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, *, db: str | None = None
) -> Settings:
    values = _layered(os.environ if environ is None else environ, cwd or Path.cwd())
    home = Path(values["TM_HOME"])
    db_value = db or values.get("TM_DB")
    return Settings(
        client_id=values.get("SPOTIPY_CLIENT_ID"),
        client_secret=values.get("SPOTIPY_CLIENT_SECRET"),
        redirect_uri=values.get("SPOTIPY_REDIRECT_URI", DEFAULT_REDIRECT_URI),
        home=home,
        database=database_of(db_value) if db_value else home / "tm.sqlite3",
        token_path=home / "token.json",
        app_token_path=home / "app-token.json",
        api_url=_base_url(values, "TM_SPOTIFY_API_URL", DEFAULT_API_URL),
        accounts_url=_base_url(values, "TM_SPOTIFY_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL),
        lastfm_api_key=values.get("TM_LASTFM_API_KEY") or None,
        lastfm_api_url=_base_url(values, "TM_LASTFM_API_URL", DEFAULT_LASTFM_API_URL),
        max_retry_wait=_int_setting(values, "TM_MAX_RETRY_WAIT", DEFAULT_MAX_RETRY_WAIT),
        busy_timeout=_seconds_setting(values, "TM_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT),
        time_zone=values.get("TM_TZ") or None,
        chromium=values.get("TM_CHROMIUM") or None,
        debug=values.get("TM_DEBUG", "").lower() in ("1", "true", "yes"),
    )
