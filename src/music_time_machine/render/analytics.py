"""Output for the analytics: evolution and compare as tables with sparklines and bars, or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.charts import track_json
from music_time_machine.render.console import JsonObject
from music_time_machine.render.tables import Table, number, show

if TYPE_CHECKING:
    from music_time_machine.models import Track
    from music_time_machine.services.compare import Moved
    from music_time_machine.services.evolution import Returning
    from music_time_machine.services.month_charts import ChartEvolution, Comparison, RankSeries

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """One character per value (0..1); a gap (None) is a space, never an interpolated bar."""
    return "".join(" " if v is None else SPARKS[min(int(v * len(SPARKS)), len(SPARKS) - 1)] for v in values)


def bar(value: float, width: int = 20) -> str:
    return "█" * round(value * width)


def _brief(track: Track) -> JsonObject:
    return {"uri": track.uri, "name": track.name}


def _returning_json(items: list[Returning]) -> list[JsonObject]:
    return [{"key": r.key, "name": r.name, "returns": r.returns, "gaps": r.gaps} for r in items]


def evolution_json(report: ChartEvolution) -> JsonObject:
    result = report.evolution
    return {
        "source": report.source.value,
        "time_range": report.time_range.value,
        "top": report.top,
        "months": [
            {
                "month": str(c.month),
                "snapshot": c.taken,
                "turnover": c.turnover,
                "overlap": c.overlap,
                "entries": [_brief(t) for t in c.entries],
                "exits": [_brief(t) for t in c.exits],
            }
            for c in result.changes
        ],
        "artist_shifts": [
            {"artist": s.artist, "before": s.before, "after": s.after, "change": s.change} for s in result.artist_shifts
        ],
        "returning": {
            "tracks": _returning_json(result.returning_tracks),
            "albums": _returning_json(result.returning_albums),
            "artists": _returning_json(result.returning_artists),
        },
        "longest_staying": [
            {**track_json(s.track), "months": s.months, "longest_run": s.longest_run} for s in result.longest_staying
        ],
    }


def show_evolution(report: ChartEvolution) -> None:
    result = report.evolution
    turnovers = [c.turnover for c in result.changes]
    title = f"How your {report.time_range.value} top {report.top} moved  {sparkline(turnovers)}"
    months = Table.of(title, "Month", number("New"), number("Overlap"), number("In"), number("Out"), "")
    for c in result.changes:
        if not c.taken:
            months.add_row(str(c.month), "no snapshot", "", "", "", "")
        elif c.turnover is None:
            months.add_row(str(c.month), "-", "-", "", "", "first month" if c is result.changes[0] else "after a gap")
        else:
            months.add_row(
                str(c.month),
                f"{c.turnover:.0%}",
                f"{c.overlap:.2f}",
                str(len(c.entries)),
                str(len(c.exits)),
                bar(c.turnover),
            )
    shifts = Table.of(
        "Artist shifts (tracks in the first vs the last month's chart)",
        "Artist",
        number("Before"),
        number("After"),
        number(""),
    )
    for s in result.artist_shifts:
        shifts.add_row(s.artist, s.before, s.after, f"{s.change:+d}")
    tables = [months, shifts]
    for label, items in (
        ("tracks", result.returning_tracks),
        ("albums", result.returning_albums),
        ("artists", result.returning_artists),
    ):
        table = Table.of(f"Returning {label}: left the chart and came back", "Name", number("Returns"), "Months away")
        for r in items:
            table.add_row(r.name, r.returns, ", ".join(map(str, r.gaps)))
        tables.append(table)
    staying = Table.of("Longest-staying tracks", "Track", "Artists", number("Months"), number("Longest run"))
    for stay in result.longest_staying:
        staying.add_row(stay.track.name, ", ".join(stay.track.artist_names), stay.months, stay.longest_run)
    show(*tables, staying)


def rank_series_json(series: RankSeries) -> JsonObject:
    return {
        "source": series.source.value,
        "item": series.item,
        "months": [
            {"month": str(c.month), "snapshot": c.tracks is not None, "rank": rank}
            for c, rank in zip(series.charts, series.ranks, strict=True)
        ],
    }


def show_rank_series(series: RankSeries) -> None:
    top = series.top
    table = Table.of(f"Rank of {series.item} over time (longer bar = higher)", "Month", number("Rank"), "")
    for chart, rank in zip(series.charts, series.ranks, strict=True):
        if chart.tracks is None:
            table.add_row(str(chart.month), "no chart", "")
        else:
            table.add_row(str(chart.month), f"#{rank}" if rank else "-", bar((top + 1 - rank) / top) if rank else "")
    show(series.item, table)


def _moved_json(items: list[Moved]) -> list[JsonObject]:
    return [{"key": m.key, "name": m.name, "rank_a": m.rank_a, "rank_b": m.rank_b, "change": m.change} for m in items]


def compare_json(comparison: Comparison) -> JsonObject:
    return {
        "source": comparison.source.value,
        "a": str(comparison.a),
        "b": str(comparison.b),
        "time_range": comparison.time_range.value,
        **{
            kind: {"new": _moved_json(d.new), "gone": _moved_json(d.gone), "stayed": _moved_json(d.stayed)}
            for kind, d in comparison.differences.items()
        },
    }


def show_comparison(comparison: Comparison) -> None:
    a, b = comparison.a, comparison.b
    tables = []
    for kind, diff in comparison.differences.items():
        table = Table.of(f"{kind.capitalize()}: {a} → {b}", "New", "Gone", f"Stayed (rank {a} → {b})")
        stayed = [f"{m.name} ({m.rank_a} → {m.rank_b})" for m in diff.stayed]
        columns = ([m.name for m in diff.new], [m.name for m in diff.gone], stayed)
        for row in range(max(map(len, columns), default=0)):
            table.add_row(*(column[row] if row < len(column) else "" for column in columns))
        tables.append(table)
    show(*tables)
