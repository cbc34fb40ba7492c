"""`Listen`: one play as a scrobbling service recorded it, on its way to the store.

Scrobbles stamp when a play **started** (Last.fm's `date`/`uts`, ListenBrainz's `listened_at`); Spotify's exports
stamp when it **ended**. Readers give the start as the service said it; the import turns it into the stored end
once (`services.ledger`), with the play's duration when the service knows it.
"""

from __future__ import annotations

from typing import NamedTuple


class Listen(NamedTuple):
    """A NamedTuple, like `models.PlayRow`: a fifteen-year history is a few hundred thousand of them."""

    started_at: str  # UTC, YYYY-MM-DDTHH:MM:SSZ (a fraction of a second is dropped)
    artist_name: str  # cut to models.MAX_NAME, never empty
    track_name: str  # cut to models.MAX_NAME, never empty
    album_name: str | None
    duration_ms: int | None  # the track's length, when the service says (ListenBrainz often; Last.fm never)
    track_uri: str | None  # spotify:track:<22 characters>, when the service names the Spotify track
