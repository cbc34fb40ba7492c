"""tm import: what an import stored, left out and recognised, as a table for people and JSON for programs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.models import MatchRule, SourceKind
from music_time_machine.privacy_export.rows import MALFORMED_RULES, SkipReason
from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.sources import LABELS
from music_time_machine.render.tables import Column, Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.importer import ImportSummary, SourceCounts
    from music_time_machine.services.lastfm_import import LastfmImport
    from music_time_machine.services.ledger import Played
    from music_time_machine.services.users import ImportListener

SPOTIFY_FILES = {SourceKind.EXTENDED, SourceKind.ACCOUNT}
RULES = {
    MatchRule.SAME_SECOND: "same source, names and second",
    MatchRule.SAME_MINUTE: "same names, ending in the same minute",
    MatchRule.NEAR_START: "same names, near starts",
}


def show_import_listener(listener: ImportListener) -> None:
    """Whose plays these become, on stderr, when nobody said (no login, no --user)."""
    if listener.named_by == "local":
        message(
            "Filing these plays under the listener 'local' (the export names no account and nobody is logged in); "
            "use --user ID to choose one."
        )
    elif listener.named_by:
        message(
            f"Filing these plays under {listener.user.id}, the account named in {listener.named_by} "
            "(--user ID chooses another)."
        )


def import_json(summary: ImportSummary) -> JsonObject:
    return {
        "files": summary.files,
        "files_imported": summary.files_imported,
        "files_already_imported": summary.files_already_imported,
        "files_not_history": summary.files_not_history,
        "files_malformed": summary.files_malformed,
        "rows": summary.rows,
        "stored": summary.stored,
        "duplicates": summary.duplicates,
        "first_played_at": summary.first_played_at,
        "last_played_at": summary.last_played_at,
        "problems": summary.problems,
        "dry_run": summary.dry_run,
        "skipped": {reason: summary.skipped[reason] for reason in SkipReason},
        "sources": [
            {
                "kind": kind.value,
                "files": counts.files,
                "rows": counts.rows,
                "stored": counts.stored,
                "recognised": counts.recognised,
            }
            for kind, counts in _in_order(summary)
        ],
        "replaced": summary.ledger.replaced,
        "matched": {rule.value: summary.ledger.rules[rule] for rule in MatchRule},
        "examples": [
            {
                "row": _played_json(example.row),
                "known": _played_json(example.known),
                "rule": example.rule.value,
                "apart_s": example.apart_s,
                "tolerance_s": example.tolerance_s,
                "row_kept": example.row_kept,
            }
            for example in summary.ledger.examples
        ],
    }


def _played_json(played: Played) -> JsonObject:
    return {
        "kind": played.kind,
        "played_at": played.played_at,
        "artist": played.artist_name,
        "track": played.track_name,
    }


def show_import(summary: ImportSummary) -> None:
    title = "Dry run: nothing was stored" if summary.dry_run else "Import"
    table = Table.of(title, Column("", style="bold"), number("count"))
    files = (
        f"{summary.files} ({summary.files_imported} imported, {summary.files_already_imported} already imported, "
        f"{summary.files_not_history} not listening history, {summary.files_malformed} malformed or unreadable)"
    )
    skip_labels = ("too short (< 30 s, not a skip)", "not music (podcasts, audiobooks, video)", "malformed rows")
    rows = [
        ("files", files),
        ("rows read", f"{summary.rows:,}"),
        ("plays stored", f"{summary.stored:,}"),
        ("duplicates skipped", f"{summary.duplicates:,}"),
        *((label, f"{summary.skipped[reason]:,}") for label, reason in zip(skip_labels, SkipReason, strict=True)),
        ("date range", f"{summary.first_played_at or 'none'} … {summary.last_played_at or 'none'}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    show(table)
    if not set(summary.sources) <= SPOTIFY_FILES or summary.ledger.replaced:
        _show_by_source(summary)
    if summary.skipped[SkipReason.MALFORMED]:
        message(f"note: {MALFORMED_RULES}.")
    show_import_problems(summary)


def _show_by_source(summary: ImportSummary) -> None:
    table = Table.of("By source", "Source", number("Files"), number("Rows"), number("Stored"), number("Recognised"))
    for kind, counts in _in_order(summary):
        table.add_row(
            LABELS[kind], *(f"{count:,}" for count in (counts.files, counts.rows, counts.stored, counts.recognised))
        )
    show(table)
    if summary.ledger.replaced:
        message(f"{summary.ledger.replaced:,} plays stored before from poorer sources gave way to richer rows.")


def show_matches(summary: ImportSummary) -> None:
    """--explain: how rows met plays of other sources, by rule, with the first examples."""
    rules = ", ".join(f"{RULES[rule]}: {summary.ledger.rules[rule]:,}" for rule in MatchRule)
    message(f"Rows matched to plays of other sources by rule: {rules}.")
    if not summary.ledger.examples:
        return
    table = Table.of("Matched (the first of them)", "Row", "Known play", "Why", "Outcome")
    for example in summary.ledger.examples:
        why = RULES[example.rule]
        if example.rule is MatchRule.NEAR_START:
            why = f"starts {example.apart_s} s apart (within {example.tolerance_s} s)"
        outcome = "row replaced it" if example.row_kept else "row recognised"
        table.add_row(_played(example.row), _played(example.known), why, outcome)
    show(table)


def _played(played: Played) -> str:
    return f"{LABELS[SourceKind(played.kind)]}, {played.played_at}: {played.artist_name} - {played.track_name}"


def _in_order(summary: ImportSummary) -> list[tuple[SourceKind, SourceCounts]]:
    return sorted(summary.sources.items(), key=lambda pair: list(SourceKind).index(pair[0]))


def show_import_problems(summary: ImportSummary) -> None:
    for problem in summary.problems:
        message(f"warning: {problem}")


def lastfm_import_json(result: LastfmImport) -> JsonObject:
    return {
        "lastfm_user": result.lastfm_user,
        "resumed_after": result.resumed_after,
        "pages": result.pages,
        "rows": result.rows,
        "stored": result.stored,
        "recognised": result.recognised,
        "malformed": result.malformed,
        "first_started_at": result.first_started_at,
        "last_started_at": result.last_started_at,
        "replaced": result.ledger.replaced,
        "matched": {rule.value: result.ledger.rules[rule] for rule in MatchRule},
    }


def show_lastfm_import(result: LastfmImport) -> None:
    if result.resumed_after:
        message(f"Continued after {result.resumed_after}, the newest scrobble the last run stored.")
    table = Table.of(f"Last.fm: {result.lastfm_user}", Column("", style="bold"), number("count"))
    span = f"{result.first_started_at or 'none'} … {result.last_started_at or 'none'}"
    rows = [
        ("pages read", f"{result.pages:,}"),
        ("scrobbles read", f"{result.rows:,}"),
        ("plays stored", f"{result.stored:,}"),
        ("recognised (already known)", f"{result.recognised:,}"),
        ("malformed", f"{result.malformed:,}"),
        ("started", span),
    ]
    for label, value in rows:
        table.add_row(label, value)
    show(table)
    if result.ledger.replaced:
        message(f"{result.ledger.replaced:,} plays stored before from poorer sources gave way to these scrobbles.")
