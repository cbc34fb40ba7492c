"""Benchmark `tm import` on a synthetic privacy export, next to `sqlite-utils insert` of the same rows.

    python bench/import_bench.py --plays 1000000 [--sqlite-utils PATH] [--keep DIR]

Generates the export (the real file formats, with podcasts, short plays, overlapping files and offline
timestamps), imports it twice with the installed `tm` (first import, then the idempotent re-import), checks the
counts against the generator's truth, and measures wall time and peak RSS of each run. The baseline loads the
same audio rows, as newline-delimited JSON, with `sqlite-utils insert --nl` into a table of the same shape
(same columns, same unique index). Ratios are what matter: both run on this machine, in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from music_time_machine.testing.export_generator import write_export

TM = str(Path(sys.executable).with_name("tm"))


# Runs one command in a fresh wrapper process, so each peak RSS is that command's own.
_WRAPPER = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True); "
    "sys.stderr.write(f'{time.perf_counter() - start} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}'); "
    "sys.stdout.write(done.stdout)"
)


def _measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one command run to completion."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *command], env=env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    seconds, peak_kb = done.stderr.split()[-2:]
    return float(seconds), int(peak_kb) / 1024, done.stdout


def _ndjson_of_audio(export: Path, target: Path) -> int:
    from music_time_machine.export.jsonstream import iter_json_array

    rows = 0
    with target.open("w") as out:
        for path in sorted(export.glob("Streaming_History_Audio_*.json")):
            with path.open() as handle:
                for row in iter_json_array(handle):
                    out.write(json.dumps(row) + "\n")
                    rows += 1
    return rows


def _baseline(sqlite_utils: str, export: Path, work: Path, env: dict[str, str]) -> tuple[int, float, float]:
    ndjson = work / "audio.ndjson"
    rows = _ndjson_of_audio(export, ndjson)
    database = work / "baseline.sqlite3"
    subprocess.run([sqlite_utils, "create-database", str(database), "--enable-wal"], check=True)
    with sqlite3.connect(database) as db:  # the same kind of table: raw rows, one unique index
        db.execute(
            "CREATE TABLE plays (ts TEXT, ms_played INTEGER, spotify_track_uri TEXT, "
            "master_metadata_track_name TEXT, master_metadata_album_artist_name TEXT)"
        )
        db.execute(
            "CREATE UNIQUE INDEX dedupe ON plays(substr(ts, 1, 16), lower(master_metadata_album_artist_name), "
            "lower(master_metadata_track_name))"
        )
    seconds, peak, _ = _measure(
        [sqlite_utils, "insert", str(database), "plays", str(ndjson), "--nl", "--ignore", "--alter"], env
    )
    return rows, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--sqlite-utils", default=shutil.which("sqlite-utils"))
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="tm-bench-"))
    export = work / "export"
    started = time.perf_counter()
    truth = write_export(export, plays=args.plays, seed=1)
    print(
        f"generated {truth.rows:,} rows in {time.perf_counter() - started:.1f}s "
        f"({sum(p.stat().st_size for p in export.rglob('*')) / 1e6:.0f} MB)"
    )
    env = {**os.environ, "TM_HOME": str(work / "home"), "TM_DB": str(work / "tm.sqlite3")}
    first, first_rss, out = _measure([TM, "import", str(export), "--user", "bench", "--json"], env)
    summary = json.loads(out)
    assert (summary["stored"], summary["duplicates"]) == (truth.stored, truth.duplicates), (summary, truth)
    again, again_rss, out = _measure([TM, "import", str(export), "--user", "bench", "--json"], env)
    assert json.loads(out)["stored"] == 0
    print(
        f"tm import: {truth.rows:,} rows in {first:.1f}s = {truth.rows / first:,.0f} rows/s, peak RSS "
        f"{first_rss:.0f} MB; re-import {again:.1f}s ({again / first:.2f}x of first), peak RSS {again_rss:.0f} MB"
    )
    if args.sqlite_utils:
        rows, seconds, peak = _baseline(args.sqlite_utils, export, work, env)
        print(
            f"sqlite-utils insert --nl: {rows:,} rows in {seconds:.1f}s = {rows / seconds:,.0f} rows/s, "
            f"peak RSS {peak:.0f} MB; ratio tm/sqlite-utils = {(truth.rows / first) / (rows / seconds):.2f}x"
        )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
