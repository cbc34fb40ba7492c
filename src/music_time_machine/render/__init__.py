"""Output: tables for people, stable JSON for programs. Data to stdout; messages, waits and progress to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.render.tables import Column, Styled, Table, number, show

if TYPE_CHECKING:  # only annotations: importing every service here would slow down every command's start
    from rich.console import Console

    from music_time_machine.models import Gem, Snapshot, TimeRange, Track
    from music_time_machine.services.db_copy import CopyReport
    from music_time_machine.services.doctor import Check
    from music_time_machine.services.gems import ChartGem, HistoryGem
    from music_time_machine.services.history import MonthHistory, PlayStats
    from music_time_machine.services.importer import ImportSummary
    from music_time_machine.services.on_this_day import DayBack
    from music_time_machine.services.playlists import PlaylistSync
    from music_time_machine.services.rank_vs_plays import RankVsPlays
    from music_time_machine.services.snapshot import SnapshotResult
    from music_time_machine.services.sync import SyncResult

# rich is imported only when a countdown or progress bar is drawn, on stderr; tables are render/tables.py.


@cache
def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def message(text: str) -> None:
    """A line for people, on stderr (plain text: Spotify names are never read as markup)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# JSON shapes (documented in README; keep them stable) -------------------------------------------------


def top_json(tracks: list[Track]) -> list[dict]:
    return [{"rank": rank, **track.summary()} for rank, track in enumerate(tracks, start=1)]


def _chart_rows(snapshots: Iterable[Snapshot]) -> list[dict]:
    return [
        {"taken_at": snapshot.taken_at, "time_range": snapshot.time_range.value, "rank": rank, **track.summary()}
        for snapshot in snapshots
        for rank, track in enumerate(snapshot.tracks, start=1)
    ]


def play_stats_json(stats: PlayStats) -> dict:
    return {
        "plays": stats.plays,
        "skips": stats.skips,
        "minutes": round(stats.minutes, 1),
        "top_tracks": [{"rank": rank, **count.summary()} for rank, count in enumerate(stats.top_tracks, start=1)],
        "top_artists": [
            {"rank": rank, "artist": a.artist, "plays": a.plays, "minutes": round(a.minutes, 1)}
            for rank, a in enumerate(stats.top_artists, start=1)
        ],
    }


def history_json(history: MonthHistory) -> dict:
    return {
        "month": str(history.month),
        "charts": _chart_rows(history.snapshots),
        "plays": play_stats_json(history.plays),
    }


def gems_json(gems: list[Gem]) -> list[dict]:
    return [{**gem.track.summary(), "long_term_rank": gem.long_term_rank} for gem in gems]


def history_gems_json(gems: list[HistoryGem]) -> list[dict]:
    return [{**gem.count.summary(), "reason": gem.reason} for gem in gems]


def chart_gems_json(gems: list[ChartGem]) -> list[dict]:
    return [
        {**gem.track.summary(), "snapshots": gem.snapshots, "best_rank": gem.best_rank,
         "absent_since": str(gem.absent_since) if gem.absent_since else None, "reason": gem.reason}
        for gem in gems
    ]  # fmt: skip


def snapshot_json(result: SnapshotResult) -> dict:
    return {
        "user": result.user.id,
        "taken_at": result.taken_at,
        "ranges": {time_range.value: count for time_range, count in result.counts.items()},
        "created": result.created,
    }


# tables -----------------------------------------------------------------------------------------------


def _track_table(title: str, rows: Iterable[tuple[str, Track]], rank_header: str = "#") -> Table:
    table = Table.of(title, Column(rank_header, right=True, style="dim"), Column("Track", style="bold"), "Artists",
                     Column("Album", style="dim"))  # fmt: skip
    for rank, track in rows:
        table.add_row(rank, track.name, ", ".join(track.artist_names), track.album_name)
    return table


def top_table(time_range: TimeRange, tracks: list[Track]) -> None:
    title = f"Your top tracks, {time_range.label} ({time_range.value})"
    show(_track_table(title, ((str(rank), track) for rank, track in enumerate(tracks, start=1))))


def history_tables(history: MonthHistory) -> None:
    blocks: list = []
    for snapshot in history.snapshots:
        title = f"{snapshot.time_range.label} ({snapshot.time_range.value}) as of {snapshot.taken_at}"
        blocks.append(_track_table(title, ((str(rank), t) for rank, t in enumerate(snapshot.tracks, start=1))))
    if history.plays.plays or history.plays.skips:
        blocks += _play_blocks(f"What you played in {history.month}", history.plays)
    show(*blocks)


