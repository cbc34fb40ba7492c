"""tm demo: what was simulated, the gems found, and what to try next."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from music_time_machine.render.charts import show_gems
from music_time_machine.render.console import message

if TYPE_CHECKING:
    from music_time_machine.testing.demo import Demo


def show_demo(demo: Demo, pages: list[Path]) -> None:
    from music_time_machine.services.gems import TodaysGems

    message(f"Logged in to the fake Spotify as {demo.user.label}.")
    show_gems(TodaysGems(demo.gems[:10]))
    db, first, last = demo.database, demo.first, demo.last
    export_first, export_last = demo.export_months
    years_ago = export_first.shift(12)  # the first month whose long-term window the export fills
    message(
        "",
        f"Demo ready: {db}",
        f"  listener {demo.user.label}, snapshots {first} … {last}, {len(demo.gems)} forgotten gems "
        f"(playlist created on the fake Spotify), {demo.plays_per_month} synced plays a month;",
        f"  before that, {demo.export_truth.stored:,} plays {export_first} … {export_last} from a privacy export, "
        f"written to {demo.export} and imported",
        "",
        "Try next (all offline):",
        f"  tm history --month {first.shift(min(3, demo.months - 1))} --db {db}",
        f"  tm history --month {last} --range long --db {db}",
        f"  tm evolution --source plays --db {db}",
        f"  tm compare {years_ago} {last} --range long --db {db}",
        f"  tm history --month {years_ago} --db {db}",
        f"  tm gems --db {db}",
        f"  tm gems --source plays --db {db}",
        f"  tm gems --from-history --db {db}",
        f"  tm rank-vs-plays --range medium --db {db}",
        f"  tm on-this-day --years 1,3 --days 15 --db {db}",
        f"  tm history --month {last} --json --db {db} | head -20",
        f"  tm wrapped {demo.wrapped.year} --db {db}",
        f"  tm report --since {first} --db {db}",
        "",
        "Pages (open them in your browser):",
        *(f"  {page}" for page in pages),
        "",
    )
