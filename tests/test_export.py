"""`tm export`: snapshots and playlists as CSV (header row) or JSON, streamed, round-tripping the database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import Tm


def test_snapshot_export_round_trips_as_json_and_csv(logged_in: Tm) -> None:
    logged_in.at("2025-01")("snapshot")
    logged_in.at("2025-02")("snapshot", "--range", "long")

    as_json = json.loads(logged_in("export", "snapshots", "--format", "json").stdout)
    as_csv = list(csv.DictReader(io.StringIO(logged_in("export", "snapshots").stdout)))

    stored = logged_in.rows(
        "SELECT s.time_range, s.taken_at, i.rank, i.track_uri FROM snapshots s "
        "JOIN snapshot_items i ON i.snapshot_id = s.id ORDER BY s.taken_at, s.time_range, i.rank"
    )
    assert [(r["time_range"], r["taken_at"], r["rank"], r["track_uri"]) for r in as_json] == stored
    assert len(as_json) == 200
    assert as_csv == [{key: str(value) for key, value in row.items()} for row in as_json]
    first = logged_in.fake.top_tracks("long_term")  # 2025-02 is the fake's month now
    last_long = next(r for r in as_json if r["taken_at"].startswith("2025-02"))
    assert (last_long["track"], last_long["artists"]) == (
        first[0]["name"],
        ", ".join(a["name"] for a in first[0]["artists"]),
    )


def test_playlist_export_to_a_file(logged_in: Tm, tmp_path: Path) -> None:
    logged_in("gems", "--create-playlist")
    target = tmp_path / "playlists.json"

    result = logged_in("export", "playlists", "--format", "json", "--out", str(target))

    assert result.exit_code == 0, result.output
    assert "Wrote 1 rows" in result.stderr
    [row] = json.loads(target.read_text())
    assert (row["kind"], row["name"]) == ("gems", "Forgotten Gems")
    assert list(tmp_path.glob(".*.tmp")) == []


def test_an_empty_export_is_valid(logged_in: Tm) -> None:
    assert json.loads(logged_in("export", "playlists", "--format", "json").stdout) == []
    assert logged_in("export", "playlists").stdout.splitlines() == [
        "kind,playlist_id,name,track_count,created_at,updated_at"
    ]