def _play_blocks(title: str, stats: PlayStats) -> list:
    """A line of totals over the most-played tracks and artists, side by side."""
    tracks = Table.of("Most played tracks", number("#"), "Track", "Artist", number("Plays"))
    for rank, count in enumerate(stats.top_tracks, start=1):
        tracks.add_row(rank, count.name, count.artist, count.plays)
    artists = Table.of("Most played artists", number("#"), "Artist", number("Plays"),
                       number("Minutes"))  # fmt: skip
    for rank, artist in enumerate(stats.top_artists, start=1):
        artists.add_row(rank, artist.artist, artist.plays, f"{artist.minutes:.0f}")
    totals = f"{title}: {stats.plays:,} plays, {stats.skips:,} skips, {stats.minutes:,.0f} minutes"
    return [Styled(totals, "bold"), (tracks, artists)]


def no_history(history: MonthHistory) -> None:
    nearest = [str(m) for m in (history.nearest_before, history.nearest_after) if m]
    hint = f" Nearest months with data: {', '.join(nearest)}." if nearest else " Run `tm snapshot` to start."
    message(f"No snapshots or plays in {history.month}.{hint}")


def gems_table(gems: list[Gem]) -> None:
    title = "Forgotten gems: in your long-term chart, missing from the last 4 weeks"
    show(_track_table(title, ((str(gem.long_term_rank), gem.track) for gem in gems), "Long #"))


def reasoned_gems_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Gems with the reason each one is here: (track, artists, why)."""
    table = Table.of(title, Column("#", right=True, style="dim"), Column("Track", style="bold"), "Artist", "Why")
    for rank, (track, artists, why) in enumerate(rows, start=1):
        table.add_row(rank, track, artists, why)
    show(table)


def snapshot_summary(result: SnapshotResult) -> None:
    counts = ", ".join(f"{time_range.short_name} {count}" for time_range, count in result.counts.items())
    if result.raced:
        message(
            f"Another tm run stored today's snapshot while this one was fetching ({result.taken_at}); "
            "kept that one, nothing changed."
        )
    elif result.created:
        message(f"Snapshot for {result.user.label} taken at {result.taken_at}: {counts} tracks.")
    else:
        message(
            f"Today's snapshot already exists ({result.taken_at}: {counts} tracks); nothing changed. "
            "Use --force to replace it."
        )


def playlist_diff(sync: PlaylistSync, names: dict[str, str]) -> None:
    for uri in sync.added:
        message(f"  + {names.get(uri, uri)}")
    for uri in sync.removed:
        message(f"  - {names.get(uri, uri)}")
    change = f"+{len(sync.added)} / -{len(sync.removed)}"
    if sync.dry_run:
        action = "would update" if sync.playlist_id else "would create"
        message(f"Dry run: {action} playlist {sync.name!r} ({sync.track_count} tracks, {change}); nothing written.")
    elif sync.created:
        message(f"Created playlist {sync.name!r} ({sync.track_count} tracks), id {sync.playlist_id}.")
    elif sync.written:
        message(f"Updated playlist {sync.name!r} in place ({sync.track_count} tracks, {change}).")
    else:
        message(f"Playlist {sync.name!r} is already up to date ({sync.track_count} tracks); nothing written.")


def countdown_waiter(sleep: Callable[[float], None]) -> Callable[[float, str], None]:
    """A waiter for the Spotify client: shows why and how long on stderr, counting down each second."""

    def wait(seconds: float, reason: str) -> None:
        remaining = seconds
        with _stderr().status(f"{reason}; waiting {remaining:.0f}s…") as status:
            message(f"{reason}; waiting {seconds:g}s before retrying.")
            while remaining > 0:
                step = min(1.0, remaining)
                sleep(step)
                remaining -= step
                status.update(f"{reason}; waiting {remaining:.0f}s…")

    return wait


def with_progress(items: list, description: str) -> Iterable:
    """Iterate with a progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import track

    return track(items, description=description, console=_stderr(), transient=True)


@contextmanager
def byte_progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over `total` bytes on stderr (drawn only on a terminal); yields the advance function."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    stderr = _stderr()
    if not stderr.is_terminal:  # no bar (and no stray newline) in logs and pipes
        yield lambda size: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda size: progress.advance(task, size)


def import_summary(summary: ImportSummary) -> None:
    title = "Dry run: nothing was stored" if summary.dry_run else "Import"
    table = Table.of(title, Column("", style="bold"), number("count"))
    files = f"{summary.files_imported} imported, {summary.files_already_imported} already imported"
    rows = [
        ("files", f"{summary.files} ({files}, {summary.files_not_history} not listening history, "
                  f"{summary.files_malformed} malformed)"),
        ("rows read", f"{summary.rows:,}"),
        ("plays stored", f"{summary.stored:,}"),
        ("duplicates skipped", f"{summary.duplicates:,}"),
        ("too short (< 30 s, not a skip)", f"{summary.skipped[SkipReason.TOO_SHORT]:,}"),
        ("not music (podcasts, audiobooks, video)", f"{summary.skipped[SkipReason.NOT_MUSIC]:,}"),
        ("malformed rows", f"{summary.skipped[SkipReason.MALFORMED]:,}"),
        ("date range", f"{summary.first_played_at or 'none'} … {summary.last_played_at or 'none'}"),
    ]  # fmt: skip
    for label, value in rows:
        table.add_row(label, value)
    show(table)
    for problem in summary.problems:
        message(f"warning: {problem}")


