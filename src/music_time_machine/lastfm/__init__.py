"""Last.fm's API: the only package that talks HTTP to Last.fm (user.getRecentTracks, for tm import-lastfm)."""
