"""tm report: its data as JSON, and a short summary for the terminal (the page itself is render.html's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.analytics import evolution_json
from music_time_machine.render.charts import gems_json
from music_time_machine.render.console import JsonObject, message
from music_time_machine.render.tables import Block, Table, number, show
from music_time_machine.render.wrapped import period_json, streak_json
from music_time_machine.services.wrapped import clock_minutes, minutes_of

if TYPE_CHECKING:
    from music_time_machine.services.report import Report, YearSummary


def _year_json(year: YearSummary) -> JsonObject:
    return {"year": year.year, "minutes": year.minutes, "plays": year.plays, "skips": year.skips} | {
        "artists": year.distinct_artists,
        "top_month": period_json(year.top_month, "month"),
        "busiest_day": period_json(year.busiest_day, "date"),
        "longest_streak": streak_json(year.streak),
    }


def report_json(report: Report) -> JsonObject:
    from music_time_machine.models import TimeRange
    from music_time_machine.services.month_charts import ChartEvolution
    from music_time_machine.services.play_charts import CHART_SIZE

    months = [str(month) for month in report.months]
    evolution = report.evolution and ChartEvolution(report.source, TimeRange.SHORT, CHART_SIZE, report.evolution)
    return {
        "tz": report.tz,
        "source": report.source.value,
        "from": report.first and str(report.first),
        "to": report.last and str(report.last),
        "years": [_year_json(year) for year in report.years],
        "days": [{"date": day.label, "minutes": day.minutes, "plays": day.plays} for day in report.days],
        "clock": clock_minutes(report.clock),
        "months": [{"month": m, "minutes": minutes_of(ms)} for m, ms in zip(months, report.month_ms, strict=True)],
        "bump": [
            {"key": line.key, "uri": line.uri, "name": line.name, "artist": line.artist}
            | {"months": [{"month": m, "rank": rank} for m, rank in zip(months, line.ranks, strict=True)]}
            for line in report.bump
        ],
        "artists": [
            {
                "artist": stream.artist,
                "months": [{"month": m, "minutes": minutes_of(ms)} for m, ms in zip(months, stream.ms, strict=True)],
            }
            for stream in report.artists
        ],
        "evolution": evolution and evolution_json(evolution),
        "gems": report.gems and gems_json(report.gems),
    }


def show_report(report: Report) -> None:
    """The period, each year's numbers and the busiest day (where the charts came from is said on stderr)."""
    if report.first is None:
        message("Nothing stored yet: run `tm import` with your data export, or `tm snapshot`.")
        return
    blocks: list[Block] = [f"Your time machine, {report.first} to {report.last} ({report.tz})"]
    if report.years:
        table = Table.of("Year by year", "year", number("minutes"), number("plays"), number("skips"), number("artists"))
        for year in report.years:
            table.add_row(year.year, f"{year.minutes:,}", f"{year.plays:,}", f"{year.skips:,}", year.distinct_artists)
        blocks.append(table)
    if report.bump:
        table = Table.of(
            "Your top tracks of the period (the bump chart's)", "track", "artist", number("best #"), number("months")
        )
        for line in report.bump:
            held = [rank for rank in line.ranks if rank is not None]
            table.add_row(line.name, line.artist, min(held, default=0), len(held))
        blocks.append(table)
    busiest = report.busiest_day
    if busiest is not None:
        blocks.append(f"Busiest day: {busiest.label} ({busiest.minutes:,} min, {busiest.plays:,} plays)")
    show(*blocks)
