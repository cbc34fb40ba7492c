"""Tests of the fake Spotify server itself, spoken to with plain ``requests``."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from music_time_machine.testing.fake_spotify import FakeSpotify

REDIRECT_URI = "http://127.0.0.1:8888/callback"
CLIENT = ("tm-test-client", "tm-test-secret")
SCOPE = "user-top-read playlist-modify-private playlist-read-private"
REMOVED_FIELDS = {"popularity", "available_markets", "linked_from", "preview_url"}
RECENT_SCOPE = "user-read-recently-played"
NOON = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
NOON_MS = 1_742_040_000_000  # NOON as Unix milliseconds


@pytest.fixture
def spotify() -> Iterator[FakeSpotify]:
    """A server of its own: conftest's ``fake`` has another redirect URI and month."""
    with FakeSpotify() as server:
        yield server


def authorize(fake: FakeSpotify, **params: str) -> requests.Response:
    query = {"client_id": CLIENT[0], "response_type": "code", "redirect_uri": REDIRECT_URI, "scope": SCOPE}
    return requests.get(f"{fake.accounts_url}authorize", params={**query, **params}, allow_redirects=False, timeout=5)


def callback_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{REDIRECT_URI}?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token_request(fake: FakeSpotify, data: dict[str, str], *, basic: bool = True) -> requests.Response:
    auth = CLIENT if basic else None
    return requests.post(f"{fake.accounts_url}api/token", data=data, auth=auth, timeout=5)


def login(fake: FakeSpotify, scope: str = SCOPE) -> dict[str, str]:
    code = callback_params(authorize(fake, scope=scope))["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    response = token_request(fake, data)
    assert response.status_code == 200, response.text
    return response.json()


def api(access_token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {access_token}"
    return session


def refresh_form(tokens: dict[str, str]) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}


def create_private_playlist(fake: FakeSpotify, session: requests.Session) -> dict[str, str]:
    response = session.post(f"{fake.api_url}me/playlists", json={"name": "S", "public": False}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def test_authorization_code_flow_reaches_me(spotify: FakeSpotify) -> None:
    params = callback_params(authorize(spotify, state="s-123"))
    assert params["state"] == "s-123"
    data = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT_URI}
    tokens = token_request(spotify, data).json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == SCOPE
    assert tokens["refresh_token"]

    session = api(tokens["access_token"])
    for path in ("me", "me/"):  # spotipy asks for me/ with the trailing slash
        me = session.get(spotify.api_url + path, timeout=5).json()
        assert me["id"] == "fake-listener"
        assert me["display_name"] == "Fake Listener"
        assert me["uri"] == "spotify:user:fake-listener"
        assert not {"country", "email", "product"} & me.keys()

    reused = token_request(spotify, data)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_authorize_rejects_bad_clients_and_can_deny(spotify: FakeSpotify) -> None:
    bad_uri = authorize(spotify, redirect_uri="http://localhost:8888/callback")
    assert (bad_uri.status_code, bad_uri.text) == (400, "INVALID_CLIENT: Invalid redirect URI")
    bad_client = authorize(spotify, client_id="someone-else")
    assert (bad_client.status_code, bad_client.text) == (400, "INVALID_CLIENT: Invalid client")

    spotify.deny_next_authorize()
    assert callback_params(authorize(spotify, state="s")) == {"error": "access_denied", "state": "s"}
    assert "code" in callback_params(authorize(spotify))

    wrong_secret = requests.post(
        f"{spotify.accounts_url}api/token",
        auth=(CLIENT[0], "nope"),
        timeout=5,
        data={"grant_type": "client_credentials"},
    )
    assert wrong_secret.status_code == 400
    assert wrong_secret.json() == {"error": "invalid_client", "error_description": "Invalid client"}


def test_pkce_checks_the_code_verifier(spotify: FakeSpotify) -> None:
    verifier = "v" * 64
    extra = {"code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256"}
    exchange = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI, "client_id": CLIENT[0]}

    code = callback_params(authorize(spotify, **extra))["code"]
    wrong = token_request(spotify, {**exchange, "code": code, "code_verifier": "w" * 64}, basic=False)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    code = callback_params(authorize(spotify, **extra))["code"]
    right = token_request(spotify, {**exchange, "code": code, "code_verifier": verifier}, basic=False)
    assert right.status_code == 200
    assert right.json()["refresh_token"]


