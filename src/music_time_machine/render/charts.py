"""tm top, snapshot, history and gems: the charts, as tables for people and JSON for programs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Block, Column, Styled, Table, number, show

if TYPE_CHECKING:  # only annotations: importing every service here would slow down every command's start
    from music_time_machine.models import ChartsFrom, Month, PlayCount, Snapshot, Track
    from music_time_machine.services.gems import GemsFound
    from music_time_machine.services.history import MonthHistory, PlayStats
    from music_time_machine.services.snapshot import SnapshotResult, TopTracks


def track_json(track: Track) -> JsonObject:
    """The fields every command shares for a track from a chart."""
    return {"uri": track.uri, "name": track.name, "artists": track.artist_names, "album": track.album_name}


def play_count_json(count: PlayCount) -> JsonObject:
    """The fields every command shares for a track's plays in some window."""
    return {
        "uri": count.uri,
        "name": count.name,
        "artist": count.artist,
        "album": count.album,
        "plays": count.plays,
        "skips": count.skips,
        "minutes": round(count.minutes, 1),
        "last_played_at": count.last_played_at,
    }


def top_json(top: TopTracks) -> list[JsonObject]:
    return [{"rank": rank, **track_json(track)} for rank, track in enumerate(top.tracks, start=1)]


def show_top(top: TopTracks) -> None:
    title = f"Your top tracks, {top.time_range.label} ({top.time_range.value})"
    show(_track_table(title, ((str(rank), track) for rank, track in enumerate(top.tracks, start=1))))


def snapshot_json(result: SnapshotResult) -> JsonObject:
    return {
        "user": result.user.id,
        "taken_at": result.taken_at,
        "ranges": {time_range.value: count for time_range, count in result.counts.items()},
        "created": result.created,
    }


def show_snapshot(result: SnapshotResult) -> None:
    """What happened, on stderr (also under --json)."""
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


def _chart_rows(snapshots: Iterable[Snapshot], source: ChartsFrom) -> list[JsonObject]:
    return [
        {
            "taken_at": snapshot.taken_at,
            "time_range": snapshot.time_range.value,
            "rank": rank,
            **track_json(track),
            "source": source.value,
        }
        for snapshot in snapshots
        for rank, track in enumerate(snapshot.tracks, start=1)
    ]


def show_chart_source(source: ChartsFrom, month: Month | None = None) -> None:
    """Which charts these are (plays charts: of which month, when one was chosen), on stderr (also under --json)."""
    if source.value == "plays":
        of = f" of {month}" if month else ""
        message(
            f"Charts computed from your stored plays{of} (see README: charts from plays); "
            "--source spotify for Spotify's."
        )
    else:
        message("Charts from Spotify (your snapshots); --source plays for charts computed from your plays.")


def play_stats_json(stats: PlayStats) -> JsonObject:
    return {
        "plays": stats.plays,
        "skips": stats.skips,
        "minutes": round(stats.minutes, 1),
        "top_tracks": [
            {"rank": rank, **play_count_json(count)} for rank, count in enumerate(stats.top_tracks, start=1)
        ],
        "top_artists": [
            {"rank": rank, "artist": a.artist, "plays": a.plays, "minutes": round(a.minutes, 1)}
            for rank, a in enumerate(stats.top_artists, start=1)
        ],
    }


def play_blocks(title: str, stats: PlayStats) -> list[Block]:
    """A line of totals over the most-played tracks and artists, side by side."""
    tracks = Table.of("Most played tracks", number("#"), "Track", "Artist", number("Plays"))
    for rank, count in enumerate(stats.top_tracks, start=1):
        tracks.add_row(rank, count.name, count.artist, count.plays)
    artists = Table.of("Most played artists", number("#"), "Artist", number("Plays"), number("Minutes"))
    for rank, artist in enumerate(stats.top_artists, start=1):
        artists.add_row(rank, artist.artist, artist.plays, f"{artist.minutes:.0f}")
    totals = f"{title}: {stats.plays:,} plays, {stats.skips:,} skips, {stats.minutes:,.0f} minutes"
    return [Styled(totals, "bold"), (tracks, artists)]


