"""tm, the Music Time Machine: a memory for your Spotify listening."""

__version__ = "0.1.0"
