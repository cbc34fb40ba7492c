"""tm's benchmarks, every figure a ratio measured side by side in one run; the report goes to docs/benchmarks.md.

    .venv/bin/python bench/run.py                   # the full run: 1,000,000 plays, 15 rounds (~10 minutes)
    .venv/bin/python bench/run.py --plays 100000    # quicker, same shape

P1 start-up: `tm --help`, `tm history`, `tm evolution` on a 5-year database vs a one-command Typer app.
P2 API economy: exact request counts, asserted by tests/test_api_economy.py (run here, reported).
P3 import: 1M synthetic privacy-export plays, rows/s vs `sqlite-utils insert` of the same rows into the same kind of
   table (installed into .bench-venv on first use), peak RSS, re-import vs first import; `tm import` keeps the
   monthly sums of charts from plays (`play_months`) as it goes, and all of that is in its figures.
P4 analytics: `tm evolution` and `tm history` on 10 years of monthly snapshots plus the 1M plays vs `tm --version`;
   `tm evolution --source plays` vs `tm history` in the same rounds, once its charts are kept (the first run after
   the import computes them: timed on its own, for reference); the query plans of those paths (no full scans of
   the big tables).
P5 pages (bench/pages.py): `tm report` writing its page vs `tm evolution --json` in the same rounds, the page's
   size, and its draw time in headless Chromium; `tm wrapped YEAR --html` for reference.
P6 other histories (bench/scrobbles.py): import rates of a ListenBrainz export, a Last.fm CSV and Last.fm's API (the
   fake, on loopback); the ListenBrainz import meeting the 1M Spotify plays vs into an empty database; the Spotify
   import into the scrobbles' database vs into an empty one.

Commands that are compared run interleaved, round after round, in fresh processes with output to a pipe, and each
figure is the median of the rounds: noise from a shared machine hits both sides of a ratio alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import venv
from datetime import UTC, datetime
from pathlib import Path

from measure import TM, Row, measure, medians, ratio_rows
from pages import pages
from scrobbles import scrobble_imports

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".bench-venv"
HELLO = '''import typer

app = typer.Typer()


@app.command()
def main(name: str = "world") -> None:
    """Say hello."""
    print(f"Hello {name}")


if __name__ == "__main__":
    app()
'''


def _demo_database(path: Path, months: int, env: dict[str, str]) -> None:
    subprocess.run(
        [TM, "demo", "--months", str(months), "--db", str(path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _hello(work: Path) -> list[str]:
    """The baseline of P1: a one-command Typer app with one string option, run as a script."""
    hello = work / "hello.py"
    hello.write_text(HELLO)
    return [sys.executable, str(hello)]


def startup(work: Path, env: dict[str, str], rounds: int) -> list[Row]:
    db = work / "five-years.sqlite3"
    _demo_database(db, 60, env)
    month = _months_of(db)[len(_months_of(db)) // 2]
    commands = {
        "typer hello-world": _hello(work),
        "tm --help": [TM, "--help"],
        f"tm history --month {month}": [TM, "history", "--month", month, "--db", str(db)],
        "tm evolution": [TM, "evolution", "--db", str(db)],
    }
    return ratio_rows("P1", medians(commands, env, rounds), "typer hello-world", 1.2)


def _months_of(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [m for (m,) in connection.execute("SELECT DISTINCT substr(taken_at, 1, 7) FROM snapshots ORDER BY 1")]


def api_economy() -> list[Row]:
    test = ROOT / "tests" / "test_api_economy.py"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    summary = done.stdout.strip().splitlines()[-1]
    passed = done.returncode == 0
    return [
        Row(
            "P2",
            "`tm snapshot`: chart calls, profile lookups, refreshes",
            "3 GET /me/top/tracks, 0 /me, +1 POST /api/token only when due",
            None,
            "3 + ≤ 1 /me (+ refresh when due)",
            passed,
        ),
        Row(
            "P2",
            "managed playlist of n tracks (n = 1, 100, 101, 250)",
            "⌈n/100⌉ item writes; unchanged: 0 writes, 1 library check + ⌈n/50⌉ item pages",
            None,
            "⌈n/100⌉ writes, 0 when unchanged",
            passed,
        ),
        Row("P2", "tests/test_api_economy.py", summary, None, "all pass", passed),
    ]


def _sqlite_utils() -> str:
    found = shutil.which("sqlite-utils") or str(BENCH_VENV / "bin" / "sqlite-utils")
    if not Path(found).exists():
        venv.create(BENCH_VENV, with_pip=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "sqlite-utils"], check=True)
    return found


def _ndjson_of_audio(export: Path, target: Path) -> int:
    from music_time_machine.privacy_export.jsonstream import iter_json_array

    rows = 0
    with target.open("w") as out:
        for path in sorted(export.glob("Streaming_History_Audio_*.json")):
            with path.open() as handle:
                for row in iter_json_array(handle):
                    out.write(json.dumps(row) + "\n")
                    rows += 1
    return rows


def _baseline(export: Path, work: Path, env: dict[str, str]) -> tuple[int, float, float]:
    sqlite_utils = _sqlite_utils()
    ndjson = work / "audio.ndjson"
    rows = _ndjson_of_audio(export, ndjson)
    database = work / "baseline.sqlite3"
    subprocess.run([sqlite_utils, "create-database", str(database), "--enable-wal"], check=True)
    with sqlite3.connect(database) as db:  # the same kind of table: raw rows, one unique dedupe index
        db.execute(
            "CREATE TABLE plays (ts TEXT, ms_played INTEGER, spotify_track_uri TEXT, "
            "master_metadata_track_name TEXT, master_metadata_album_artist_name TEXT)"
        )
        db.execute(
            "CREATE UNIQUE INDEX dedupe ON plays(substr(ts, 1, 16), lower(master_metadata_album_artist_name), "
            "lower(master_metadata_track_name))"
        )
    seconds, peak, _ = measure(
        [sqlite_utils, "insert", str(database), "plays", str(ndjson), "--nl", "--ignore", "--alter"], env
    )
    return rows, seconds, peak


def import_and_analytics(work: Path, env: dict[str, str], plays: int, rounds: int) -> tuple[list[Row], list[str]]:
    from music_time_machine.testing.export_generator import write_export

    export = work / "export"
    truth = write_export(export, plays=plays, seed=1)
    db = work / "ten-years.sqlite3"
    _demo_database(db, 120, env)
    command = [TM, "import", str(export), "--user", "fake-listener", "--db", str(db), "--json"]
    first, first_rss, out = measure(command, env)
    summary = json.loads(out)
    assert (summary["stored"], summary["duplicates"]) == (truth.stored, truth.duplicates), (summary, truth)
    plays_evolution = [TM, "evolution", "--source", "plays", "--db", str(db)]
    cold_evolution, _, _ = measure(plays_evolution, env)  # computes and keeps the charts: later runs read them
    again, _, out = measure(command, env)
    assert json.loads(out)["stored"] == 0
    rows, seconds, baseline_rss = _baseline(export, work, env)
    tm_rate, baseline_rate = truth.rows / first, rows / seconds
    import_rows = [
        Row(
            "P3",
            f"`tm import` of {truth.rows:,} rows vs `sqlite-utils insert` of its {rows:,} audio rows",
            f"{tm_rate:,.0f} vs {baseline_rate:,.0f} rows/s",
            tm_rate / baseline_rate,
            "≥ 3x",
            tm_rate / baseline_rate >= 3,
        ),
        Row(
            "P3",
            "peak RSS of `tm import` (the plays and their monthly sums)",
            f"{first_rss:.0f} MB (sqlite-utils {baseline_rss:.0f} MB)",
            None,
            "≤ 200 MB",
            first_rss <= 200,
        ),
        Row(
            "P3",
            "re-import (nothing new) vs first import",
            f"{again:.1f} s vs {first:.1f} s",
            again / first,
            "≤ 0.5x",
            again / first <= 0.5,
        ),
    ]
    month = truth.last_played_at[:7]
    history = f"tm history --month {month}"
    commands = {  # the hello-world shows the floor: any command with a non-flag option pays typer's pydantic import
        "tm --version": [TM, "--version"],
        "typer hello-world": _hello(work),
        "tm evolution": [TM, "evolution", "--db", str(db)],
        history: [TM, "history", "--month", month, "--db", str(db)],
        f"{history} --json": [TM, "history", "--month", month, "--json", "--db", str(db)],
        "tm evolution --source plays": plays_evolution,
    }
    timed = medians(commands, env, rounds)
    from_plays = {history: timed[history], "tm evolution --source plays": timed.pop("tm evolution --source plays")}
    analytics = ratio_rows("P4", timed, "tm --version", 1.5, reference="typer hello-world")
    analytics += ratio_rows("P4", from_plays, history, 1.2)
    analytics.append(
        Row(
            "P4",
            "the first `tm evolution --source plays` after the import (computes and keeps its charts)",
            f"{cold_evolution:.1f} s",
            None,
            "(for reference)",
            True,
        )
    )
    plans, scans = _plans(db, month, export)
    analytics.append(
        Row(
            "P4",
            "query plans of history, evolution (both sources), gems, on-this-day, rank-vs-plays, import",
            f"{len(plans)} queries, {len(scans)} full scans of a big table",
            None,
            "0 full scans",
            not scans,
        )
    )
    return import_rows + analytics, [f"{sql.split()[0]} … {' / '.join(lines)}" for sql, lines in plans.items()]


def _plans(db: Path, month: str, export: Path) -> tuple[dict[str, list[str]], list[str]]:
    from music_time_machine.models import Month
    from music_time_machine.store import open_store
    from music_time_machine.testing.query_plans import full_scans, offline_work, query_plans

    store = open_store(db)
    [user] = store.users.all()
    plans: dict[str, list[str]] = {}
    for work in offline_work(store, user, Month.parse(month), datetime.now(UTC), export).values():
        plans.update(query_plans(store, work))
    return plans, full_scans(plans)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = models[0] if models else cpu
    from importlib.metadata import version

    packages = ", ".join(f"{name} {version(name)}" for name in ("typer", "rich", "spotipy"))
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; {packages}"
    )


def report(rows: list[Row], plans: list[str], plays: int, rounds: int, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `python bench/run.py` (see its docstring for what each figure is); do not edit by hand.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the whole run took {seconds / 60:.1f} minutes",
        f"- Machine: {_machine()}",
        f"- {plays:,} synthetic plays; timings are medians of {rounds} interleaved rounds",
        "",
        "| | What | Measured | Ratio | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        met = "" if row.target == "(for reference)" else "yes" if row.met else "**no**"
        lines.append(f"| {row.id} | {row.what} | {row.measured} | {ratio} | {row.target} | {met} |")
    lines += ["", "## Query plans (P4, on the 10-year database)", "", "```", *plans, "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=1_000_000, help="synthetic plays for P3/P4")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per timing (median)")
    parser.add_argument("--listens", type=int, default=200_000, help="scrobbles for P6")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tm-bench-") as directory:
        work = Path(directory)
        env = {**os.environ, "TM_HOME": str(work / "home")}
        env.pop("TM_DB", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users run: with .pyc files, written in round 0
        rows = startup(work, env, args.rounds)
        rows += api_economy()
        more, plans = import_and_analytics(work, env, args.plays, args.rounds)
        rows += more
        rows += pages(work, env, work / "ten-years.sqlite3", "2020", args.rounds)
        rows += scrobble_imports(work, env, work / "ten-years.sqlite3", args.listens)
    text = report(rows, plans, args.plays, args.rounds, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
