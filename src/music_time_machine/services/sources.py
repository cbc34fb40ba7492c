"""tm sources: where the listener's plays came from, and what the dedupe made of each source's rows."""

from __future__ import annotations

from dataclasses import dataclass

from music_time_machine.models import SourceKind
from music_time_machine.store import Store


@dataclass(frozen=True)
class SourceSummary:
    kind: SourceKind
    stamped: str  # what the source's times meant: "end" (Spotify) or "start" (scrobbles)
    imports: int  # files imported, or one for the sync and for each Last.fm user
    rows_read: int
    kept: int  # plays stored from it now (richer rows of other sources may have taken some places since)
    recognised: int  # rows that were a play already known: from a richer source, or seen before
    first_played_at: str | None  # of the plays kept
    last_played_at: str | None
    last_imported_at: str


@dataclass(frozen=True)
class Sources:
    user_id: str
    plays: int
    sources: list[SourceSummary]


def listening_sources(store: Store, user_id: str) -> Sources:
    """Each kind of source the listener has, in SourceKind's order (Spotify's first)."""
    kept = {totals.kind: totals for totals in store.ledger.kept_totals(user_id)}
    summaries = []
    for totals in store.ledger.source_totals(user_id):
        plays = kept.get(totals.kind)
        summaries.append(
            SourceSummary(
                kind=SourceKind(totals.kind),
                stamped=totals.stamped,
                imports=totals.imports,
                rows_read=totals.rows_read,
                kept=plays.kept if plays else 0,
                recognised=totals.recognised,
                first_played_at=plays.first_played_at if plays else None,
                last_played_at=plays.last_played_at if plays else None,
                last_imported_at=totals.last_imported_at,
            )
        )
    order = list(SourceKind)
    summaries.sort(key=lambda summary: order.index(summary.kind))
    return Sources(user_id, sum(summary.kept for summary in summaries), summaries)
