"""Import Spotify's privacy export: file by file, each file all or nothing, the same file never twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO, TypeAlias

from music_time_machine.models import PlayRow, SourceKind, User, latest_play, utc_iso
from music_time_machine.privacy_export.files import ExportFile, UnreadableFile
from music_time_machine.privacy_export.jsonstream import MalformedJson, iter_json_array
from music_time_machine.privacy_export.rows import CONVERTERS, Format, SkipReason, detect_format
from music_time_machine.scrobbles.files import ScrobbleFormat, detect_scrobbles, read_scrobbles
from music_time_machine.services.ledger import (
    SCROBBLE_KINDS,
    LedgerCounts,
    has_scrobbles,
    listen_play,
    make_way,
    store_scrobbles,
)
from music_time_machine.services.sync import NEAR_SECONDS
from music_time_machine.store import Store

BATCH = 20_000  # plays per write: about one export file, so each track's month is summed once a file
BATCH_CHARACTERS = 1 << 24  # and at most the plays of 16 M characters of JSON (20,000 plays are ~14 M): names are
# held until their batch is written, and 20,000 rows near MAX_ELEMENT would be 1.3 G characters
FileFormat: TypeAlias = Format | ScrobbleFormat
# Richer formats first, so that when the account data repeats a play, the row with URI and seconds is kept (and
# scrobbles meet Spotify's rows rather than make way for them, which costs more).
FORMAT_ORDER: list[FileFormat] = [Format.EXTENDED, Format.VIDEO, Format.ACCOUNT, Format.ACCOUNT_PODCAST]
FORMAT_ORDER += [ScrobbleFormat.LISTENBRAINZ, ScrobbleFormat.LASTFM_CSV]
KINDS: dict[FileFormat, SourceKind] = {
    Format.EXTENDED: SourceKind.EXTENDED,
    Format.VIDEO: SourceKind.EXTENDED,
    Format.ACCOUNT: SourceKind.ACCOUNT,
    Format.ACCOUNT_PODCAST: SourceKind.ACCOUNT,
    ScrobbleFormat.LISTENBRAINZ: SourceKind.LISTENBRAINZ,
    ScrobbleFormat.LASTFM_CSV: SourceKind.LASTFM_CSV,
}
MAX_PROBLEMS = 20
Progress = Callable[[int], None]


class FileChanged(ValueError):
    """The bytes parsed are not the bytes first hashed: something wrote to the file while tm read it."""


@dataclass
class SourceCounts:
    """One kind of source in an import: its files and what became of their rows."""

    files: int = 0
    rows: int = 0
    stored: int = 0  # rows stored (some in place of a poorer copy of the play)
    recognised: int = 0  # rows that were plays already known


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
    sources: dict[SourceKind, SourceCounts] = field(default_factory=dict)

    def note(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


@dataclass
class _FileResult:
    kind: SourceKind
    ledger: LedgerCounts
    meets_scrobbles: bool  # Spotify's rows, when the listener has scrobbles they may replace
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
        user_id = batch[0].user_id
        if self.kind in SCROBBLE_KINDS:
            self.stored += store_scrobbles(store, user_id, self.kind, batch, self.ledger)
        else:
            if self.meets_scrobbles:
                make_way(store, user_id, batch, self.kind, self.ledger)
            self.stored += store.plays.insert(batch)
        ends = [play.played_at for play in batch]
        self.first = min(ends) if self.first is None else min(self.first, *ends)
        self.last = max(ends) if self.last is None else max(self.last, *ends)


def _plan(files: list[ExportFile], summary: ImportSummary) -> list[tuple[ExportFile, FileFormat]]:
    """Each file's format, judged by its content (Spotify's files by their first object); history files in
    FORMAT_ORDER."""
    planned = []
    for export_file in files:
        try:
            found = _format_of(export_file)
        except UnreadableFile as error:
            _failed(summary, export_file, error)
            continue
        if found is None:
            summary.files_not_history += 1
        else:
            planned.append((export_file, found))
    return sorted(planned, key=lambda pair: FORMAT_ORDER.index(pair[1]))


def _format_of(export_file: ExportFile) -> FileFormat | None:
    scrobbles = detect_scrobbles(export_file)
    if scrobbles is not None:
        return scrobbles
    try:
        with export_file.text() as text:
            first = next((row for row in iter_json_array(text) if isinstance(row, dict)), None)
    except (MalformedJson, UnicodeDecodeError) as error:
        if isinstance(error, UnreadableFile):
            raise
        return None
    return detect_format(first, export_file.name) if first is not None else None


def _rows(
    text: TextIO, file_format: FileFormat, user_id: str, source_id: int, latest: str, advance: Progress
) -> Iterator[PlayRow | SkipReason]:
    """The file's rows as plays (a scrobble stored at its start plus its length), or why each is left out."""
    if isinstance(file_format, ScrobbleFormat):
        for listen in read_scrobbles(text, file_format, latest, advance):
            yield listen if isinstance(listen, SkipReason) else listen_play(listen, user_id, source_id)
        return
    convert = CONVERTERS[file_format]
    for row in iter_json_array(text, advance):
        yield convert(row, user_id, source_id, latest)


def _read_file(
    store: Store,
    export_file: ExportFile,
    file_format: FileFormat,
    user: User,
    source_id: int,
    on_progress: Progress,
    latest: str,
    result: _FileResult,
) -> None:
    batch: list[PlayRow] = []
    read, due = 0, BATCH_CHARACTERS  # characters read so far, and how many make the batch due

    def advance(size: int) -> None:
        nonlocal read
        read += size
        on_progress(size)

    with export_file.hashed_text() as (text, parsed_sha256):
        for play in _rows(text, file_format, user.id, source_id, latest, advance):
            result.rows += 1
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
    file_format: FileFormat,
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
            kind = KINDS[file_format]
            source_id = store.plays.add_source(user.id, kind, export_file.name, digest, utc_iso(now))
            result = _FileResult(kind, summary.ledger, has_scrobbles(store, user.id))
            _read_file(store, export_file, file_format, user, source_id, on_progress, latest_play(now), result)
            if result.sha256 != digest:
                raise FileChanged("it changed while tm read it (run tm import again when nothing writes to it)")
            store.plays.add_source_counts(source_id, result.rows, result.stored, result.counted - result.stored)
    except (MalformedJson, UnicodeDecodeError, FileChanged) as error:
        _failed(summary, export_file, error)
        return
    summary.files_imported += 1
    counts = summary.sources.setdefault(result.kind, SourceCounts())
    counts.files, counts.rows, counts.stored = (
        counts.files + 1,
        counts.rows + result.rows,
        counts.stored + result.stored,
    )
    counts.recognised += result.counted - result.stored
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
    known = replaced + summary.ledger.replaced  # plays stored before that richer rows of this import replaced
    summary.stored -= known
    summary.duplicates += known
    return summary
