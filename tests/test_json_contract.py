"""README's "JSON output (stable)" table is the contract: every `--json` output has exactly the keys and nesting
the table shows, and every command with a `--json` option has a row."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import typer
import typer.main
from typer.testing import Result

from music_time_machine.cli import app
from music_time_machine.testing.fake_lastfm import API_KEY, FakeLastfm

from conftest import Tm, login

README = Path(__file__).resolve().parents[1] / "README.md"

# Shapes -----------------------------------------------------------------------------------------------------

SCALAR, NUMBER, BOOLEAN, STRING = "a string, number, boolean or null", "a number", "true or false", "a string"


@dataclass(frozen=True)
class Leaf:
    kind: str = SCALAR  # or NUMBER, BOOLEAN, STRING, or `"a" or "b"` for one of `values`
    values: tuple[object, ...] = ()


@dataclass(frozen=True)
class Obj:
    keys: dict[str, Shape]
    any_key: Shape | None = None  # `{<table>: N}`: the keys are data, every value has this shape


@dataclass(frozen=True)
class Lst:
    options: tuple[Shape, ...]  # each element has one of these shapes


@dataclass(frozen=True)
class Nullable:
    shape: Shape  # `{...} | null`: this shape, or null


Shape = Leaf | Obj | Lst | Nullable
TOKEN = re.compile(r'\s*("[^"]*"|<[^>]*>|\w+|[{}\[\]:,|])')
LITERALS = {"true": True, "false": False}
T = TypeVar("T")


class ShapeParser:
    """Recursive descent over README's notation (the paragraph above its table says what it means)."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens = text, TOKEN.findall(text)
        assert "".join(self.tokens) == re.sub(r"\s", "", text), f"unreadable shape: {text}"

    def parse(self) -> Shape:
        shape = self.shape()
        assert not self.tokens, f"{self.text}: unexpected {self.tokens[0]!r}"
        return shape

    def take(self, expected: str | None = None) -> str:
        assert self.tokens, f"{self.text}: ends early"
        assert expected in (None, self.tokens[0]), f"{self.text}: {expected!r} expected, found {self.tokens[0]!r}"
        return self.tokens.pop(0)

    def next_is(self, *tokens: str) -> bool:
        return bool(self.tokens) and self.tokens[0] in tokens

    def accept(self, token: str) -> bool:
        return self.next_is(token) and bool(self.take())

    def several(self, item: Callable[[], T]) -> list[T]:
        """`a | b | c`: one item or more."""
        items = [item()]
        while self.accept("|"):
            items.append(item())
        return items

    def shape(self) -> Shape:
        if self.next_is("{", "["):
            shape = self.object() if self.take() == "{" else self.list()
            if self.tokens[:2] == ["|", "null"]:
                del self.tokens[:2]
                return Nullable(shape)
            return shape
        if self.next_is("N", "bool"):
            return Leaf(NUMBER if self.take() == "N" else BOOLEAN)
        words = self.several(self.take)
        assert all(word in LITERALS or word.startswith('"') for word in words), f"{self.text}: bad value {words}"
        values = tuple(LITERALS.get(word, word.strip('"')) for word in words)
        return Leaf(" or ".join(map(json.dumps, values)), values)

    def object(self) -> Obj:
        keys: dict[str, Shape] = {}
        any_key: Shape | None = None
        while not self.next_is("}"):
            names = self.several(self.take)
            value = self.shape() if self.accept(":") else Leaf()
            for name in names:
                assert name[0] in '"<', f"{self.text}: a key expected, found {name!r}"
                if name.startswith("<"):
                    any_key = value
                else:
                    keys[name.strip('"')] = value
            if not self.accept(","):
                break
        self.take("}")
        return Obj(keys, any_key)

    def list(self) -> Lst:
        if re.fullmatch(r"[a-z_]+", self.tokens[0]) and self.tokens[0] not in LITERALS:  # [names], [uris]
            self.take()
            options = [Leaf(STRING)]
        else:
            options = self.several(self.shape)
        self.take("]")
        return Lst(tuple(options))


