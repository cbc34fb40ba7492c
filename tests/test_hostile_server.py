"""A hostile or broken Spotify (issue 15, groups 3 and 4): paging that loops, never ends or leaves the API base; answers
that drip or never end; strangers' playlists carrying tm's marker; a library check that fails. Each ends in bounded
time and memory with one clear line, and nothing is saved, created or sent where it was not issued."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from math import ceil
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result
from urllib3.util import parse_url

from music_time_machine.bounded_http import MAX_RESPONSE_BYTES, REQUEST_DEADLINE_SECONDS
from music_time_machine.config import load_settings
from music_time_machine.errors import NetworkError, SpotifyError
from music_time_machine.models import TimeRange
from music_time_machine.services.playlists import marker
from music_time_machine.spotify.client import SpotifyClient, under_base
from music_time_machine.testing.fake_hostile import ForeignHost

from conftest import Tm, error_lines

pytestmark = pytest.mark.sqlite_only  # about the server; the database is only where "nothing saved" is read

SPOTIFY_BASE = "https://api.spotify.com/v1/"
MY_PLAYLISTS = "/v1/me/playlists"
BOUND = 3 * REQUEST_DEADLINE_SECONDS  # "ends": generous enough to be about hangs, never about speed


@pytest.fixture
def foreign() -> Iterator[ForeignHost]:
    with ForeignHost() as host:
        yield host


def _one_error_line(result: Result, *fragments: str) -> None:
    lines = error_lines(result)
    assert lines, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines


def _playlists_of_the_listener(tm: Tm, count: int) -> None:
    tm.fake.add_user("owner-elsewhere")
    for number in range(count):
        tm.fake.add_playlist("fake-listener", f"Mine {number}", "just a playlist")


# --- next links: only under the API base ----------------------------------------------------------------------


def test_a_next_link_to_another_host_never_receives_the_token(logged_in: Tm, foreign: ForeignHost) -> None:
    logged_in.fake.next_link(MY_PLAYLISTS, f"{foreign.base_url}/v1/me/playlists?offset=50&limit=50")

    result = logged_in("playlists", "--json")

    assert result.exit_code == 1
    _one_error_line(result, "links its next page outside", logged_in.fake.api_url)
    assert foreign.requests == []


def _loopback_links(api_port: int, foreign_port: int) -> st.SearchStrategy[str]:
    """Next links that a careless client would follow off the API base, all of them to loopback: another port or
    host name, a scheme or letter case of its own, userinfo in front of the real host, a scheme-relative link,
    dot segments (percent-encoded too), backslashes, whitespace and control characters."""
    tail = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
    api, away = f"127.0.0.1:{api_port}", f"127.0.0.1:{foreign_port}"
    other_origins = st.sampled_from(
        [
            f"http://{away}/v1/",
            f"http://localhost:{api_port}/v1/",
            f"http://127.0.0.2:{api_port}/v1/",
            f"https://{api}/v1/",
            f"HTTP://{api}/v1/",
            f"http://{api}@{away}/v1/",
            f"http://user:secret@{api}/v1/",
            f"//{away}/v1/",
            f"http://{api}/v10/",
            f"http://{api}/",
            f"http://{api}/v1",
        ]
    )
    escapes = st.sampled_from(["..", "%2e%2e", "%2E%2e", ".%2E", "..%2f..", ".", "%2e", "..\\..", "a\\..\\.."])
    climbing = st.builds(lambda up, rest: f"http://{api}/v1/{up}/{rest}", escapes, tail)
    off_origin = st.builds(lambda origin, rest: f"{origin}{rest}?offset=50", other_origins, tail)
    legit = st.builds(lambda rest: f"http://{api}/v1/{rest}?offset=50", tail)
    spoiled = st.builds(
        lambda url, where, char: url[:where] + char + url[where:],
        legit,
        st.integers(min_value=len(f"http://{api}/v1/"), max_value=len(f"http://{api}/v1/") + 1),
        st.sampled_from([" ", "\t", "\n", "\r", "\x00", "\x1b", "\u2028", "é"]),
    )
    return st.one_of(off_origin, climbing, spoiled)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_next_link_off_the_api_base_is_followed(logged_in: Tm, foreign: ForeignHost, data: st.DataObject) -> None:
    api_port = int(logged_in.fake.base_url.rsplit(":", 1)[1])
    link = data.draw(_loopback_links(api_port, int(foreign.base_url.rsplit(":", 1)[1])))
    logged_in.fake.next_link(MY_PLAYLISTS, link)
    logged_in.fake.clear_requests()
    foreign.requests.clear()

    result = logged_in("playlists", "--json")

    assert result.exit_code == 1
    _one_error_line(result, "links its next page outside")
    assert [(r.method, r.path) for r in logged_in.fake.requests] == [("GET", MY_PLAYLISTS)]  # the first page only
    assert foreign.requests == []


def _evil_links() -> st.SearchStrategy[str]:
    """Off-base links to Spotify's real API base (never requested: a pure check)."""
    rest = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/?=&", max_size=20)
    origins = st.sampled_from(
        [
            "https://evil.example/v1/",
            "https://api.spotify.com.evil.example/v1/",
            "https://api.spotify.com@evil.example/v1/",
            "https://api@evil/v1/",
            "https://api.spotify.com:443@evil.example/v1/",
            "http://api.spotify.com/v1/",
            "https://api.spotify.com:8443/v1/",
            "//evil.example/v1/",
            "https://API.spotify.com/v1/",
            "https://api.spotify.com/v1/../",
            "https://api.spotify.com/v1/%2e%2e/",
            "https://api.spotify.com/v1/.%2E/",
            "https://api.spotify.com/v1/..%2F",
            "https://api.spotify.com/v1/\\..\\",
            "https://api.spotify.com/v1/ /",
            "https://api.spotify.com/v1\t/",
            "https://api.spotify.com/v2/",
            "me/playlists/",
        ]
    )
    return st.builds(str.__add__, origins, rest)


