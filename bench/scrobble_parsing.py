"""P6 in parts: how fast the scrobble file readers parse, without the import around them (no database, no ledger).

Writes 1,000,000 ListenBrainz listens (each line shaped like the first of tests/data/scrobbles/
listenbrainz_listens.jsonl, ListenBrainz's own export, ~1.4 KB with its mbid_mapping) and 1,000,000 Last.fm CSV
rows in both shapes (lastfm-to-csv's header-less `artist,album,track,date`, lastfm.ghan.nl's header with `uts`) to
files, then reads each with `scrobbles.files.read_scrobbles` from an `ExportFile`, as `tm import` does (UTF-8
decoding included), and prints rows/s. Targets: 50,000 rows/s for ListenBrainz, 100,000 for CSV.

    .venv/bin/python bench/scrobble_parsing.py              # 1,000,000 rows of each
    .venv/bin/python bench/scrobble_parsing.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from scrobbles import scrobbles, write_csv

from music_time_machine.models import latest_play
from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.scrobbles.files import ScrobbleFormat, read_scrobbles
from music_time_machine.scrobbles.listen import Listen

TEMPLATE = Path(__file__).resolve().parents[1] / "tests" / "data" / "scrobbles" / "listenbrainz_listens.jsonl"
TARGETS = {ScrobbleFormat.LISTENBRAINZ: 50_000, ScrobbleFormat.LASTFM_CSV: 100_000}


def write_listens(listens: list[tuple[int, str, str, str, int]], path: Path) -> None:
    template = json.loads(TEMPLATE.read_text().splitlines()[0])
    with path.open("w") as out:
        for start, artist, track, album, length in listens:
            metadata = {**template["track_metadata"], "artist_name": artist, "track_name": track}
            metadata["release_name"] = album
            metadata["additional_info"] = {**metadata["additional_info"], "duration_ms": length}
            line = {"inserted_at": start + 30.521049, "listened_at": start, "track_metadata": metadata}
            out.write(json.dumps(line) + "\n")


def write_ghan(listens: list[tuple[int, str, str, str, int]], path: Path) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"])
        for start, artist, track, album, _length in reversed(listens):
            when = datetime.fromtimestamp(start, UTC).strftime("%d %b %Y, %H:%M")
            writer.writerow([start, when, artist, "", album, "", track, ""])


def rate(path: Path, file_format: ScrobbleFormat, latest: str) -> tuple[float, int, int]:
    """(rows/s, rows read, listens among them) of reading the file once."""
    export_file = ExportFile(str(path), path.stat().st_size, partial(path.open, "rb"))
    rows = listens = 0
    with export_file.text() as text:
        started = time.perf_counter()
        for row in read_scrobbles(text, file_format, latest, lambda size: None):
            rows += 1
            listens += type(row) is Listen
        seconds = time.perf_counter() - started
    return rows / seconds, rows, listens


def baseline(path: Path, file_format: ScrobbleFormat) -> float:
    """Rows/s of the bare library doing the format's part: json.loads of each line, csv.reader over the file."""
    with path.open(encoding="utf-8", newline="") as text:
        started = time.perf_counter()
        if file_format is ScrobbleFormat.LISTENBRAINZ:
            rows = sum(1 for line in text if json.loads(line))
        else:
            rows = sum(1 for _row in csv.reader(text))
        return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    listens = scrobbles(args.rows)
    latest = latest_play(datetime.fromtimestamp(listens[-1][0], UTC))  # a million listens outrun today's date
    with tempfile.TemporaryDirectory(prefix="tm-bench-") as directory:
        work = Path(directory)
        files = [
            ("ListenBrainz export lines", work / "6.jsonl", write_listens, ScrobbleFormat.LISTENBRAINZ),
            ("Last.fm CSV, lastfm-to-csv (no header)", work / "lastfm.csv", write_csv, ScrobbleFormat.LASTFM_CSV),
            (
                "Last.fm CSV, lastfm.ghan.nl (uts header)",
                work / "recenttracks.csv",
                write_ghan,
                ScrobbleFormat.LASTFM_CSV,
            ),
        ]
        print("| file | rows | size | parsed | json.loads or csv.reader alone | target |")
        print("|---|---|---|---|---|---|")
        for what, path, write, file_format in files:
            write(listens, path)
            rows_per_second, rows, kept = rate(path, file_format, latest)
            assert kept == rows == args.rows, (what, rows, kept)
            size = path.stat().st_size / 1e6
            target = TARGETS[file_format]
            met = "met" if rows_per_second >= target else "NOT met"
            bare = baseline(path, file_format)
            print(
                f"| {what} | {rows:,} | {size:,.0f} MB | {rows_per_second:,.0f} rows/s | {bare:,.0f} rows/s "
                f"| ≥ {target:,} ({met}) |"
            )


if __name__ == "__main__":
    main()