def problems(shape: Shape, value: object, seen: set[str], path: str = "$", where: str = "$") -> list[str]:
    """Where `value` differs from `shape`, one line per place (`path`); adds to `seen` the places (`where`, with
    `[]` for any element and `*` for any data key) that held content, and so were checked."""
    if isinstance(shape, Nullable):
        return [] if value is None else problems(shape.shape, value, seen, path, where)
    if isinstance(shape, Obj):
        return _object_problems(shape, value, seen, path, where)
    if isinstance(shape, Lst):
        return _list_problems(shape, value, seen, path, where)
    fits = {
        SCALAR: not isinstance(value, dict | list),
        NUMBER: isinstance(value, int | float) and not isinstance(value, bool),
        BOOLEAN: isinstance(value, bool),
        STRING: isinstance(value, str),
    }.get(shape.kind, any(value == v and type(value) is type(v) for v in shape.values))
    return [] if fits else [f"{path}: expected {shape.kind}, got {json.dumps(value)[:60]}"]


def _object_problems(shape: Obj, value: object, seen: set[str], path: str, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {json.dumps(value)[:60]}"]
    found = [f"{path}: missing key {key!r}" for key in shape.keys if key not in value]
    for key, item in value.items():
        if key in shape.keys:
            found += problems(shape.keys[key], item, seen, f"{path}.{key}", f"{where}.{key}")
        elif shape.any_key is not None:
            seen.add(f"{where}.*")
            found += problems(shape.any_key, item, seen, f"{path}.{key}", f"{where}.*")
        else:
            found.append(f"{path}: key {key!r} is not documented")
    return found


def _list_problems(shape: Lst, value: object, seen: set[str], path: str, where: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: expected a list, got {json.dumps(value)[:60]}"]
    for index, item in enumerate(value):
        misfits: list[str] = []
        for number, option in enumerate(shape.options):
            checked: set[str] = set()
            misfit = problems(option, item, checked, f"{path}[{index}]", f"{where}[]")
            if not misfit:
                seen |= checked | {_element(where, number, shape)}
                break
            alternative = f" (as alternative {number + 1})" if len(shape.options) > 1 else ""
            misfits += [line + alternative for line in misfit]
        else:
            return misfits  # the first element that fits no option, as each option sees it
    return []


def _element(where: str, number: int, shape: Lst) -> str:
    return f"{where}[]" if len(shape.options) == 1 else f"{where}[] (alternative {number + 1})"


def places(shape: Shape, where: str = "$") -> set[str]:
    """Every list element and data key the shape describes: what some output must have for it to be checked."""
    if isinstance(shape, Nullable):
        return places(shape.shape, where)
    if isinstance(shape, Obj):
        found = {f"{where}.*"} | places(shape.any_key, f"{where}.*") if shape.any_key else set()
        return found.union(*(places(sub, f"{where}.{key}") for key, sub in shape.keys.items()))
    if isinstance(shape, Lst):
        return set().union(
            *({_element(where, n, shape)} | places(o, f"{where}[]") for n, o in enumerate(shape.options))
        )
    return set()


# README's table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    command: str  # as written: `gems --from-history --json`
    variants: dict[str, Shape]  # label ("" when alone) -> shape

    def paths(self) -> set[str]:
        """The commands the row documents: its leading words, `a|b` naming several."""
        words = []
        for word in self.command.split():
            if not re.fullmatch(r"[a-z|-]+", word) or word.startswith("-"):
                break
            words.append(word.split("|"))
        paths = [""]
        for alternatives in words:
            paths = [f"{path} {word}".strip() for path in paths for word in alternatives]
        return set(paths)


def readme_rows() -> list[Row]:
    section = README.read_text().split("## JSON output (stable)\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        _, command, shapes, _ = (cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", line))
        variants, label_from = {}, 0
        for span in re.finditer(r"`([^`]*)`", shapes):
            if span.group(1)[:1] in "{[":
                label = shapes[label_from : span.start()].replace("`", "").strip(" ;:")
                variants[label] = ShapeParser(span.group(1)).parse()
                label_from = span.end()
        rows.append(Row(command.strip("`"), variants))
    return rows


def commands_with_json() -> set[str]:
    """Every command and subcommand that has a --json option, walked only through click's public methods
    (`list_commands`, `get_command`, `params`; Typer vendors click, and the CLI loads commands lazily)."""
    found: set[str] = set()

    def walk(command: Any, path: str, ctx: typer.Context) -> None:
        if hasattr(command, "list_commands"):  # a group
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, f"{path} {name}".strip(), typer.Context(sub, parent=ctx, info_name=name))
        elif any("--json" in getattr(param, "opts", ()) for param in command.params):
            found.add(path)

    root = typer.main.get_command(app)
    walk(root, "", typer.Context(root, info_name="tm"))
    return found


