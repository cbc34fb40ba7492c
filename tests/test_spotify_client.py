"""SpotifyClient against the fake: large playlist writes in chunks of 100, `item`/`track` entries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from music_time_machine.config import load_settings
from music_time_machine.spotify.client import SpotifyClient
from music_time_machine.spotify.parse import playlist_entry_uri

from conftest import Tm


def _client(tm: Tm) -> SpotifyClient:
    settings = load_settings(tm.env, Path.cwd())
    return SpotifyClient(settings, tm.tokens, wait=lambda seconds, reason: None, clock=lambda: datetime.now(UTC))


def test_replacing_250_items_is_one_put_and_two_posts_in_order(logged_in: Tm) -> None:
    client = _client(logged_in)
    uris = [str(track["uri"]) for track in logged_in.fake.catalog.tracks[:250]]
    playlist = client.create_playlist("Big", "test", public=False)
    logged_in.fake.clear_requests()

    client.replace_playlist_items(playlist.id, uris)

    assert logged_in.fake.count("PUT", f"/v1/playlists/{playlist.id}/items") == 1
    assert logged_in.fake.count("POST", f"/v1/playlists/{playlist.id}/items") == 2
    assert logged_in.fake.playlists[playlist.id].uris == uris
    assert client.playlist_uris(playlist.id) == uris  # read back across 5 pages of 50


def test_playlist_entries_read_item_first_and_fall_back_to_track() -> None:
    assert playlist_entry_uri({"item": {"uri": "spotify:track:a"}, "track": {"uri": "spotify:track:b"}}) == (
        "spotify:track:a"
    )
    assert playlist_entry_uri({"track": {"uri": "spotify:track:b"}}) == "spotify:track:b"
    assert playlist_entry_uri({"item": None}) is None