@given(_evil_links())
def test_the_base_check_refuses_other_hosts_schemes_userinfo_and_escapes(link: str) -> None:
    assert not under_base(link, SPOTIFY_BASE)


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_%", min_size=1), max_size=4), st.integers(0))
def test_the_base_check_follows_spotifys_own_links(segments: list[str], offset: int) -> None:
    segments = [
        s for s in segments if unquote(s) not in (".", "..") and "/" not in unquote(s) and "\\" not in unquote(s)
    ]
    link = f"{SPOTIFY_BASE}{'/'.join(['me', *segments])}?offset={offset}&limit=50"
    assert under_base(link, SPOTIFY_BASE)


@given(st.text(max_size=40))
def test_whatever_the_base_check_follows_goes_to_the_base(rest: str) -> None:
    """The oracle is urllib3's parser, the one requests sends with: host, port, scheme, no userinfo, the path."""
    link = SPOTIFY_BASE + rest
    if under_base(link, SPOTIFY_BASE):
        parsed = parse_url(link)
        assert (parsed.scheme, parsed.auth, parsed.host, parsed.port) == ("https", None, "api.spotify.com", None)
        path = unquote(parsed.path or "")
        assert path.startswith("/v1/")
        assert "/../" not in path + "/"
        assert "/./" not in path + "/"


# --- loops and endless paging ------------------------------------------------------------------------------------


def test_a_listing_that_loops_back_to_its_first_page_ends(logged_in: Tm) -> None:
    _playlists_of_the_listener(logged_in, 60)  # two pages of 50
    logged_in.fake.loop_pages(MY_PLAYLISTS)
    logged_in.fake.clear_requests()

    result = logged_in("playlists", "--json")

    assert result.exit_code == 1
    _one_error_line(result, "links back to a page tm already read")
    assert logged_in.fake.count("GET", MY_PLAYLISTS) == 2


@pytest.mark.parametrize("claimed", [None, 10**12])
def test_endless_paging_ends_near_the_claimed_total_or_at_the_absolute_cap(logged_in: Tm, claimed: int | None) -> None:
    _playlists_of_the_listener(logged_in, 120)
    logged_in.fake.endless_pages(MY_PLAYLISTS, total=claimed)
    logged_in.fake.clear_requests()
    started = time.monotonic()

    result = logged_in("playlists", "--json")

    assert time.monotonic() - started < BOUND
    assert result.exit_code == 1
    _one_error_line(result, "kept sending next pages")
    pages = logged_in.fake.count("GET", MY_PLAYLISTS)
    if claimed is None:
        assert ceil(120 / 50) < pages <= ceil(120 / 50) + 2  # a couple of pages past the true end, no more
    else:
        assert pages == 2_000  # Spotify serves offsets up to 100,000: 2,000 pages of 50


