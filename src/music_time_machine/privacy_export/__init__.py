"""Spotify's privacy export: finding its files, streaming their rows, and turning rows into plays."""