ROWS = readme_rows()

# Seed data, so that every list and data key has content, then run each command as a user would ----------------

RANGES = ("short_term", "medium_term", "long_term")
MONTHS = ("2025-01", "2025-02", "2025-03")  # the tests' clock ends mid-March 2025
UNCHARTED = {"uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC", "name": "Never Charted", "artists": [{"name": "Nobody"}]}
Seed = Callable[[Tm, Path], object]
Scenario = Callable[[Tm, Path], list[object]]


def _json(tm: Tm, *args: str, exit_code: int = 0) -> Any:
    result: Result = tm(*args)
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def run(*args: str, seed: Seed = lambda tm, folder: None, exit_code: int = 0) -> Scenario:
    def scenario(tm: Tm, folder: Path) -> list[object]:
        seed(tm, folder)
        return [_json(tm, *args, exit_code=exit_code)]

    return scenario


def _charts(tm: Tm, folder: Path | None = None) -> None:
    for month in MONTHS:
        assert tm.at(month)("snapshot").exit_code == 0


def _export(folder: Path, plays: list[tuple[str, dict]]) -> str:
    rows = [
        {
            "ts": ts,
            "ms_played": 200_000,
            "spotify_track_uri": track["uri"],
            "master_metadata_track_name": track["name"],
            "master_metadata_album_artist_name": track["artists"][0]["name"],
            "reason_end": "trackdone",
        }
        for ts, track in plays
    ]
    folder.mkdir(exist_ok=True)
    path = folder / "Streaming_History_Audio_2024-2025_0.json"
    path.write_text(json.dumps(rows))
    return str(path)


def _history(tm: Tm, folder: Path) -> None:
    """Charts of MONTHS; a track loved a year ago (five plays); this month a charted and an uncharted one."""
    _charts(tm)
    loved, charted = tm.fake.top_tracks("long_term")[:2]
    plays = [(f"2024-03-{day}T20:00:00Z", loved) for day in range(13, 18)]
    plays += [(f"2025-03-0{day}T20:00:00Z", track) for day in range(1, 8) for track in (charted, UNCHARTED)]
    assert tm("import", _export(folder, plays)).exit_code == 0


def _import(tm: Tm, folder: Path) -> list[object]:
    broken = Path(_export(folder, [(f"2025-03-0{day}T20:00:00Z", UNCHARTED) for day in range(1, 4)]))
    broken.write_text(broken.read_text()[:-40])  # truncated: one of the problems
    good = _export(folder / "good", [("2025-03-04T20:00:00Z", UNCHARTED)])
    scrobbled = folder / "scrobbles.csv"  # the same play, scrobbled as it started (200 s before its end)
    scrobbled.write_text(f"uts,artist,album,track\n{1741118202},Nobody,,Never Charted\n")
    return [_json(tm, "import", str(broken), good, str(scrobbled), "--json")]


def _import_lastfm(tm: Tm, folder: Path) -> list[object]:
    """Scrobbles through the fake Last.fm, twice: the second run resumes after the first."""
    with FakeLastfm() as lastfm:
        lastfm.seed_scrobbles("someone", [(1741118202, "Nobody", "Never Charted", None)])
        env = {"TM_LASTFM_API_KEY": API_KEY, "TM_LASTFM_API_URL": lastfm.api_url}
        runs = [tm("import-lastfm", "someone", "--json", extra_env=env) for _ in range(2)]
    assert [run.exit_code for run in runs] == [0, 0], runs[0].output
    return [json.loads(run.stdout) for run in runs]


def _wrapped(tm: Tm, folder: Path) -> list[object]:
    """Plays in 2024 and 2025 (so 2025 has a year before): a track skipped three times each year (the most skipped)
    and, in 2025 only, a discovery."""
    known, new = tm.fake.top_tracks("long_term")[:2]
    played = [(year, known) for year in (2024, 2025)] + [(2025, new)]
    rows = [
        {
            "ts": f"{year}-0{month}-1{day}T20:00:00Z",
            "ms_played": 200_000 if day else 10_000,
            "spotify_track_uri": track["uri"],
            "master_metadata_track_name": track["name"],
            "master_metadata_album_artist_name": track["artists"][0]["name"],
            "master_metadata_album_album_name": track["album"]["name"],
            "skipped": not day,
        }
        for year, track in played
        for month in (1, 2, 3)
        for day in range(3)
    ]
    folder.mkdir(exist_ok=True)
    (folder / "Streaming_History_Audio_2024-2025_0.json").write_text(json.dumps(rows))
    assert tm("import", str(folder)).exit_code == 0
    return [_json(tm, "wrapped", "2025", "--tz", "UTC", "--json")]