def test_top_tracks_stop_at_fifty_per_range(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    url = f"{spotify.api_url}me/top/tracks"
    for time_range in ("short_term", "medium_term", "long_term"):
        page = session.get(url, params={"time_range": time_range, "limit": 50}, timeout=5).json()
        assert len(page["items"]) == page["total"] == 50
        assert page["next"] is None
        assert [t["id"] for t in page["items"]] == [t["id"] for t in spotify.top_tracks(time_range)]
        assert all(not REMOVED_FIELDS & track.keys() for track in page["items"])
        assert all(track["uri"] == f"spotify:track:{track['id']}" for track in page["items"])

        beyond = session.get(url, params={"time_range": time_range, "offset": 50}, timeout=5).json()
        assert (beyond["items"], beyond["total"]) == ([], 0)

    first = session.get(url, params={"limit": 20}, timeout=5).json()
    assert first["next"] is not None
    assert len(session.get(first["next"], timeout=5).json()["items"]) == 20
    assert session.get(url, params={"limit": 51}, timeout=5).status_code == 400


def test_short_term_churns_while_long_term_stays(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])

    def chart(time_range: str) -> list[str]:
        params = {"time_range": time_range, "limit": 50}
        page = session.get(f"{spotify.api_url}me/top/tracks", params=params, timeout=5).json()
        return [track["id"] for track in page["items"]]

    spotify.month = "2025-03"
    short_before, long_before = chart("short_term"), chart("long_term")
    spotify.month = "2025-04"
    short_after, long_after = chart("short_term"), chart("long_term")
    assert short_before != short_after
    assert len(set(long_before) & set(long_after)) > 0.6 * 50
    assert len(set(short_before) & set(short_after)) < len(set(long_before) & set(long_after))