def per_listener(outcomes: list, as_json: bool, to_json: Callable[[Any], dict], summary: Callable[[Any], None]) -> bool:
    """What `--all-users` did for each listener (JSON: one object each, with "ok"); True when all succeeded."""
    from music_time_machine.errors import TmError

    if as_json:
        emit_json([{"user": user.id, "ok": False, "error": result.message, "hint": result.hint}
                   if isinstance(result, TmError) else {"ok": True, **to_json(result), "user": user.id}
                   for user, result in outcomes])  # fmt: skip
    for user, result in outcomes:
        message(f"{user.label}:")
        if isinstance(result, TmError):
            message(f"  failed: {result.message}" + (f" Hint: {result.hint}" if result.hint else ""))
        else:
            summary(result)
    return not any(isinstance(result, TmError) for _user, result in outcomes)


def sync_summary(result: SyncResult) -> None:
    message(
        f"Synced {result.stored} new plays ({result.known} already stored); newest {result.newest_played_at or 'none'}."
    )
    if result.missed_since:
        message(
            f"warning: plays between {result.missed_since} and the oldest one fetched were probably missed: "
            "Spotify keeps only your last 50. Sync more often (`tm schedule`); a new privacy export "
            "(`tm import`) fills the gap."
        )


def day_back_json(back: DayBack) -> dict:
    return {"years_ago": back.years_ago, "from": back.first_day.isoformat(), "to": back.last_day.isoformat(),
            **play_stats_json(back.stats)}  # fmt: skip


def day_back_tables(found: list[DayBack]) -> None:
    for back in found:
        when = f"{back.years_ago} year{'s' if back.years_ago > 1 else ''} ago ({back.first_day} … {back.last_day})"
        if back.stats.plays or back.stats.skips:
            show(*_play_blocks(when, back.stats))
        else:
            message(f"{when}: no plays.")


def rank_vs_plays_json(result: RankVsPlays) -> dict:
    return {
        "time_range": result.time_range.value,
        "taken_at": result.taken_at,
        "from": result.window_start,
        "charted": [
            {"rank": row.rank, **row.track.summary(), "plays": row.plays, "minutes": row.minutes,
             "play_rank": row.play_rank, "flagged": row.flagged}
            for row in result.charted
        ],
        "played_not_charted": [count.summary() for count in result.played_not_charted],
    }  # fmt: skip


def rank_vs_plays_table(result: RankVsPlays) -> None:
    title = f"{result.time_range.label} chart of {result.taken_at[:10]} vs your plays since {result.window_start[:10]}"
    table = Table.of(title, number("Chart #"), "Track", "Artists", number("Plays"),
                     number("Play #"), "")  # fmt: skip
    for row in result.charted:
        mark = "← disagree" if row.flagged else ""
        table.add_row(row.rank, row.track.name, ", ".join(row.track.artist_names), row.plays, row.play_rank or "-",
                      mark)  # fmt: skip
    blocks: list = [table]
    if result.played_not_charted:
        names = ", ".join(f"{c.name} ({c.plays} plays)" for c in result.played_not_charted)
        blocks.append(f"Played a lot but not in the chart: {names}")
    show(*blocks)


def page_progress(description: str) -> Callable[[int, int], None]:
    """A "read N of M" line on stderr for long paged reads (only on a terminal)."""
    stderr = _stderr()

    def show(done: int, total: int) -> None:
        if stderr.is_terminal and total > done:
            stderr.print(f"{description}: {done} of {total}…", end="\r", markup=False, highlight=False)

    return show


def rows_table(title: str, columns: list[str], rows: Iterable[tuple]) -> None:
    table = Table.of(title, *columns)
    for row in rows:
        table.add_row(*row)
    show(table)


def copy_json(report: CopyReport) -> dict:
    return {
        "source": report.source,
        "target": report.target,
        "added": report.added,
        "counts": {user: {table: {"source": s, "target": t} for table, (s, t) in tables.items()}
                   for user, tables in report.counts.items()},
    }  # fmt: skip


def copy_table(report: CopyReport) -> None:
    table = Table.of(f"Copied {report.source} → {report.target}", "Listener", "Table", number("Source"),
                     number("Target"), "")  # fmt: skip
    for user, tables in report.counts.items():
        for name, (source, target) in tables.items():
            table.add_row(user, name, source, target, "ok" if target >= source else Styled("SHORT", "red"))
    show(table)


def doctor_table(checks: list[Check]) -> None:
    marks = {"pass": Styled("ok", "green"), "warn": Styled("warn", "yellow"), "fail": Styled("FAIL", "red")}
    table = Table.of("tm doctor", "", "Check", "Detail", "What to do")
    for check in checks:
        table.add_row(marks[check.status], check.name, check.detail, check.fix)
    show(table)