def _report(tm: Tm, folder: Path) -> list[object]:
    """Snapshots and plays: the gems from plays by default (February's charts from plays: the track loved a year
    ago is in the long-term one only), from the snapshots with --source spotify."""
    _history(tm, folder)
    charted = tm.fake.top_tracks("long_term")[1]
    february = [(f"2025-02-0{day}T20:00:00Z", charted) for day in range(1, 8)]
    assert tm("import", _export(folder / "february", february)).exit_code == 0
    return [_json(tm, "report", "--tz", "UTC", *source, "--json") for source in ([], ["--source", "spotify"])]


def _household(tm: Tm, folder: Path) -> None:
    """fake-listener, whose login will expire and who leaves the allow-list, and housemate, who is fine."""
    tm.fake.revoke_refresh_tokens()
    tm.fake.add_user("housemate", "Housemate")
    tm.fake.login_as("housemate")
    login(tm)
    tm.fake.expire_access_tokens()
    tm.fake.listen(until=tm.now, plays=5, user_id="housemate")


def _rotation(tm: Tm, folder: Path | None = None) -> str:
    assert tm("playlist", "rotation").exit_code == 0
    [playlist] = tm.fake.playlists.values()
    return playlist.id


def _every_source(tm: Tm, folder: Path) -> list[object]:
    """Each source twice, with a ban and a pin between, so that the second run both adds and removes."""
    _charts(tm)
    charted = [track["uri"] for time_range in RANGES for track in tm.fake.top_tracks(time_range)]
    outputs, banned = [], set()
    for source in (["gems"], ["rotation"], ["discoveries"], ["boomerangs"], ["month", "2025-02"]):
        first = _json(tm, "playlist", *source, "--json")
        banned.add(first["added"][0])
        outsider = next(uri for uri in charted if uri not in banned | set(tm.fake.playlists[first["playlist_id"]].uris))
        assert tm("ban", first["added"][0]).exit_code == 0
        assert tm("pin", outsider, "--source", first["source"]).exit_code == 0
        outputs.append(_json(tm, "playlist", *source, "--json"))
    return outputs


def _evolution_of_one(tm: Tm, folder: Path) -> list[object]:
    _charts(tm)
    track = tm.fake.top_tracks("short_term")[0]
    return [
        _json(tm, "evolution", "--artist", track["artists"][0]["name"], "--json"),
        _json(tm, "evolution", "--track", track["uri"], "--json"),
    ]


def _db_copy(tm: Tm, folder: Path) -> list[object]:
    _history(tm, folder)
    return [_json(tm, "db", "copy", "--to", str(folder / "copy.sqlite3"), "--json")]


def _db_adopt(tm: Tm, folder: Path) -> list[object]:
    _history(tm, folder)
    loved = tm.fake.top_tracks("long_term")[0]
    other = _export(folder / "other", [(f"2024-03-{day}T20:00:00Z", loved) for day in range(13, 20)])
    assert tm("import", other, "--user", "old-name").exit_code == 0
    return [_json(tm, "db", "adopt", "old-name", "--into", "fake-listener", "--json")]


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("top --json", ""): run("top", "--json"),
    ("history --json", ""): run("history", "--month", "2025-03", "--json", seed=_history),
    ("gems --json", ""): run("gems", "--json"),
    ("gems --from-history --json", "from plays"): run("gems", "--from-history", "--json", seed=_history),
    ("gems --from-history --json", "from snapshots"): run("gems", "--from-history", "--json", seed=_charts),
    ("rank-vs-plays --json", ""): run("rank-vs-plays", "--json", seed=_history),
    ("evolution --json", ""): run("evolution", "--json", seed=_charts),
    ("evolution --json", "with --artist/--track"): _evolution_of_one,
    ("compare --json", ""): run("compare", MONTHS[0], MONTHS[-1], "--json", seed=_charts),
    ("snapshot --json", ""): run("snapshot", "--json"),
    ("snapshot --all-users --json", ""): run("snapshot", "--all-users", "--json", seed=_household, exit_code=1),
    ("import --json", ""): _import,
    ("import-lastfm --json", ""): _import_lastfm,
    ("sources --json", ""): run("sources", "--json", seed=_history),
    ("sync --json", ""): run("sync", "--json", seed=lambda tm, folder: tm.fake.listen(until=tm.now, plays=5)),
    ("sync --all-users --json", ""): run("sync", "--all-users", "--json", seed=_household, exit_code=1),
    ("on-this-day --json", ""): run("on-this-day", "--date", "2025-03-15", "--years", "1", "--json", seed=_history),
    ("playlists --json", ""): run("playlists", "--json", seed=_rotation),
    ("playlist show --json", ""): lambda tm, folder: [_json(tm, "playlist", "show", _rotation(tm), "--json")],
    ("playlist gems|rotation|discoveries|boomerangs|month --json", ""): _every_source,
    ("playlist list --json", ""): run("playlist", "list", "--json", seed=_rotation),
    ("db copy --json", ""): _db_copy,
    ("db adopt --json", ""): _db_adopt,
    ("doctor --json", ""): run("doctor", "--json"),
    ("wrapped --json", ""): _wrapped,
    ("report --json", ""): _report,
    ("whoami --json", ""): run("whoami", "--json"),
}
DOCUMENTED = {(row.command, label): shape for row in ROWS for label, shape in row.variants.items()}


