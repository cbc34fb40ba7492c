"""tm import, sync, on-this-day and rank-vs-plays: your plays, as tables for people and JSON for programs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from music_time_machine.privacy_export.rows import MALFORMED_RULES, SkipReason
from music_time_machine.render.charts import play_blocks, play_count_json, play_stats_json, track_json
from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Block, Column, Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.importer import ImportSummary
    from music_time_machine.services.on_this_day import DayBack
    from music_time_machine.services.rank_vs_plays import RankVsPlays
    from music_time_machine.services.schedule import SchedulePlan
    from music_time_machine.services.sync import SyncResult
    from music_time_machine.services.users import ImportListener


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
    if summary.skipped[SkipReason.MALFORMED]:
        message(f"note: {MALFORMED_RULES}.")
    show_import_problems(summary)


def show_import_problems(summary: ImportSummary) -> None:
    for problem in summary.problems:
        message(f"warning: {problem}")


def sync_json(result: SyncResult) -> JsonObject:
    return {
        "fetched": result.fetched,
        "stored": result.stored,
        "known": result.known,
        "newest_played_at": result.newest_played_at,
        "missed_since": result.missed_since,
    }


def show_sync(result: SyncResult) -> None:
    """What was synced, on stderr (also under --json)."""
    newest = result.newest_played_at or "none"
    message(f"Synced {result.stored} new plays ({result.known} already stored); newest {newest}.")
    if result.malformed:
        message(f"warning: {result.malformed} plays Spotify sent are dated after tomorrow; they were not stored.")
    if result.missed_since:
        message(
            f"warning: plays between {result.missed_since} and the oldest one fetched were probably missed: "
            "Spotify keeps only your last 50. Sync more often (`tm schedule`); a new privacy export "
            "(`tm import`) fills the gap."
        )


def days_back_json(found: list[DayBack]) -> list[JsonObject]:
    return [
        {
            "years_ago": back.years_ago,
            "from": back.first_day.isoformat(),
            "to": back.last_day.isoformat(),
            **play_stats_json(back.stats),
        }
        for back in found
    ]


def show_days_back(found: list[DayBack]) -> None:
    for back in found:
        when = f"{back.years_ago} year{'s' if back.years_ago > 1 else ''} ago ({back.first_day} … {back.last_day})"
        if back.stats.plays or back.stats.skips:
            show(*play_blocks(when, back.stats))
        else:
            message(f"{when}: no plays.")


def rank_vs_plays_json(result: RankVsPlays) -> JsonObject:
    return {
        "time_range": result.time_range.value,
        "taken_at": result.taken_at,
        "from": result.window_start,
        "charted": [
            {
                "rank": row.rank,
                **track_json(row.track),
                "plays": row.plays,
                "minutes": row.minutes,
                "play_rank": row.play_rank,
                "flagged": row.flagged,
            }
            for row in result.charted
        ],
        "played_not_charted": [play_count_json(count) for count in result.played_not_charted],
    }


def show_rank_vs_plays(result: RankVsPlays) -> None:
    title = f"{result.time_range.label} chart of {result.taken_at[:10]} vs your plays since {result.window_start[:10]}"
    table = Table.of(title, number("Chart #"), "Track", "Artists", number("Plays"), number("Play #"), "")
    for row in result.charted:
        mark = "← disagree" if row.flagged else ""
        artists = ", ".join(row.track.artist_names)
        table.add_row(row.rank, row.track.name, artists, row.plays, row.play_rank or "-", mark)
    blocks: list[Block] = [table]
    if result.played_not_charted:
        names = ", ".join(f"{c.name} ({c.plays} plays)" for c in result.played_not_charted)
        blocks.append(f"Played a lot but not in the chart: {names}")
    show(*blocks)


def show_schedule(plan: SchedulePlan, *, to_stdout: bool) -> None:
    """The schedule's text: to stdout with --print (to pipe into a file), else on stderr before asking."""
    if to_stdout:
        texts = (f"# {name}\n{text}" if plan.systemd else text for name, text in plan.units.items())
        sys.stdout.write("\n".join(texts) + "\n")
        return
    for name, text in plan.units.items():
        message(f"--- {name}", *text.splitlines())


def show_schedule_installed(plan: SchedulePlan) -> None:
    message(f"Installed: tm sync hourly, tm snapshot monthly; output goes to {plan.log}.")
    if plan.missing_settings:
        message(
            f"Scheduled runs do not start in this directory: keep SPOTIPY_CLIENT_ID (and the secret) "
            f"in {plan.missing_settings}."
        )