def history_json(history: MonthHistory) -> JsonObject:
    return {
        "month": str(history.month),
        "charts": _chart_rows(history.snapshots, history.source),
        "plays": play_stats_json(history.plays),
    }


def show_history(history: MonthHistory) -> None:
    """The month's charts and plays as tables; when it has neither, a line on stderr naming the nearest months."""
    if history.empty:
        show_no_history(history)
        return
    blocks: list[Block] = []
    for snapshot in history.snapshots:
        origin = " from your plays" if history.source.value == "plays" else ""
        title = f"{snapshot.time_range.label} ({snapshot.time_range.value}){origin} as of {snapshot.taken_at}"
        blocks.append(_track_table(title, ((str(rank), t) for rank, t in enumerate(snapshot.tracks, start=1))))
    if history.plays.plays or history.plays.skips:
        blocks += play_blocks(f"What you played in {history.month}", history.plays)
    show(*blocks)


def show_no_history(history: MonthHistory) -> None:
    nearest = [str(m) for m in (history.nearest_before, history.nearest_after) if m]
    hint = f" Nearest months with data: {', '.join(nearest)}." if nearest else " Run `tm snapshot` to start."
    message(f"No snapshots or plays in {history.month}.{hint}")


def gems_json(found: GemsFound) -> list[JsonObject]:
    from music_time_machine.services.gems import ChartedGems, PlayedGems

    source = found.source.value
    if isinstance(found, PlayedGems):
        return [{**play_count_json(gem.count), "reason": gem.reason, "source": source} for gem in found.gems]
    if isinstance(found, ChartedGems):
        return [
            {
                **track_json(gem.track),
                "snapshots": gem.snapshots,
                "best_rank": gem.best_rank,
                "absent_since": str(gem.absent_since) if gem.absent_since else None,
                "reason": gem.reason,
                "source": source,
            }
            for gem in found.gems
        ]
    return [{**track_json(gem.track), "long_term_rank": gem.long_term_rank, "source": source} for gem in found.gems]


def show_gems(found: GemsFound) -> None:
    from music_time_machine.services.gems import ChartedGems, PlayedGems

    if isinstance(found, PlayedGems):
        title = "Forgotten gems from your plays: loved, rarely skipped, not played lately"
        _reasoned_gems(title, [(g.count.name, g.count.artist, g.reason) for g in found.gems])
    elif isinstance(found, ChartedGems):
        title = "Forgotten gems from your chart history"
        _reasoned_gems(title, [(g.track.name, ", ".join(g.track.artist_names), g.reason) for g in found.gems])
    elif found.month:
        title = f"Forgotten gems as of {found.month}: in your long-term chart from plays, missing from the short-term"
        show(_track_table(title, ((str(gem.long_term_rank), gem.track) for gem in found.gems), "Long #"))
    else:
        title = "Forgotten gems: in your long-term chart, missing from the last 4 weeks"
        show(_track_table(title, ((str(gem.long_term_rank), gem.track) for gem in found.gems), "Long #"))


def _reasoned_gems(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Gems with the reason each one is here: (track, artists, why)."""
    table = Table.of(title, Column("#", right=True, style="dim"), Column("Track", style="bold"), "Artist", "Why")
    for rank, (track, artists, why) in enumerate(rows, start=1):
        table.add_row(rank, track, artists, why)
    show(table)


def _track_table(title: str, rows: Iterable[tuple[str, Track]], rank_header: str = "#") -> Table:
    columns = (Column(rank_header, right=True, style="dim"), Column("Track", style="bold"), "Artists")
    table = Table.of(title, *columns, Column("Album", style="dim"))
    for rank, track in rows:
        table.add_row(rank, track.name, ", ".join(track.artist_names), track.album_name)
    return table
