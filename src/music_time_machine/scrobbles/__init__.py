"""Listening histories kept outside Spotify: ListenBrainz exports, Last.fm CSV exports and Last.fm's API."""
