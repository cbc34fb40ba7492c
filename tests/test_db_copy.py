"""`tm db copy`: a SQLite history moves into another database (PostgreSQL, or another file) whole, idempotently,
and every read command answers the same from the copy."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Tm, error_lines


def _history_in(tm: Tm, source: str, tmp_path: Path) -> None:
    """Three months of snapshots, imported plays, a ban and a managed playlist, in the SQLite file `source`."""
    for month in ("2025-01", "2025-02", "2025-03"):
        assert tm.at(month)("snapshot", "--db", source).exit_code == 0
    catalog = tm.fake.top_tracks("long_term")
    plays = [
        {
            "ts": f"2024-0{month}-0{day}T10:00:00Z",
            "ms_played": 200_000,
            "spotify_track_uri": track["uri"],
            "master_metadata_track_name": track["name"],
            "master_metadata_album_artist_name": track["artists"][0]["name"],
            "skipped": False,
            "reason_end": "trackdone",
        }
        for month in range(1, 7)
        for day in range(1, 8)
        for track in catalog[month : month + 3]
    ]
    export = tmp_path / "Streaming_History_Audio_2024_0.json"
    export.write_text(json.dumps(plays))
    assert tm("import", str(export), "--db", source).exit_code == 0
    assert tm("ban", catalog[0]["uri"], "--db", source).exit_code == 0
    assert tm("playlist", "rotation", "--db", source).exit_code == 0


READS = [
    ("history", "--month", "2025-02", "--json"),
    ("history", "--month", "2024-03", "--json"),
    ("evolution", "--json"),
    ("compare", "2025-01", "2025-03", "--json"),
    ("gems", "--from-history", "--json"),
    ("rank-vs-plays", "--json"),
    ("playlist", "list", "--json"),
    ("export", "snapshots"),
]


def test_a_copy_answers_every_read_exactly_like_the_original(logged_in: Tm, tmp_path: Path) -> None:
    source = str(tmp_path / "old.sqlite3")
    _history_in(logged_in, source, tmp_path)
    target = str(logged_in.database)

    copied = logged_in("db", "copy", "--db", source, "--to", target, "--json")

    assert copied.exit_code == 0, copied.output
    report = json.loads(copied.stdout)
    assert report["added"]["snapshots"] == 9
    assert report["added"]["plays"] == 6 * 7 * 3
    counts = report["counts"]["fake-listener"]
    assert all(row["source"] == row["target"] > 0 for table, row in counts.items() if table != "track_rules")
    for read in READS:
        original, copy = logged_in(*read, "--db", source), logged_in(*read, "--db", target)
        assert copy.exit_code == original.exit_code == 0, (read, copy.output)
        assert copy.stdout == original.stdout, read


def test_copying_again_adds_nothing(logged_in: Tm, tmp_path: Path) -> None:
    source = str(tmp_path / "old.sqlite3")
    _history_in(logged_in, source, tmp_path)
    target = str(logged_in.database)
    logged_in("db", "copy", "--db", source, "--to", target)

    again = logged_in("db", "copy", "--db", source, "--to", target, "--json")

    assert again.exit_code == 0, again.output
    assert set(json.loads(again.stdout)["added"].values()) == {0}


def test_a_copy_joins_another_listeners_history_without_touching_it(logged_in: Tm, tmp_path: Path) -> None:
    source = str(tmp_path / "old.sqlite3")
    _history_in(logged_in, source, tmp_path)
    with logged_in.db() as db:  # someone else in the household already keeps their history here
        db.execute("INSERT INTO users (id, first_seen_at, last_seen_at) VALUES ('housemate', '2025', '2025')")
        db.execute(
            "INSERT INTO snapshots (user_id, time_range, taken_at, taken_on) "
            "VALUES ('housemate', 'short_term', '2025-01-02T00:00:00Z', '2025-01-02')"
        )

    copied = logged_in("db", "copy", "--db", source, "--to", str(logged_in.database))

    assert copied.exit_code == 0, copied.output
    assert logged_in.rows("SELECT user_id, count(*) FROM snapshots GROUP BY user_id ORDER BY user_id") == [
        ("fake-listener", 9),
        ("housemate", 1),
    ]


def test_copying_a_database_onto_itself_is_a_usage_error(logged_in: Tm) -> None:
    logged_in("snapshot")

    result = logged_in("db", "copy", "--to", str(logged_in.database))

    assert result.exit_code == 2
    assert error_lines(result)[0].startswith("Error: Source and target are the same database")


def test_a_copy_goes_back_to_sqlite_unchanged(logged_in: Tm, tmp_path: Path) -> None:
    source, back = str(tmp_path / "old.sqlite3"), str(tmp_path / "back.sqlite3")
    _history_in(logged_in, source, tmp_path)
    logged_in("db", "copy", "--db", source, "--to", str(logged_in.database))

    returned = logged_in("db", "copy", "--db", str(logged_in.database), "--to", back)

    assert returned.exit_code == 0, returned.output
    for read in READS:
        assert logged_in(*read, "--db", back).stdout == logged_in(*read, "--db", source).stdout, read


def test_a_file_the_target_imported_under_another_name_is_not_imported_twice(logged_in: Tm, tmp_path: Path) -> None:
    source = str(tmp_path / "old.sqlite3")
    _history_in(logged_in, source, tmp_path)
    renamed = tmp_path / "renamed" / "Streaming_History_Audio_2024_9.json"
    renamed.parent.mkdir()
    renamed.write_bytes((tmp_path / "Streaming_History_Audio_2024_0.json").read_bytes())
    assert logged_in("import", str(renamed)).exit_code == 0  # the same plays, already in the target

    copied = logged_in("db", "copy", "--db", source, "--to", str(logged_in.database), "--json")

    assert copied.exit_code == 0, copied.output
    assert json.loads(copied.stdout)["added"]["plays"] == 0
    assert logged_in.rows("SELECT count(*) FROM play_sources WHERE sha256 IS NOT NULL") == [(1,)]


def test_a_missing_or_identical_source_is_a_usage_error(logged_in: Tm, tmp_path: Path) -> None:
    missing = logged_in("db", "copy", "--db", str(tmp_path / "typo.sqlite3"), "--to", str(tmp_path / "new.sqlite3"))
    logged_in("snapshot", "--db", str(tmp_path / "a.sqlite3"))
    same = logged_in(
        "db", "copy", "--db", str(tmp_path / "a.sqlite3"), "--to", str(tmp_path / "x" / ".." / "a.sqlite3")
    )

    assert missing.exit_code == same.exit_code == 2
    assert error_lines(missing)[0] == f"Error: There is no database at {tmp_path / 'typo.sqlite3'} to copy."
    assert not (tmp_path / "typo.sqlite3").exists()
    assert error_lines(same)[0].startswith("Error: Source and target are the same database")
