"""tm import, sync, on-this-day and rank-vs-plays: your plays, as tables for people and JSON for programs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from music_time_machine.render.charts import play_blocks, play_count_json, play_stats_json, track_json
from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Block, Table, number, show

if TYPE_CHECKING:
    from music_time_machine.services.on_this_day import DayBack
    from music_time_machine.services.rank_vs_plays import RankVsPlays
    from music_time_machine.services.schedule import SchedulePlan
    from music_time_machine.services.sync import SyncResult


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