def test_a_playlist_whose_items_loop_is_left_unwritten(logged_in: Tm) -> None:
    assert logged_in.at("2025-01")("playlist", "rotation").exit_code == 0
    [playlist] = logged_in.fake.playlists.values()
    stored = logged_in.rows("SELECT playlist_id, updated_at FROM managed_playlists")
    logged_in.fake.loop_pages(f"/v1/playlists/{playlist.id}/items")
    logged_in.fake.clear_requests()

    result = logged_in.at("2025-02")("playlist", "rotation")

    assert result.exit_code == 1
    _one_error_line(result, "links back to a page tm already read")
    assert [r.method for r in logged_in.fake.requests if r.method != "GET"] == []
    assert list(logged_in.fake.playlists) == [playlist.id]
    assert logged_in.rows("SELECT playlist_id, updated_at FROM managed_playlists") == stored


# --- strangers' playlists and a failing library check --------------------------------------------------------------


def test_a_strangers_playlist_carrying_tms_marker_is_never_adopted(logged_in: Tm) -> None:
    logged_in.fake.add_user("stranger")
    theirs = logged_in.fake.add_playlist(
        "stranger", "Rotation", f"bait · {marker('rotation')}", followers=("fake-listener",), collaborative=True
    )

    result = logged_in("playlist", "rotation", "--json")

    assert result.exit_code == 0, result.output
    mine = json.loads(result.stdout)["playlist_id"]
    assert mine != theirs
    assert json.loads(result.stdout)["created"] is True
    assert logged_in.fake.playlists[mine].owner_id == "fake-listener"
    assert logged_in.fake.playlists[theirs].uris == []
    assert logged_in.fake.playlists[theirs].name == "Rotation"
    assert logged_in.rows("SELECT playlist_id FROM managed_playlists") == [(mine,)]


def test_a_library_check_that_answers_404_itself_creates_nothing(logged_in: Tm) -> None:
    """Only Spotify's `false` says the playlist left the library; the check's own 404 made a duplicate before."""
    assert logged_in.at("2025-01")("playlist", "rotation").exit_code == 0
    [playlist_id] = logged_in.fake.playlists
    stored = logged_in.rows("SELECT playlist_id, updated_at FROM managed_playlists")
    not_found = {"error": {"status": 404, "message": "Service not found"}}  # the endpoint, not the playlist
    logged_in.fake.fail_next("/v1/me/library/contains", 404, body=not_found)
    logged_in.fake.clear_requests()

    result = logged_in.at("2025-02")("playlist", "rotation")

    assert result.exit_code == 1
    _one_error_line(result, f"Spotify could not say whether playlist {playlist_id} is still in your library")
    assert list(logged_in.fake.playlists) == [playlist_id]
    assert [r for r in logged_in.fake.requests if r.method != "GET"] == []
    assert logged_in.rows("SELECT playlist_id, updated_at FROM managed_playlists") == stored


# --- answers that drip or never end ----------------------------------------------------------------------------


# The child reports its own peak (VmHWM starts afresh at exec; getrusage's maxrss would inherit pytest's).
PEAK_REPORTER = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def report():
    status = open("/proc/self/status").read()
    open(peak_file, "w").write(status.split("VmHWM:")[1].split()[0])
atexit.register(report)
runpy.run_module("music_time_machine", run_name="__main__")
"""


def _tm_process(tm: Tm, *args: str, out: Path) -> subprocess.Popen[bytes]:
    """The installed tm as a process of its own, reporting its peak memory (in KB) to `out` + ".peak"."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tm.home), **tm.env}
    command = [sys.executable, "-c", PEAK_REPORTER, f"{out}.peak", *args]
    return subprocess.Popen(command, env=env, stdout=out.open("wb"), stderr=subprocess.STDOUT)


