"""Import Spotify's privacy export: file by file, each file all or nothing, the same file never twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from music_time_machine.models import PlayRow, SourceKind, User, latest_play, utc_iso
from music_time_machine.privacy_export.files import ExportFile, UnreadableFile
from music_time_machine.privacy_export.jsonstream import MalformedJson, iter_json_array
from music_time_machine.privacy_export.rows import CONVERTERS, Format, SkipReason, detect_format
from music_time_machine.services.ledger import LedgerCounts, has_scrobbles, make_way
from music_time_machine.services.sync import NEAR_SECONDS
from music_time_machine.store import Store

BATCH = 20_000  # plays per write: about one export file, so each track's month is summed once a file
BATCH_CHARACTERS = 1 << 24  # and at most the plays of 16 M characters of JSON (20,000 plays are ~14 M): names are
# held until their batch is written, and 20,000 rows near MAX_ELEMENT would be 1.3 G characters
# Richer formats first, so that when the account data repeats a play, the row with URI and seconds is kept.
FORMAT_ORDER = [Format.EXTENDED, Format.VIDEO, Format.ACCOUNT, Format.ACCOUNT_PODCAST]
MAX_PROBLEMS = 20
Progress = Callable[[int], None]


class FileChanged(ValueError):
    """The bytes parsed are not the bytes first hashed: something wrote to the file while tm read it."""


@dataclass
class ImportSummary:
    files: int = 0
    files_imported: int = 0
    files_already_imported: int = 0
    files_not_history: int = 0
    files_malformed: int = 0
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)
    first_played_at: str | None = None
    last_played_at: str | None = None
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False
    ledger: LedgerCounts = field(default_factory=LedgerCounts)  # what met plays of other sources

    def note(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


@dataclass
class _FileResult:
    kind: SourceKind
    ledger: LedgerCounts | None  # when the listener has scrobbles, which Spotify's rows may replace
    rows: int = 0
    stored: int = 0
    counted: int = 0  # plays stored or found to be duplicates
    skipped: Counter[SkipReason] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None
    sha256: str = ""  # of the bytes parsed

    def flush(self, store: Store, batch: list[PlayRow]) -> None:
        if not batch:
            return
        self.counted += len(batch)
        if self.ledger is not None:
            make_way(store, batch[0].user_id, batch, self.kind, self.ledger)
        self.stored += store.plays.insert(batch)
        ends = [play.played_at for play in batch]
        self.first = min(ends) if self.first is None else min(self.first, *ends)
        self.last = max(ends) if self.last is None else max(self.last, *ends)


def _plan(files: list[ExportFile], summary: ImportSummary) -> list[tuple[ExportFile, Format]]:
    """Each file's format, judged by its first object; history files in FORMAT_ORDER."""
    planned = []
    for export_file in files:
        try:
            with export_file.text() as text:
                first = next((row for row in iter_json_array(text) if isinstance(row, dict)), None)
        except UnreadableFile as error:
            _failed(summary, export_file, error)
            continue
        except (MalformedJson, UnicodeDecodeError):
            first = None
        found = detect_format(first, export_file.name) if first is not None else None
        if found is None:
            summary.files_not_history += 1
        else:
            planned.append((export_file, found))
    return sorted(planned, key=lambda pair: FORMAT_ORDER.index(pair[1]))


def _read_file(
    store: Store,
    export_file: ExportFile,
    file_format: Format,
    user: User,
    source_id: int,
    on_progress: Progress,
    latest: str,
    result: _FileResult,
) -> None:
    convert, user_id = CONVERTERS[file_format], user.id  # locals: this loop runs once per row
    batch: list[PlayRow] = []
    read, due = 0, BATCH_CHARACTERS  # characters read so far, and how many make the batch due

    def advance(size: int) -> None:
        nonlocal read
        read += size
        on_progress(size)

    with export_file.hashed_text() as (text, parsed_sha256):
        for row in iter_json_array(text, advance):
            result.rows += 1
            play = convert(row, user_id, source_id, latest)
            if isinstance(play, SkipReason):
                result.skipped[play] += 1
                continue
            batch.append(play)
            if len(batch) >= BATCH or read >= due:
                result.flush(store, batch)
                batch, due = [], read + BATCH_CHARACTERS
        result.sha256 = parsed_sha256()
    result.flush(store, batch)


def _failed(summary: ImportSummary, export_file: ExportFile, error: Exception) -> None:
    summary.files_malformed += 1
    summary.note(f"{export_file.name}: {error}; nothing from this file was imported.")


def _import_file(
    store: Store,
    export_file: ExportFile,
    file_format: Format,
    user: User,
    now: datetime,
    summary: ImportSummary,
    on_progress: Progress,
) -> None:
    try:
        digest = export_file.sha256()  # a first pass, so that a file imported before is not parsed again
        if store.plays.has_source(user.id, digest):
            summary.files_already_imported += 1
            on_progress(export_file.size)
            return
        with store.transaction():  # one file: all or nothing (a savepoint inside a dry run)
            kind = (
                SourceKind.ACCOUNT if file_format in (Format.ACCOUNT, Format.ACCOUNT_PODCAST) else SourceKind.EXTENDED
            )
            source_id = store.plays.add_source(user.id, kind, export_file.name, digest, utc_iso(now))
            result = _FileResult(kind, summary.ledger if has_scrobbles(store, user.id) else None)
            _read_file(store, export_file, file_format, user, source_id, on_progress, latest_play(now), result)
            if result.sha256 != digest:
                raise FileChanged("it changed while tm read it (run tm import again when nothing writes to it)")
            store.plays.add_source_counts(source_id, result.rows, result.stored, result.counted - result.stored)
    except (MalformedJson, UnicodeDecodeError, FileChanged) as error:
        _failed(summary, export_file, error)
        return
    summary.files_imported += 1
    summary.rows += result.rows
    summary.stored += result.stored
    summary.duplicates += result.counted - result.stored
    summary.skipped.update(result.skipped)
    ends = [end for end in (summary.first_played_at, summary.last_played_at, result.first, result.last) if end]
    if ends:
        summary.first_played_at, summary.last_played_at = min(ends), max(ends)


def import_history(
    store: Store,
    user: User,
    files: list[ExportFile],
    now: datetime,
    *,
    dry_run: bool = False,
    on_progress: Progress = lambda size: None,
) -> ImportSummary:
    """Import every history file among `files` for `user`. Other JSON files of the export are counted and left."""
    summary = ImportSummary(files=len(files), dry_run=dry_run)
    plan = _plan(files, summary)
    with store.transaction(keep=not dry_run) if dry_run else nullcontext():  # a dry run sees its own rows
        store.users.upsert(user, utc_iso(now))
        synced_before = store.plays.count_synced(user.id)
        for export_file, file_format in plan:
            _import_file(store, export_file, file_format, user, now, summary, on_progress)
        store.plays.drop_synced_near_imported(user.id, NEAR_SECONDS)
        replaced = synced_before - store.plays.count_synced(user.id)  # synced plays the import brought in richer
        if replaced:
            store.plays.add_source_counts(store.plays.sync_source(user.id, utc_iso(now)), 0, 0, replaced)
    summary.stored -= replaced
    summary.duplicates += replaced
    return summary
