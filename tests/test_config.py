"""Settings: flags > environment > ./.env > $TM_HOME/.env > defaults; .env.example documents exactly them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from music_time_machine.config import SETTING_NAMES, load_settings, parse_redirect_uri
from music_time_machine.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_precedence_is_flag_then_environment_then_cwd_dotenv_then_home_dotenv(tmp_path: Path) -> None:
    home, cwd = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    (home / ".env").write_text("SPOTIPY_CLIENT_ID=from-home\nTM_MAX_RETRY_WAIT=5\nTM_DB=/home.sqlite3\n")
    (cwd / ".env").write_text(f"TM_HOME={home}\nSPOTIPY_CLIENT_ID=from-cwd\nTM_DB=/cwd.sqlite3\n")
    environ = {"TM_DB": "/env.sqlite3"}

    settings = load_settings(environ, cwd)
    flagged = load_settings(environ, cwd, db="/flag.sqlite3")

    assert settings.home == home
    assert settings.client_id == "from-cwd"
    assert settings.max_retry_wait == 5
    assert settings.database == Path("/env.sqlite3")
    assert flagged.database == Path("/flag.sqlite3")


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings({"TM_HOME": str(tmp_path)}, tmp_path)

    assert settings.client_id is None
    assert settings.redirect_uri == "http://127.0.0.1:8888/callback"
    assert settings.database == tmp_path / "tm.sqlite3"
    assert settings.token_path == tmp_path / "token.json"
    assert settings.api_url == "https://api.spotify.com/v1/"
    assert settings.accounts_url == "https://accounts.spotify.com/"
    assert settings.max_retry_wait == 60
    assert settings.busy_timeout == 5
    assert settings.debug is False


def test_busy_timeout_takes_fractions_of_a_second(tmp_path: Path) -> None:
    settings = load_settings({"TM_HOME": str(tmp_path), "TM_BUSY_TIMEOUT": "0.2"}, tmp_path)

    assert settings.busy_timeout == 0.2


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_a_busy_timeout_that_is_not_seconds_is_a_configuration_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="TM_BUSY_TIMEOUT must be a number of seconds"):
        load_settings({"TM_HOME": str(tmp_path), "TM_BUSY_TIMEOUT": value}, tmp_path)


def test_api_urls_get_a_trailing_slash(tmp_path: Path) -> None:
    settings = load_settings({"TM_HOME": str(tmp_path), "TM_SPOTIFY_API_URL": "http://127.0.0.1:9/v1"}, tmp_path)

    assert settings.api_url == "http://127.0.0.1:9/v1/"


@pytest.mark.parametrize(
    ("uri", "host", "port", "path"),
    [("http://127.0.0.1:8888/callback", "127.0.0.1", 8888, "/callback"), ("http://[::1]:9000/cb", "::1", 9000, "/cb")],
)
def test_loopback_redirect_uris_are_accepted(uri: str, host: str, port: int, path: str) -> None:
    target = parse_redirect_uri(uri)

    assert (target.host, target.port, target.path) == (host, port, path)


@pytest.mark.parametrize(
    "uri", ["http://localhost:8888/callback", "https://example.com/cb", "http://127.0.0.1/callback"]
)
def test_other_redirect_uris_are_refused(uri: str) -> None:
    with pytest.raises(ConfigError):
        parse_redirect_uri(uri)


def test_env_example_lists_exactly_the_settings_tm_reads() -> None:
    documented = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)

    assert sorted(documented) == sorted(SETTING_NAMES)


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()

    assert [name for name in SETTING_NAMES if f"`{name}`" not in readme] == []