def test_every_documented_shape_has_a_scenario_and_every_scenario_a_row() -> None:
    unrun, unlisted = DOCUMENTED.keys() - SCENARIOS.keys(), SCENARIOS.keys() - DOCUMENTED.keys()

    assert not unrun, f"README rows (command, variant) that no scenario here runs: {sorted(unrun)}"
    assert not unlisted, f"scenarios for no row of README's JSON table: {sorted(unlisted)}"


def test_every_command_with_json_output_has_a_row() -> None:
    commands, documented = commands_with_json(), set().union(*(row.paths() for row in ROWS))

    assert not commands - documented, f"`--json` but no row in README's table: {sorted(commands - documented)}"
    assert not documented - commands, f"rows for no command with `--json`: {sorted(documented - commands)}"


@pytest.mark.parametrize(("command", "variant"), sorted(DOCUMENTED), ids=lambda text: text or "-")
def test_json_output_has_exactly_the_documented_keys(logged_in: Tm, tmp_path: Path, command: str, variant: str) -> None:
    outputs = SCENARIOS[command, variant](logged_in, tmp_path)

    shape, seen = DOCUMENTED[command, variant], set[str]()
    found = [line for output in outputs for line in problems(shape, output, seen)]
    if not found:  # every element fitted: then each list and data key must have had some, or it went unchecked
        found = [f"{place}: never had content here, so never checked" for place in sorted(places(shape) - seen)]
    assert not found, f"`tm {command}` ({variant or 'its one shape'}) differs from README's table:\n" + "\n".join(found)


def test_the_checker_takes_null_for_an_object_or_list_marked_so() -> None:
    shape = ShapeParser('{"a": {"b": N} | null, "c": [N] | null, "d": {"e"}}').parse()

    assert problems(shape, {"a": None, "c": None, "d": {"e": 1}}, set()) == []
    assert problems(shape, {"a": {"b": "x"}, "c": [1], "d": None}, set()) == [
        '$.a.b: expected a number, got "x"',
        "$.d: expected an object, got null",
    ]
    assert places(shape) == {"$.c[]"}


def test_the_checker_names_each_missing_extra_or_mistyped_place() -> None:
    shape = ShapeParser('{"a", "b" | "c": [{"d": N}], "e": {<name>: "x" | "y"}, "f": [names]}').parse()
    seen: set[str] = set()

    assert problems(shape, {"a": None, "b": [{"d": 1}], "c": [{"d": 2.5}], "e": {"k": "x"}, "f": ["n"]}, seen) == []
    assert seen == places(shape) == {"$.b[]", "$.c[]", "$.e.*", "$.f[]"}
    assert problems(shape, {"a": [], "b": [{"d": True, "z": 0}], "e": {"k": "w"}, "f": [1]}, set()) == [
        "$: missing key 'c'",
        "$.a: expected a string, number, boolean or null, got []",
        "$.b[0].d: expected a number, got true",
        "$.b[0]: key 'z' is not documented",
        '$.e.k: expected "x" or "y", got "w"',
        "$.f[0]: expected a string, got 1",
    ]
