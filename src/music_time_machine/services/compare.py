"""Compare two months' charts: which tracks, artists and albums are new, gone, or stayed (and how they moved)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from music_time_machine.models import Track
from music_time_machine.services.evolution import album_keys, artist_keys, track_keys


@dataclass(frozen=True)
class Moved:
    key: str
    name: str
    rank_a: int | None  # best (lowest) rank in A; None: not there
    rank_b: int | None

    @property
    def change(self) -> int | None:
        """Positive: climbed from A to B."""
        return None if self.rank_a is None or self.rank_b is None else self.rank_a - self.rank_b


@dataclass(frozen=True)
class Difference:
    new: list[Moved]
    gone: list[Moved]
    stayed: list[Moved]


def _best_ranks(
    tracks: list[Track], keys_of: Callable[[Track], Iterable[tuple[str, str]]]
) -> dict[str, tuple[int, str]]:
    ranks: dict[str, tuple[int, str]] = {}
    for rank, track in enumerate(tracks, start=1):
        for key, name in keys_of(track):
            ranks.setdefault(key, (rank, name))
    return ranks


def difference(a: list[Track], b: list[Track], keys_of: Callable[[Track], Iterable[tuple[str, str]]]) -> Difference:
    ranks_a, ranks_b = _best_ranks(a, keys_of), _best_ranks(b, keys_of)

    def moved(key: str) -> Moved:
        rank_a, name_a = ranks_a.get(key, (None, None))
        rank_b, name_b = ranks_b.get(key, (None, None))
        return Moved(key, name_b or name_a or key, rank_a, rank_b)

    # In chart order (the dicts keep it): ties, such as two artists of one track, keep their credited order.
    return Difference(
        new=[moved(key) for key in ranks_b if key not in ranks_a],
        gone=[moved(key) for key in ranks_a if key not in ranks_b],
        stayed=[moved(key) for key in ranks_b if key in ranks_a],
    )


def compare(a: list[Track], b: list[Track]) -> dict[str, Difference]:
    return {
        "tracks": difference(a, b, track_keys),
        "artists": difference(a, b, artist_keys),
        "albums": difference(a, b, album_keys),
    }
