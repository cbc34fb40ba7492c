"""P6 other histories: import rates of a ListenBrainz export, a Last.fm CSV and Last.fm's API (the fake, on
loopback), each into an empty database and, for ListenBrainz, into the 10-year database whose million Spotify plays
it overlaps (every listen then judged against the plays near it); and the 1M-play Spotify import into a database
that holds those scrobbles (each batch makes them give way) against the same import into one that does not.

    .venv/bin/python bench/scrobbles.py --listens 200000    # on its own, into a fresh folder
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import TM, Row, measure

from music_time_machine.testing.fake_lastfm import API_KEY, FakeLastfm

START = datetime(2016, 1, 1, 18, tzinfo=UTC)  # where the synthetic Spotify export starts too


def scrobbles(count: int, seed: int = 5) -> list[tuple[int, str, str, str, int]]:
    """(start, artist, track, album, length ms): one listen after another, 2:30 to 7 minutes each, in evenings."""
    rng, at, found = random.Random(seed), START, []
    while len(found) < count:
        for _ in range(rng.randint(5, 40)):
            length = rng.randint(150, 420) * 1000
            number = rng.randrange(20_000)
            found.append(
                (int(at.timestamp()), f"Artist {number % 3_000}", f"Track {number}", f"Album {number % 7_000}", length)
            )
            at += timedelta(milliseconds=length, seconds=rng.randint(0, 30))
        at += timedelta(hours=rng.randint(12, 36))
    return found[:count]


def write_listenbrainz(listens: list[tuple[int, str, str, str, int]], path: Path) -> None:
    months: dict[str, list[str]] = {}
    for number, (start, artist, track, album, length) in enumerate(listens):
        when = datetime.fromtimestamp(start, UTC)
        info = {"duration_ms": length, "music_service": "spotify.com"} if number % 2 else {"music_service": "x"}
        metadata = {"artist_name": artist, "track_name": track, "release_name": album, "additional_info": info}
        line = {
            "listened_at": start,
            "inserted_at": start + 5,
            "recording_msid": f"{number}",
            "track_metadata": metadata,
        }
        months.setdefault(f"listens/{when.year}/{when.month}.jsonl", []).append(json.dumps(line))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("user.json", json.dumps({"user_id": 1, "username": "bench"}))
        for name, lines in months.items():
            archive.writestr(name, "\n".join(lines) + "\n")


def write_csv(listens: list[tuple[int, str, str, str, int]], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for start, artist, track, album, _length in reversed(listens):
        writer.writerow([artist, album, track, datetime.fromtimestamp(start, UTC).strftime("%d %b %Y %H:%M")])
    path.write_text(buffer.getvalue())


def _rate(command: list[str], env: dict[str, str], rows: int) -> tuple[float, float, dict]:
    seconds, peak, out = measure(command, env)
    return rows / seconds, peak, json.loads(out)


def scrobble_imports(work: Path, env: dict[str, str], ten_years: Path, count: int) -> list[Row]:
    listens = scrobbles(count)
    lb, lastfm_csv = work / "listenbrainz_bench.zip", work / "lastfm.csv"
    write_listenbrainz(listens, lb)
    write_csv(listens, lastfm_csv)
    user = ["--user", "fake-listener", "--json"]
    empty = work / "scrobbles-only.sqlite3"
    lb_rate, lb_rss, _ = _rate([TM, "import", str(lb), "--db", str(empty), *user], env, count)
    csv_rate, csv_rss, _ = _rate([TM, "import", str(lastfm_csv), "--db", str(work / "csv.sqlite3"), *user], env, count)
    with FakeLastfm() as lastfm:
        lastfm.seed_scrobbles("bench", [(start, artist, track, album) for start, artist, track, album, _ in listens])
        api_env = {**env, "TM_LASTFM_API_KEY": API_KEY, "TM_LASTFM_API_URL": lastfm.api_url}
        api_command = [TM, "import-lastfm", "bench", "--db", str(work / "api.sqlite3"), *user]
        api_rate, api_rss, _ = _rate(api_command, api_env, count)
    overlapping = work / "ten-years-and-scrobbles.sqlite3"
    shutil.copyfile(ten_years, overlapping)
    meeting_rate, _meeting_rss, meeting = _rate([TM, "import", str(lb), "--db", str(overlapping), *user], env, count)
    rows = [
        Row(
            "P6",
            f"`tm import` of a ListenBrainz export, {count:,} listens, empty database",
            f"{lb_rate:,.0f} rows/s, {lb_rss:.0f} MB",
            None,
            "(for reference)",
            True,
        ),
        Row(
            "P6",
            f"`tm import` of a Last.fm CSV, {count:,} scrobbles, empty database",
            f"{csv_rate:,.0f} rows/s, {csv_rss:.0f} MB",
            None,
            "(for reference)",
            True,
        ),
        Row(
            "P6",
            f"`tm import-lastfm` of {count:,} scrobbles from the fake Last.fm on loopback",
            f"{api_rate:,.0f} rows/s, {api_rss:.0f} MB",
            None,
            "(for reference)",
            True,
        ),
        Row(
            "P6",
            "the ListenBrainz import meeting the 1M Spotify plays vs into an empty database",
            f"{meeting_rate:,.0f} vs {lb_rate:,.0f} rows/s ({meeting['duplicates']:,} recognised)",
            lb_rate / meeting_rate,
            "≤ 3x",
            lb_rate / meeting_rate <= 3,
        ),
    ]
    return rows + _spotify_after_scrobbles(work, env, empty)


def _spotify_after_scrobbles(work: Path, env: dict[str, str], with_scrobbles: Path) -> list[Row]:
    """The Spotify export (the P3 one, in work/export) into the scrobbles' database vs into an empty one."""
    command = [TM, "import", str(work / "export"), "--user", "fake-listener", "--json", "--db"]
    plain, _, _ = measure([*command, str(work / "spotify-only.sqlite3")], env)
    meeting, peak, out = measure([*command, str(with_scrobbles)], env)
    replaced = json.loads(out)["replaced"]
    return [
        Row(
            "P6",
            "`tm import` of the 1M-play Spotify export into the ListenBrainz database vs into an empty one",
            f"{meeting:.1f} s vs {plain:.1f} s ({replaced:,} scrobbles gave way; {peak:.0f} MB)",
            meeting / plain,
            "≤ 2x",
            meeting / plain <= 2,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listens", type=int, default=200_000)
    parser.add_argument("--plays", type=int, default=1_000_000, help="Spotify plays of the export met")
    args = parser.parse_args()
    from music_time_machine.testing.export_generator import write_export

    with tempfile.TemporaryDirectory(prefix="tm-bench-") as directory:
        work = Path(directory)
        env = {**os.environ, "TM_HOME": str(work / "home")}
        env.pop("TM_DB", None)
        write_export(work / "export", plays=args.plays, seed=1)
        ten_years = work / "ten-years.sqlite3"
        measure([TM, "import", str(work / "export"), "--user", "fake-listener", "--db", str(ten_years), "--json"], env)
        for row in scrobble_imports(work, env, ten_years, args.listens):
            ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
            print(f"| {row.id} | {row.what} | {row.measured} | {ratio} | {row.target} |")


if __name__ == "__main__":
    main()