def _finish(process: subprocess.Popen[bytes], out: Path) -> tuple[int, int]:
    """(exit code, peak RSS in KB) of a `_tm_process` run; one still running after BOUND is stopped, and fails."""
    try:
        code = process.wait(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    return code, int(Path(f"{out}.peak").read_text())


def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(logged_in: Tm, tmp_path: Path) -> None:
    """One byte every half second never trips the 10 s read timeout; the deadline ends it. Two runs at once (the
    status line dripping, and a body dripping after prompt headers), so the test waits one deadline, not two."""
    logged_in.fake.drip_next("/v1/me/top/tracks", 0.5)
    logged_in.fake.drip_next(MY_PLAYLISTS, 0.5, body_only=True)
    started = time.monotonic()

    runs = [
        _tm_process(logged_in, "top", out=tmp_path / "top.txt"),
        _tm_process(logged_in, "playlists", out=tmp_path / "playlists.txt"),
    ]
    codes = [_finish(run, tmp_path / f"{name}.txt")[0] for run, name in zip(runs, ("top", "playlists"), strict=True)]

    assert time.monotonic() - started < BOUND
    assert codes == [1, 1]
    for name in ("top", "playlists"):
        output = (tmp_path / f"{name}.txt").read_text()
        assert output.startswith(
            f"Error: tm stopped reading Spotify at {logged_in.fake.api_url}: it took longer than 30 s to answer."
        ), output
        assert "Traceback" not in output


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_giant_answer_is_refused_at_the_size_cap_with_nothing_saved(
    logged_in: Tm, tmp_path: Path, declare_length: bool
) -> None:
    """300 MB took 670 MB of memory; now reading stops at the cap (or before, when Content-Length says so)."""
    logged_in.fake.giant_next("/v1/me/top/tracks", 300 * 2**20, declare_length=declare_length)

    code, peak_kb = _finish(_tm_process(logged_in, "snapshot", out=tmp_path / "out.txt"), tmp_path / "out.txt")

    output = (tmp_path / "out.txt").read_text()
    assert code == 1, output
    assert f"its answer was larger than {MAX_RESPONSE_BYTES // 2**20} MB. Nothing saved." in output.splitlines()[0]
    assert peak_kb < 200 * 1024, f"peak RSS {peak_kb} KB"  # about the bomb (670 MB before), not about tuning
    assert logged_in.rows("SELECT count(*) FROM snapshots") == [(0,)]


def _client(tm: Tm, deadline: float) -> SpotifyClient:
    settings = load_settings(tm.env, Path.cwd())
    return SpotifyClient(
        settings, tm.tokens, wait=lambda seconds, reason: None, clock=lambda: datetime.now(UTC), deadline=deadline
    )


def test_the_token_calls_share_the_deadline(logged_in: Tm) -> None:
    """A refresh goes through the same bounded session: a dripping accounts service ends at the deadline too."""
    logged_in.fake.expire_access_tokens()
    logged_in.fake.drip_next("/api/token", 0.05)
    started = time.monotonic()

    with pytest.raises(NetworkError, match=r"^Cannot reach Spotify's login service: it took longer than 1 s"):
        _client(logged_in, deadline=1.0).me()

    assert time.monotonic() - started < 3 * 1.0


def test_the_token_calls_share_the_size_cap(logged_in: Tm) -> None:
    logged_in.fake.expire_access_tokens()
    logged_in.fake.giant_next("/api/token", 50 * 2**20, declare_length=False)

    result = logged_in("top")

    assert result.exit_code == 1
    _one_error_line(result, "Cannot reach Spotify's login service: its answer was larger than 4 MB")


def test_a_hostile_answer_is_not_retried(logged_in: Tm) -> None:
    logged_in.fake.giant_next("/v1/me/top/tracks", 10 * 2**20, times=4)
    logged_in.fake.clear_requests()

    with pytest.raises(SpotifyError, match="larger than 4 MB"):
        _client(logged_in, deadline=REQUEST_DEADLINE_SECONDS).top_tracks(TimeRange.SHORT)

    assert logged_in.fake.count("GET", "/v1/me/top/tracks") == 1
