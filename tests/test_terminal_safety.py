"""What strangers write is shown, never obeyed (issue 15, group 2): names, Spotify's error texts and file names
reach the terminal through messages, errors, tables and JSON without a single character a terminal acts on."""

from __future__ import annotations

import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from music_time_machine.printable import json_text, printable

from conftest import Tm, login, obeyed, shown_safely

HOSTILE = {
    "CSI clear screen": "\x1b[2J\x1b[H",
    "OSC 52 clipboard write": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "C1 CSI": "\x9b31m",
    "next line (NEL)": "\x85",
    "bidi override": "\u202eevil",
    "bidi isolate": "\u2067x\u2069",
    "line separator": "\u2028",
    "a forged line": "\nError: forged",
    "backspaces": "\b\b\b\b",
}
hostile = pytest.mark.parametrize("evil", list(HOSTILE.values()), ids=list(HOSTILE))


@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_printable_keeps_what_is_safe_and_shows_the_rest(text: str) -> None:
    shown = printable(text)

    assert len(shown) == len(text)  # one character for one: columns and alignment stay as they were
    assert not any(map(obeyed, shown))
    for before, after in zip(text, shown, strict=True):
        assert after == before or obeyed(before) or unicodedata.category(before) == "Cf"


@given(st.text())
def test_json_text_reads_back_to_the_same_data_and_is_safe(text: str) -> None:
    dumped = json_text({"name": text, "list": [text]}, indent=2)

    assert json.loads(dumped) == {"name": text, "list": [text]}
    assert shown_safely(dumped)


def _stranger(tm: Tm, display_name: str) -> None:
    tm.fake.add_user("stranger", display_name)
    tm.fake.login_as("stranger")
    login(tm)


@hostile
def test_a_display_name_is_shown_in_whoami_and_never_obeyed(tm: Tm, evil: str) -> None:
    _stranger(tm, f"Mal{evil}lory")

    text = tm("whoami")
    as_json = tm("whoami", "--json")

    assert text.exit_code == 0, text.output
    assert "Mal" in text.stdout
    assert "lory" in text.stdout
    assert shown_safely(text.stdout)
    assert not any(line.startswith("Error") for line in text.stdout.split("\n"))
    assert shown_safely(as_json.stdout)
    assert json.loads(as_json.stdout)["display_name"] == f"Mal{evil}lory"  # the data itself is unchanged


@hostile
def test_track_names_in_a_playlist_diff_are_never_obeyed(logged_in: Tm, evil: str) -> None:
    logged_in("snapshot")
    with logged_in.db() as db:
        db.execute("UPDATE tracks SET name = ?", (f"Song{evil}Name",))

    result = logged_in("playlist", "rotation", "--dry-run")

    assert result.exit_code == 0, result.output
    diff = [line for line in result.stderr.split("\n") if line.startswith("  + ")]
    assert len(diff) == 50
    assert all(line.startswith("  + Song") and "Name — " in line for line in diff)
    assert shown_safely(result.stderr)


@hostile
def test_spotifys_error_text_is_one_line_that_is_never_obeyed(logged_in: Tm, evil: str) -> None:
    logged_in.fake.fail_next("/v1/me/top", 418, body={"error": {"status": 418, "message": f"teapot{evil}!"}})

    result = logged_in("top", "--range", "short")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Spotify answered HTTP 418: ")
    assert shown_safely(result.stderr, lines=1)


def _broken_history(path: Path) -> None:
    """A history file whose first row is fine and whose second is cut off: the summary names the file."""
    path.write_text('[{"ts": "2024-01-01T00:00:00Z", "ms_played": 40000}, {"ts": ')


@hostile
def test_a_file_name_in_the_import_summary_is_never_obeyed(tm: Tm, tmp_path: Path, evil: str) -> None:
    if "\n" in evil:
        evil = evil.replace("\n", "\r")  # a name may hold any character but "/" and NUL; CR stands in for LF here
    export = tmp_path / "export"
    export.mkdir()
    _broken_history(export / f"Streaming_History_Audio_{evil}.json")

    result = tm("import", str(export))

    assert result.exit_code == 0, result.output
    assert "Streaming_History_Audio_" in result.stderr
    assert shown_safely(result.stderr)


@pytest.mark.parametrize("packed", [False, True], ids=["file", "zip"])
def test_a_file_name_that_is_not_utf8_is_named_instead_of_crashing(tm: Tm, tmp_path: Path, packed: bool) -> None:
    export = tmp_path / "export"
    export.mkdir()
    history = Path(os.fsdecode(bytes(export) + b"/Streaming_History_Audio_\xff\xfe.json"))
    _broken_history(history)
    if packed:  # the zip's own name is the one that is not UTF-8
        with zipfile.ZipFile(os.fsdecode(bytes(export) + b"/my_data_\xff.zip"), "w") as archive:
            archive.write(history, "Streaming_History_Audio_1.json")
        history.unlink()

    result = tm("import", str(export))

    assert result.exit_code == 0, result.output
    told = (
        "my_data_\ufffd.zip!Streaming_History_Audio_1.json" if packed else "Streaming_History_Audio_\ufffd\ufffd.json"
    )
    assert told in result.stderr


def test_a_database_error_of_several_lines_is_told_on_one(logged_in: Tm) -> None:
    """PostgreSQL's errors carry DETAIL and LINE parts on lines of their own; each stays readable, on one line."""
    logged_in("history", "--month", "2025-03")  # creates the database
    with logged_in.db() as db:  # fail on the first chart row a snapshot writes
        if isinstance(logged_in.database, Path):
            db.execute(
                "CREATE TRIGGER fail BEFORE INSERT ON snapshot_items "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire\nDETAIL: the second line'); END"
            )
        else:
            db.execute(
                "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'disk on fire' USING DETAIL = 'the second line'; END $$"
            )
            db.execute("CREATE TRIGGER fail BEFORE INSERT ON snapshot_items FOR EACH ROW EXECUTE FUNCTION fail()")

    result = logged_in("snapshot")

    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: Database error: disk on fire / DETAIL:")
    assert "the second line" in first
    assert "\ufffd" not in first
