"""The sums tm report reads (`play_quarters`, `artist_months`) stay exactly the sums of the stored plays, whatever
writes the plays: an import, the same file again, a sync, an import that replaces synced copies or drops them, an
adoption, a copy, and the migration that first fills them. Each time the test sums the plays itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from music_time_machine.models import utc_iso
from music_time_machine.testing.export_generator import write_export
from plays_oracle import ascii_lower

from conftest import SCHEMA_5, Tm

DAY_MS = 86_400_000


def _expected(tm: Tm) -> tuple[dict[tuple, list], dict[tuple, list]]:
    """The sums of the stored plays: per listener, UTC hour and quarter of it (ms, each at most a day; full plays;
    plays), and per listener, UTC month and artist (ASCII letters lowercased) (the smallest spelling, ms)."""
    quarters: dict[tuple, list] = {}
    artists: dict[tuple, list] = {}
    for user, played_at, ms, skipped, artist in tm.rows(
        "SELECT user_id, played_at, ms_played, skipped, artist_name FROM plays"
    ):
        ms = min(max(ms, 0), DAY_MS)
        sums = quarters.setdefault((user, played_at[:13], int(played_at[14:16]) // 15), [0, 0, 0])
        sums[0] += ms
        sums[1] += ms >= 30_000 and not skipped
        sums[2] += 1
        named = artists.setdefault((user, played_at[:7], ascii_lower(artist)), [artist, 0])
        named[0], named[1] = min(named[0], artist), named[1] + ms
    return quarters, artists


def assert_kept(tm: Tm) -> None:
    quarters, artists = _expected(tm)
    assert quarters, "plays to sum"
    kept_quarters = {row[:3]: list(row[3:]) for row in tm.rows("SELECT * FROM play_quarters")}
    kept_artists = {row[:3]: list(row[3:]) for row in tm.rows("SELECT * FROM artist_months")}
    assert kept_quarters == quarters
    assert kept_artists == artists


def _play(ts: str, uri: str, title: str, artist: str, ms: int, **fields: Any) -> dict[str, Any]:
    return {
        "ts": ts,
        "ms_played": ms,
        "spotify_track_uri": uri,
        "master_metadata_track_name": title,
        "master_metadata_album_artist_name": artist,
        "reason_end": "trackdone",
    } | fields


def _synced_then_exported(tm: Tm, folder: Path) -> Path:
    """Sync 30 plays, then write an export that holds richer copies of them: half in the same minute (they replace
    the synced rows), half 70 s earlier across a minute (the synced rows are dropped), plus plays on the edges of
    quarter-hours and spellings of one artist."""
    tm.fake.listen(until=tm.now - timedelta(minutes=5), plays=30)
    assert tm("sync").exit_code == 0
    names = {track["uri"]: track for track in tm.fake.top_tracks("short_term")}
    rows = []
    for number, (uri, played_at) in enumerate(tm.fake.recent_plays()):
        track = names[uri]
        moment = datetime.fromisoformat(played_at)
        ts = utc_iso(moment)[:17] + "59Z" if number % 2 else utc_iso(moment - timedelta(seconds=70))
        rows.append(_play(ts, uri, track["name"], track["artists"][0]["name"], 100_000 + number))
    for number, ts in enumerate(["T10:14:59Z", "T10:15:00Z", "T10:44:59Z", "T10:45:00Z", "T23:59:59Z"]):
        artist = ("The Edges", "the edges", "THE EDGES")[number % 3]
        uri, title, ms = f"spotify:track:Edge{number}", f"Edge {number}", 29_999 + number  # 29,999: a skip
        rows.append(_play(f"2025-02-28{ts}", uri, title, artist, ms, skipped=number == 0))
    rows.append(_play("2025-02-28T11:00:00Z", "spotify:track:Skip", "Skipped", "The Edges", 90_000, skipped=True))
    folder.mkdir()
    (folder / "Streaming_History_Audio_2025_0.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


def test_every_write_to_the_plays_keeps_the_reports_sums_exact(logged_in: Tm, tmp_path: Path) -> None:
    export = _synced_then_exported(logged_in, tmp_path / "export")
    assert_kept(logged_in)
    synced = logged_in.rows("SELECT count(*) FROM plays")

    imported = logged_in("import", str(export), "--json")

    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.stdout)
    assert summary["duplicates"] >= 15  # the same-minute copies replaced their synced rows
    assert logged_in.rows("SELECT count(*) FROM plays") == [(synced[0][0] + 6,)]  # every synced row had a copy
    assert_kept(logged_in)
    assert logged_in("import", str(export)).exit_code == 0  # the same file again: nothing changes
    assert_kept(logged_in)

    write_export(tmp_path / "other", plays=2_000)  # another listener's history, then adopted by this one
    assert logged_in("import", str(tmp_path / "other"), "--user", "housemate").exit_code == 0
    assert_kept(logged_in)
    adopted = logged_in("db", "adopt", "housemate", "--into", "fake-listener")
    assert adopted.exit_code == 0, adopted.output
    assert_kept(logged_in)

    copy = tmp_path / "copy.sqlite3"
    assert logged_in("db", "copy", "--to", str(copy)).exit_code == 0
    assert_kept(Tm(env=logged_in.env | {"TM_DB": str(copy)}, home=logged_in.home, fake=logged_in.fake, database=copy))


def test_the_migration_sums_the_plays_a_database_already_holds(tm: Tm, tmp_path: Path) -> None:
    write_export(tmp_path / "export", plays=3_000)
    assert tm("import", str(tmp_path / "export")).exit_code == 0
    with tm.db() as db:  # back to schema 5, the plays kept: as a tm before tm report left it
        for statement in SCHEMA_5:
            db.execute(statement)
        if isinstance(tm.database, Path):
            db.execute("PRAGMA user_version = 5")
        else:
            db.execute("DELETE FROM tm_schema WHERE version > 5")

    assert tm("report", "--json").exit_code == 0

    assert_kept(tm)
