"""The ledger: a batch of plays meets the stored plays near it under the dedupe rules (`services.matching`)
before it is stored, so that a play two sources saw is counted once, as the richer source has it.

- Scrobbles (`store_scrobbles`): each is stored at its start plus its length (the track's, when the service gives
  one, else DEFAULT_LENGTH_MS), with that length as its ms played; one that is a known play at least as rich is
  recognised, not stored; one that is richer than known plays takes their place.
- Spotify's rows (`make_way`, before the store's insert): the scrobbles they are the same play as give way.
Batches are judged a day of starts at a time (GROUP_SPAN_MS), each against one read of the plays that ended near
that day, so that memory stays bounded by a day of plays whatever the batch spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from music_time_machine.models import MatchRule, PlayRow, SourceKind, utc_iso
from music_time_machine.scrobbles.listen import Listen
from music_time_machine.services.matching import MAX_TOLERANCE_MS, RANKS, Decisions, Match, Seen, decide, seen
from music_time_machine.store import Store
from music_time_machine.store.play_ledger import KnownPlay

DEFAULT_LENGTH_MS = 210_000  # a scrobble without a length counts as a typical song's 3:30
LONGEST_MATCHED_MS = 7_200_000  # plays up to two hours long are read as candidates by their start
GROUP_SPAN_MS = 86_400_000
MAX_EXAMPLES = 20  # matches kept per import for `--explain`
SCROBBLE_KINDS = (SourceKind.LISTENBRAINZ, SourceKind.LASTFM, SourceKind.LASTFM_CSV)


class Played(NamedTuple):
    """One side of a match as `--explain` shows it."""

    played_at: str
    artist_name: str
    track_name: str
    kind: str


class Example(NamedTuple):
    row: Played  # the incoming row
    known: Played  # the stored play it met
    rule: MatchRule
    apart_s: int
    tolerance_s: int
    row_kept: bool  # the incoming row took the known play's place (else it was recognised as it)


@dataclass
class LedgerCounts:
    """What an import's rows met among the plays of other sources."""

    replaced: int = 0  # known plays that gave way to richer incoming rows
    rules: Counter[MatchRule] = field(default_factory=Counter)
    examples: list[Example] = field(default_factory=list)


def has_scrobbles(store: Store, user_id: str) -> bool:
    """Has the listener plays from a scrobbling service (which Spotify's rows may have to replace)?"""
    return not store.ledger.kinds(user_id).isdisjoint(SCROBBLE_KINDS)


def epoch_ms(stored: str) -> int:
    """A stored time (YYYY-MM-DDTHH:MM:SSZ) as epoch milliseconds."""
    return int(datetime.fromisoformat(stored).timestamp()) * 1000


def _stored(ms: int) -> str:
    return utc_iso(datetime.fromtimestamp(ms // 1000, UTC))


def listen_play(listen: Listen, user_id: str, source_id: int) -> PlayRow:
    """A scrobble as a stored play: it ends its length after it started."""
    length = listen.duration_ms or DEFAULT_LENGTH_MS
    played_at = _stored(epoch_ms(listen.started_at) + length)
    return PlayRow(
        user_id,
        played_at,
        listen.track_uri,
        listen.track_name,
        listen.artist_name,
        listen.album_name,
        length,
        None,
        None,
        None,
        None,
        None,
        source_id,
    )


def _seen(ref: int, play: PlayRow | KnownPlay, rank: int, start: int | None = None) -> Seen:
    """`start`: the play's start in epoch ms, when known (else read from its end)."""
    start = epoch_ms(play.played_at) - play.ms_played if start is None else start
    return seen(ref, play.played_at, start, play.ms_played, play.artist_name, play.track_name, rank, play.source_id)


class _Timed(NamedTuple):
    start_ms: int
    end_ms: int
    ref: int  # the play's place in its batch


def _days(plays: list[PlayRow]) -> Iterator[list[_Timed]]:
    """The batch's plays by start, a day of starts at a time."""
    timed = []
    for ref, play in enumerate(plays):
        end = epoch_ms(play.played_at)
        timed.append(_Timed(end - play.ms_played, end, ref))
    group: list[_Timed] = []
    for row in sorted(timed):
        if group and row.start_ms - group[0].start_ms > GROUP_SPAN_MS:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _judge(
    store: Store, user_id: str, plays: list[PlayRow], kind: SourceKind, known_kinds: Sequence[SourceKind]
) -> tuple[Decisions, dict[int, KnownPlay]]:
    """The rules' decisions for `plays` against the stored plays of `known_kinds` near them. A day with none near
    costs one indexed read: its plays are not even keyed."""
    rank = RANKS[kind]
    decisions = Decisions([], [])
    known_by_id: dict[int, KnownPlay] = {}
    for day in _days(plays):
        first = day[0].start_ms - MAX_TOLERANCE_MS
        last = max(day[-1].start_ms + MAX_TOLERANCE_MS + LONGEST_MATCHED_MS, max(row.end_ms for row in day) + 60_000)
        known = store.ledger.known_between(user_id, _stored(first), _stored(last), known_kinds)
        if not known:
            continue
        known_by_id.update((play.id, play) for play in known)
        incoming = [_seen(row.ref, plays[row.ref], rank, row.start_ms) for row in day]
        found = decide(incoming, (_seen(play.id, play, RANKS[SourceKind(play.kind)]) for play in known))
        decisions.recognised.extend(found.recognised)
        decisions.replaced.extend(found.replaced)
    return decisions, known_by_id


def _note(
    counts: LedgerCounts, matches: list[Match], plays: list[PlayRow], known: dict[int, KnownPlay], kind: str, kept: bool
) -> None:
    counts.rules.update(match.rule for match in matches)
    for match in matches[: max(0, MAX_EXAMPLES - len(counts.examples))]:
        row, other = plays[match.incoming], known[match.known]
        counts.examples.append(
            Example(
                Played(row.played_at, row.artist_name, row.track_name, kind),
                Played(other.played_at, other.artist_name, other.track_name, other.kind),
                match.rule,
                match.apart_ms // 1000,
                match.tolerance_ms // 1000,
                kept,
            )
        )


def _give_way(store: Store, user_id: str, decisions: Decisions) -> int:
    """Remove the known plays richer rows replace; their sources count them as recognised."""
    lost = store.ledger.remove(user_id, {match.known for match in decisions.replaced})
    store.ledger.add_recognised(lost)
    return sum(lost.values())


def store_scrobbles(store: Store, user_id: str, kind: SourceKind, plays: list[PlayRow], counts: LedgerCounts) -> int:
    """Store the scrobbles (`listen_play`s) that are new plays, in place of poorer copies; count the rest as
    recognised. Returns how many were stored."""
    decisions, known = _judge(store, user_id, plays, kind, tuple(SourceKind))
    _note(counts, decisions.recognised, plays, known, kind, kept=False)
    _note(counts, decisions.replaced, plays, known, kind, kept=True)
    counts.replaced += _give_way(store, user_id, decisions)
    recognised = {match.incoming for match in decisions.recognised}
    return store.plays.insert([play for ref, play in enumerate(plays) if ref not in recognised], replace_synced=False)


def make_way(store: Store, user_id: str, plays: list[PlayRow], kind: SourceKind, counts: LedgerCounts) -> None:
    """Before Spotify's rows are stored: remove the scrobbles that are the same plays."""
    decisions, known = _judge(store, user_id, plays, kind, SCROBBLE_KINDS)
    _note(counts, decisions.replaced, plays, known, kind, kept=True)
    counts.replaced += _give_way(store, user_id, decisions)
