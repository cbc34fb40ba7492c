"""Everything that talks to Spotify. The only package that imports spotipy (and only when used)."""