def test_create_playlist_defaults_public_and_removed_endpoints_are_403(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    # SCOPE lacks playlist-modify-public, so a default (public) playlist is refused ...
    refused = session.post(f"{spotify.api_url}me/playlists", json={"name": "Snapshot"}, timeout=5)
    assert refused.status_code == 403
    spotify.add_user("owner")
    spotify.login_as("owner")
    owner = api(login(spotify, scope="playlist-modify-public")["access_token"])
    # ... and with the scope it is created public, like Spotify does when "public" is left out.
    created = owner.post(f"{spotify.api_url}me/playlists", json={"name": "Snapshot"}, timeout=5)
    assert created.status_code == 201
    playlist = created.json()
    assert playlist["public"] is True
    assert playlist["owner"]["id"] == "owner"
    assert spotify.playlists[playlist["id"]].followers == {"owner"}

    forbidden = {"error": {"status": 403, "message": "Forbidden"}}
    old_items = owner.get(f"{spotify.api_url}playlists/{playlist['id']}/tracks", timeout=5)
    assert (old_items.status_code, old_items.json()) == (403, forbidden)
    old_create = owner.post(f"{spotify.api_url}users/owner/playlists", json={"name": "x"}, timeout=5)
    assert (old_create.status_code, old_create.json()) == (403, forbidden)
    unknown = owner.get(f"{spotify.api_url}nothing/here", timeout=5)
    assert unknown.json() == {"error": {"status": 404, "message": "Service not found"}}


def test_playlist_item_writes(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    created = create_private_playlist(spotify, session)
    items_url = f"{spotify.api_url}playlists/{created['id']}/items"
    uris = [str(track["uri"]) for track in spotify.catalog.tracks[:101]]

    too_many = session.put(items_url, json={"uris": uris}, timeout=5)
    assert too_many.status_code == 400
    assert too_many.json()["error"]["message"] == "Too many ids requested"
    bare = session.post(items_url, json={"uris": [uris[0].removeprefix("spotify:track:")]}, timeout=5)
    assert bare.json() == {"error": {"status": 400, "message": "Invalid track uri"}}

    replaced = session.put(items_url, json={"uris": uris[:100]}, timeout=5)
    assert replaced.status_code == 200
    assert replaced.json()["snapshot_id"] != created["snapshot_id"]
    added = session.post(items_url, json=uris[100:], timeout=5)  # spotipy sends a bare list
    assert added.status_code == 201
    removed = session.delete(items_url, json={"items": [{"uri": uris[0]}]}, timeout=5)
    assert removed.status_code == 200
    assert spotify.playlists[created["id"]].uris == uris[1:]

    page = session.get(items_url, params={"limit": 50}, timeout=5).json()
    assert page["total"] == 100
    assert page["items"][0]["item"]["uri"] == uris[1]
    assert "track" not in page["items"][0]


def test_unfollow_delete_and_allow_list(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    playlist_id = create_private_playlist(spotify, session)["id"]

    def in_library() -> list[bool]:
        params = {"uris": f"spotify:playlist:{playlist_id}"}
        return session.get(f"{spotify.api_url}me/library/contains", params=params, timeout=5).json()

    assert in_library() == [True]

    spotify.unfollow_playlist(playlist_id)
    assert session.get(f"{spotify.api_url}me/playlists", timeout=5).json()["items"] == []
    assert in_library() == [False]

    spotify.delete_playlist(playlist_id)
    gone = session.get(f"{spotify.api_url}playlists/{playlist_id}/items", timeout=5)
    assert (gone.status_code, gone.json()["error"]["message"]) == (404, "Resource not found")

    spotify.set_allow_listed("fake-listener", False)
    blocked = session.get(f"{spotify.api_url}me", timeout=5)
    assert blocked.status_code == 403
    assert blocked.json()["error"]["message"] == "User not registered in the Developer Dashboard"


def test_fail_next_answers_429_with_retry_after_once(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    quota = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    spotify.fail_next("/v1/me/top", 429, method="GET", headers={"Retry-After": "30"}, body=quota)

    limited = session.get(f"{spotify.api_url}me/top/tracks", timeout=5)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert limited.json() == quota
    assert session.get(f"{spotify.api_url}me/top/tracks", timeout=5).status_code == 200

    spotify.fail_next("/v1/me/top", 502, after=1)
    statuses = [session.get(f"{spotify.api_url}me/top/tracks", timeout=5).status_code for _ in range(3)]
    assert statuses == [200, 502, 200]


def test_expired_access_token_is_401_until_refreshed(spotify: FakeSpotify) -> None:
    tokens = login(spotify)
    spotify.expire_access_tokens()
    expired = api(tokens["access_token"]).get(f"{spotify.api_url}me", timeout=5)
    assert expired.status_code == 401
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}

    refreshed = token_request(spotify, refresh_form(tokens))
    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.json()  # Spotify may omit it; the client keeps the old one
    me = api(refreshed.json()["access_token"]).get(f"{spotify.api_url}me", timeout=5)
    assert me.status_code == 200


def test_revoked_refresh_token_is_invalid_grant(spotify: FakeSpotify) -> None:
    tokens = login(spotify)
    spotify.revoke_refresh_tokens("Refresh token expired")
    response = token_request(spotify, refresh_form(tokens))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Refresh token expired"}


def test_request_log(spotify: FakeSpotify) -> None:
    session = api(login(spotify)["access_token"])
    spotify.clear_requests()
    session.get(f"{spotify.api_url}me", timeout=5)
    session.get(f"{spotify.api_url}me/top/tracks", params={"time_range": "long_term"}, timeout=5)
    session.get(f"{spotify.api_url}me/top/tracks", timeout=5)
    assert spotify.count("GET", "/v1/me") == 3
    assert spotify.count("get", "/v1/me/top/tracks") == 2
    assert spotify.count("POST", "/v1/me") == 0
    assert spotify.requests[1].query == {"time_range": ["long_term"]}

    token_request(spotify, {"grant_type": "client_credentials"})
    assert spotify.requests[-1].body == {"grant_type": "client_credentials"}
    spotify.clear_requests()
    assert spotify.requests == []


def recently_played(fake: FakeSpotify, session: requests.Session, **params: object) -> requests.Response:
    return session.get(f"{fake.api_url}me/player/recently-played", params=params, timeout=5)


def record_minutely(fake: FakeSpotify, count: int, end: datetime = NOON) -> list[str]:
    """One play a minute (at whole minutes, plus 1 ms to show the precision), the last at ``end`` + 1 ms."""
    uris = [str(track["uri"]) for track in fake.catalog.tracks[:count]]
    for age, uri in enumerate(reversed(uris)):
        fake.record_play(uri, end - timedelta(minutes=age) + timedelta(milliseconds=1))
    return uris  # oldest first


def test_recently_played_keeps_only_the_last_fifty(spotify: FakeSpotify) -> None:
    session = api(login(spotify, scope=RECENT_SCOPE)["access_token"])
    uris = record_minutely(spotify, 60)
    spotify.record_play(uris[0], "2025-03-14T00:00:00.000Z")  # older than all 50 kept: forgotten at once
    assert [uri for uri, _ in spotify.recent_plays()] == uris[:-51:-1]

    response = recently_played(spotify, session, limit=50)
    assert response.status_code == 200
    page = response.json()
    assert [item["track"]["uri"] for item in page["items"]] == uris[:-51:-1]
    assert page["items"][0] == {
        "track": spotify.catalog.track(uris[-1]),
        "played_at": "2025-03-15T12:00:00.001Z",
        "context": None,
    }
    assert page["items"][-1]["played_at"] == "2025-03-15T11:11:00.001Z"
    assert page["next"] is None
    assert page["cursors"] == {"after": str(NOON_MS + 1), "before": str(NOON_MS - 49 * 60_000 + 1)}
    assert len(recently_played(spotify, session).json()["items"]) == 20  # the default limit
    with pytest.raises(ValueError, match="unknown track"):
        spotify.record_play("spotify:track:0000000000000000000000", NOON)


def test_recently_played_cursors_are_exclusive_milliseconds(spotify: FakeSpotify) -> None:
    session = api(login(spotify, scope=RECENT_SCOPE)["access_token"])
    uris = record_minutely(spotify, 10)  # played at NOON_MS + 1 - k minutes, k = 9..0

    def played(**params: object) -> list[str]:
        return [item["track"]["uri"] for item in recently_played(spotify, session, **params).json()["items"]]

    third_newest = NOON_MS + 1 - 2 * 60_000
    assert played(after=third_newest) == [uris[-1], uris[-2]]
    assert played(after=third_newest - 1) == [uris[-1], uris[-2], uris[-3]]
    assert played(before=third_newest) == uris[-4::-1]
    assert played(before=third_newest + 1) == uris[-3::-1]
    assert played(after=third_newest - 1, limit=2) == [uris[-1], uris[-2]]  # the newest `limit` of them

    empty = recently_played(spotify, session, after=NOON_MS + 1).json()
    assert (empty["items"], empty["cursors"], empty["next"]) == ([], None, None)


def test_recently_played_rejects_bad_queries_and_missing_scope(spotify: FakeSpotify) -> None:
    session = api(login(spotify, scope=RECENT_SCOPE)["access_token"])
    for params in ({"limit": 0}, {"limit": 51}, {"limit": "x"}):
        bad_limit = recently_played(spotify, session, **params)
        assert bad_limit.json() == {"error": {"status": 400, "message": "Invalid limit"}}
    assert recently_played(spotify, session, limit=1).status_code == 200
    assert recently_played(spotify, session, limit=50).status_code == 200
    assert recently_played(spotify, session, after=NOON_MS, before=NOON_MS).status_code == 400
    assert recently_played(spotify, session, before="2025-03-15").status_code == 400
    assert recently_played(spotify, session, after="1.5").status_code == 400

    without_scope = recently_played(spotify, api(login(spotify)["access_token"]))
    assert without_scope.status_code == 403
    assert without_scope.json()["error"]["message"] == "Insufficient client scope"


def test_recently_played_next_pages_reach_every_play(spotify: FakeSpotify) -> None:
    session = api(login(spotify, scope=RECENT_SCOPE)["access_token"])
    spotify.listen(NOON, 50)
    seen: list[tuple[str, str]] = []
    page = recently_played(spotify, session, limit=7).json()
    for _ in range(8):  # 50 plays make 8 pages of 7
        assert page["limit"] == 7
        seen += [(item["track"]["uri"], item["played_at"]) for item in page["items"]]
        if page["next"] is None:
            break
        assert page["next"].startswith(spotify.api_url)
        page = session.get(page["next"], timeout=5).json()
    else:
        pytest.fail("next never ran out")
    assert seen == spotify.recent_plays()
    assert len(seen) == 50


def test_listen_is_deterministic_and_never_repeats_back_to_back() -> None:
    first, second = FakeSpotify(month="2025-03"), FakeSpotify(month="2025-03")
    chart = {str(track["uri"]) for track in first.top_tracks("short_term")}
    for hours in range(5):
        until = NOON + timedelta(hours=hours)
        uris = first.listen(until, 200)
        assert uris == second.listen(until, 200)
        assert set(uris) <= chart
        assert all(a != b for a, b in pairwise(uris))
    next_day = FakeSpotify(month="2025-03").listen(NOON + timedelta(days=1), 20)
    fresh = FakeSpotify(month="2025-03")
    assert fresh.listen(NOON - timedelta(hours=1), 20) != next_day  # the seed includes `until`

    listened = fresh.listen(NOON, 3, spacing=timedelta(seconds=90))
    assert fresh.recent_plays()[:3] == [
        (listened[2], "2025-03-15T12:00:00.000Z"),
        (listened[1], "2025-03-15T11:58:30.000Z"),
        (listened[0], "2025-03-15T11:57:00.000Z"),
    ]


def test_listen_does_not_repeat_the_play_before_it() -> None:
    fake = FakeSpotify(month="2025-03")
    favourite = str(fake.top_tracks("short_term")[0]["uri"])
    for minute in range(0, 600, 2):  # by chance alone one of these 300 would likely start with the favourite
        fake.record_play(favourite, NOON + timedelta(minutes=minute))
        assert fake.listen(NOON + timedelta(minutes=minute + 1), 1) != [favourite]


def test_charts_are_full_for_every_month_a_ten_year_demo_reaches() -> None:
    from music_time_machine.testing.fake_catalog import Catalog

    catalog = Catalog(seed=7)
    for month in ("2014-01", "2016-11", "2020-06", "2026-11", "2030-12"):
        assert all(len(catalog.chart(time_range, month)) == 50 for time_range in ("short_term", "long_term")), month


# --- GET /users/{id}/playlists: removed for 2026 apps, still there for legacy (pre-2026-02-11) Client IDs ---

FORBIDDEN = {"error": {"status": 403, "message": "Forbidden"}}


@pytest.fixture
def legacy() -> Iterator[FakeSpotify]:
    with FakeSpotify(legacy_app=True) as server:
        yield server


def client_token(fake: FakeSpotify) -> str:
    response = token_request(fake, {"grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    return response.json()["access_token"]


def user_playlists(fake: FakeSpotify, session: requests.Session, user_id: str, **params: object) -> requests.Response:
    return session.get(f"{fake.api_url}users/{user_id}/playlists", params=params, timeout=5)


def test_users_playlists_is_forbidden_for_a_2026_app(spotify: FakeSpotify) -> None:
    assert spotify.legacy_app is False
    spotify.add_public_playlists("alice", 3)
    for session in (api(client_token(spotify)), api(login(spotify)["access_token"])):
        for user_id in ("alice", "nobody-at-all"):
            response = user_playlists(spotify, session, user_id)
            assert (response.status_code, response.json()) == (403, FORBIDDEN)
        profile = session.get(f"{spotify.api_url}users/alice", timeout=5)
        assert (profile.status_code, profile.json()) == (403, FORBIDDEN)


def test_legacy_app_pages_public_playlists_with_client_credentials(legacy: FakeSpotify) -> None:
    ids = legacy.add_public_playlists("alice", 125, display_name="Alice")
    assert len(set(ids)) == 125
    legacy.add_public_playlists("bob", 2)  # someone else's: not listed
    legacy.login_as("alice")
    alice = api(login(legacy)["access_token"])
    create_private_playlist(legacy, alice)  # private: not listed

    session = api(client_token(legacy))
    pages = [user_playlists(legacy, session, "alice", limit=50).json()]
    while pages[-1]["next"] is not None and len(pages) < 10:
        assert pages[-1]["next"].startswith(legacy.api_url + "users/alice/playlists?")
        pages.append(session.get(pages[-1]["next"], timeout=5).json())
    assert [len(page["items"]) for page in pages] == [50, 50, 25]
    assert [(page["offset"], page["limit"], page["total"]) for page in pages] == [
        (0, 50, 125),
        (50, 50, 125),
        (100, 50, 125),
    ]
    assert pages[0]["previous"] is None
    assert pages[2]["previous"] == pages[1]["href"]
    assert [item["id"] for page in pages for item in page["items"]] == ids

    first = pages[0]["items"][0]
    assert first["name"] == "Public Playlist 001"
    assert pages[2]["items"][-1]["name"] == "Public Playlist 125"
    assert (first["public"], first["collaborative"], first["type"], first["images"]) == (True, False, "playlist", [])
    assert first["owner"] == {
        "display_name": "Alice",
        "external_urls": {"spotify": "https://open.spotify.com/user/alice"},
        "href": f"{legacy.api_url}users/alice",
        "id": "alice",
        "type": "user",
        "uri": "spotify:user:alice",
    }
    assert first["uri"] == f"spotify:playlist:{ids[0]}"
    assert first["snapshot_id"] == legacy.playlists[ids[0]].snapshot_id
    assert (
        first["items"]
        == first["tracks"]
        == {
            "href": f"{legacy.api_url}playlists/{ids[0]}/items",
            "total": len(legacy.playlists[ids[0]].uris),
        }
    )
    assert all(item["items"]["total"] > 0 for page in pages for item in page["items"])

    by_user = user_playlists(legacy, alice, "alice").json()  # a user token works too; default limit 20
    assert (by_user["total"], len(by_user["items"])) == (125, 20)
    profile = session.get(f"{legacy.api_url}users/alice", timeout=5)
    assert (profile.status_code, profile.json()) == (403, FORBIDDEN)  # Get User's Profile stays removed


def test_legacy_app_still_guards_playlist_items_and_user_endpoints(legacy: FakeSpotify) -> None:
    alice_playlist = legacy.add_public_playlists("alice", 1)[0]
    items_url = f"{legacy.api_url}playlists/{alice_playlist}/items"
    listener = api(login(legacy)["access_token"])  # fake-listener: neither owner nor collaborator
    not_owner = listener.get(items_url, timeout=5)
    assert (not_owner.status_code, not_owner.json()) == (403, FORBIDDEN)

    app_only = api(client_token(legacy))
    needs_user = {"error": {"status": 401, "message": "Valid user authentication required"}}
    for path in ("me", "me/", "me/playlists", "me/top/tracks", "me/player/recently-played"):
        response = app_only.get(legacy.api_url + path, timeout=5)
        assert (response.status_code, response.json()) == (401, needs_user), path
    assert app_only.get(items_url, timeout=5).status_code == 401


def test_legacy_users_playlists_rejects_unknown_users_and_bad_paging(legacy: FakeSpotify) -> None:
    legacy.add_public_playlists("alice", 3)
    session = api(client_token(legacy))
    unknown = user_playlists(legacy, session, "nobody-at-all")
    assert (unknown.status_code, unknown.json()) == (404, {"error": {"status": 404, "message": "Resource not found"}})
    for limit in (51, 0, "x"):
        bad = user_playlists(legacy, session, "alice", limit=limit)
        assert (bad.status_code, bad.json()) == (400, {"error": {"status": 400, "message": "Invalid limit"}}), limit
    assert user_playlists(legacy, session, "alice", offset=-1).status_code == 400
    assert user_playlists(legacy, session, "alice", limit=50).status_code == 200
    beyond = user_playlists(legacy, session, "alice", offset=3).json()
    assert (beyond["items"], beyond["total"], beyond["next"]) == ([], 3, None)

    legacy.login_as("alice")
    create_private_playlist(legacy, api(login(legacy)["access_token"]))  # not counted when numbering
    legacy.add_public_playlists("alice", 1)  # a second call numbers on
    names = [item["name"] for item in user_playlists(legacy, session, "alice").json()["items"]]
    assert names == ["Public Playlist 001", "Public Playlist 002", "Public Playlist 003", "Public Playlist 004"]
    assert legacy.add_public_playlists("fake-listener", 0) == []
    assert user_playlists(legacy, session, "fake-listener").json()["total"] == 0  # known user, nothing public


def test_me_playlists_is_the_same_in_both_modes() -> None:
    def listing(fake: FakeSpotify) -> str:
        fake.add_public_playlists("fake-listener", 3)
        fake.add_public_playlists("bob", 2)
        response = api(login(fake)["access_token"]).get(f"{fake.api_url}me/playlists", params={"limit": 2}, timeout=5)
        assert response.status_code == 200
        return response.text.replace(fake.base_url, "BASE")

    with FakeSpotify() as modern, FakeSpotify(legacy_app=True) as legacy_app:
        modern_text, legacy_text = listing(modern), listing(legacy_app)
    assert legacy_text == modern_text
    page = json.loads(legacy_text)
    assert (page["total"], [item["name"] for item in page["items"]]) == (
        3,
        ["Public Playlist 003", "Public Playlist 002"],
    )
    assert page["next"] == "BASE/v1/me/playlists?offset=2&limit=2"
