"""Test doubles for the Spotify Web API: a deterministic catalogue and a local fake server."""
