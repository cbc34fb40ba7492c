"""user.getRecentTracks answers into listens: real answers (tests/data/lastfm/, SOURCES.md) give what this test
reads from their JSON itself; Last.fm's quirks (one track as an object, now playing, empty albums, extended=1);
rows that cannot be plays are malformed, answers that are not pages are refused, and no JSON value crashes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from music_time_machine.lastfm.parse import RecentTracksPage, UnexpectedAnswer, recent_tracks_page
from music_time_machine.models import MAX_NAME
from music_time_machine.privacy_export.rows import SkipReason
from music_time_machine.scrobbles.listen import Listen
from strategies import json_values, names, stored

SAMPLES = Path(__file__).parent / "data" / "lastfm"
LATEST = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())  # a clock after every sample
START_2020 = 1_600_000_000


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def _expected(answer: dict) -> RecentTracksPage:
    """What an answer holds, read here from its JSON: every entry but the one playing now, in order."""
    recent = answer["recenttracks"]
    attributes = recent["@attr"]
    entries = recent["track"] if isinstance(recent["track"], list) else [recent["track"]]
    listens: list[Listen | SkipReason] = [
        Listen(
            stored(datetime.fromtimestamp(int(entry["date"]["uts"]), UTC)),
            entry["artist"].get("#text", entry["artist"].get("name")),
            entry["name"],
            entry["album"]["#text"] or None,
            None,
            None,
        )
        for entry in entries
        if "nowplaying" not in entry.get("@attr", {})
    ]
    return RecentTracksPage(listens, int(attributes["page"]), int(attributes["totalPages"]), int(attributes["total"]))


@pytest.mark.parametrize("name", sorted(path.name for path in SAMPLES.glob("*.json")))
def test_real_answers_give_the_scrobbles_their_json_holds(name: str) -> None:
    answer = _sample(name)

    assert recent_tracks_page(answer, LATEST) == _expected(answer)


def test_the_samples_hold_the_quirks_they_are_kept_for() -> None:
    """A guard on the data: a sample edited into something plain would test nothing."""
    playing = _sample("loige-page2-now-playing.json")["recenttracks"]["track"]
    extended = _sample("loige-extended-now-playing.json")["recenttracks"]["track"]

    assert playing[0]["@attr"] == {"nowplaying": "true"}
    assert "date" not in playing[0]
    assert len(playing) == int(_sample("loige-page2-now-playing.json")["recenttracks"]["@attr"]["perPage"]) + 1
    assert all("name" in entry["artist"] and "#text" not in entry["artist"] for entry in extended)
    assert _sample("loige-empty.json")["recenttracks"]["track"] == []


def test_one_scrobble_comes_as_an_object_not_a_list() -> None:
    answer = _sample("loige-page3.json")
    only = answer["recenttracks"]["track"][0]
    answer["recenttracks"] |= {"track": only, "@attr": answer["recenttracks"]["@attr"] | {"total": "1"}}

    page = recent_tracks_page(answer, LATEST)

    assert page.listens == [
        Listen(
            stored(datetime.fromtimestamp(int(only["date"]["uts"]), UTC)),
            only["artist"]["#text"],
            only["name"],
            only["album"]["#text"],
            None,
            None,
        )
    ]
    assert page.total == 1


def test_a_page_of_only_the_track_playing_now_holds_no_scrobble() -> None:
    """As in nilsbu/lastfm's recorded answer: the one entry, an object, is playing now; totalPages is "0"."""
    playing = _sample("loige-page2-now-playing.json")["recenttracks"]["track"][0]
    attributes = {"page": "1", "total": "0", "user": "someone", "perPage": "200", "totalPages": "0"}

    page = recent_tracks_page({"recenttracks": {"@attr": attributes, "track": playing}}, LATEST)

    assert page == RecentTracksPage([], 1, 0, 0)


def test_no_track_key_is_an_empty_page() -> None:
    attributes = {"page": "3", "total": "400", "perPage": "200", "totalPages": "2"}

    assert recent_tracks_page({"recenttracks": {"@attr": attributes}}, LATEST) == RecentTracksPage([], 3, 2, 400)


def _page_of(*entries: object) -> dict:
    attributes = {"page": "1", "total": str(len(entries)), "perPage": "200", "totalPages": "1"}
    return {"recenttracks": {"@attr": attributes, "track": list(entries)}}


def _entry(**fields: object) -> dict:
    plain = {
        "artist": {"mbid": "", "#text": "Artist"},
        "name": "Track",
        "album": {"mbid": "", "#text": "Album"},
        "date": {"uts": str(START_2020), "#text": "13 Sep 2020, 12:26"},
    }
    return plain | fields


@pytest.mark.parametrize(
    "entry",
    [
        _entry(artist={"mbid": "", "#text": ""}),
        _entry(artist={"mbid": "", "#text": "   "}),
        _entry(name=""),
        _entry(name=12),
        _entry(name="nul\x00inside"),
        _entry(date={"#text": "no uts"}),
        _entry(date={"uts": 1_600_000_000}),  # Last.fm sends a string
        _entry(date={"uts": "-5"}),
        _entry(date={"uts": "1e9"}),
        _entry(date={"uts": "\uff11\uff16" + "0" * 8}),  # fullwidth digits
        _entry(date={"uts": str(int(datetime(2002, 9, 30, tzinfo=UTC).timestamp()))}),  # before EARLIEST_PLAY
        _entry(date={"uts": str(LATEST + 1)}),
        {k: v for k, v in _entry().items() if k != "date"},  # no date and not playing now
        "a track as text",
        None,
        [],
    ],
)
def test_a_track_that_cannot_be_a_play_is_malformed_and_still_counted(entry: object) -> None:
    page = recent_tracks_page(_page_of(entry, _entry()), LATEST)

    assert page.listens == [
        SkipReason.MALFORMED,
        Listen("2020-09-13T12:26:40Z", "Artist", "Track", "Album", None, None),
    ]


def test_an_empty_album_is_none_and_long_names_are_cut() -> None:
    long_name = "x" * (MAX_NAME + 50)
    entries = [_entry(album={"mbid": "", "#text": ""}), _entry(album={}, name=long_name), _entry(album=None)]

    listens = recent_tracks_page(_page_of(*entries), LATEST).listens

    assert [listen.album_name for listen in listens if isinstance(listen, Listen)] == [None, None, None]
    assert [len(listen.track_name) for listen in listens if isinstance(listen, Listen)] == [5, MAX_NAME, 5]


def test_the_start_is_the_scrobble_time_at_the_edges_of_the_bounds() -> None:
    earliest = int(datetime(2002, 10, 1, tzinfo=UTC).timestamp())
    entries = [_entry(date={"uts": str(earliest)}), _entry(date={"uts": str(LATEST)})]

    listens = recent_tracks_page(_page_of(*entries), LATEST).listens

    assert [getattr(listen, "started_at", None) for listen in listens] == [
        "2002-10-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
    ]


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        "recenttracks",
        {"error": 6, "message": "User not found"},
        {"recenttracks": []},
        {"recenttracks": {"track": []}},  # no @attr
        {"recenttracks": {"@attr": [], "track": []}},
        {"recenttracks": {"@attr": {"page": "one", "totalPages": "1", "total": "1"}}},
        {"recenttracks": {"@attr": {"page": "1", "totalPages": "-1", "total": "1"}}},
        {"recenttracks": {"@attr": {"page": "1", "totalPages": True, "total": "1"}}},
        {"recenttracks": {"@attr": {"page": "1", "totalPages": "1", "total": "9" * 30}}},
    ],
)
def test_an_answer_that_is_not_a_page_of_recent_tracks_is_refused(answer: object) -> None:
    with pytest.raises(UnexpectedAnswer):
        recent_tracks_page(answer, LATEST)


def _near_misses() -> st.SearchStrategy[object]:
    """Pages as Last.fm sends them, any of whose parts may be any JSON value."""
    entry = st.fixed_dictionaries(
        {},
        optional={
            "artist": st.one_of(st.fixed_dictionaries({"#text": names}), st.fixed_dictionaries({"name": names})),
            "name": names,
            "album": st.fixed_dictionaries({"#text": names}) | json_values,
            "date": st.fixed_dictionaries({"uts": st.integers(0, 2**40).map(str) | json_values}) | json_values,
            "@attr": st.fixed_dictionaries({"nowplaying": st.sampled_from(["true", "false", True])}) | json_values,
        },
    )
    count = st.integers(0, 2**40).map(str) | json_values
    attributes = st.fixed_dictionaries({}, optional={"page": count, "totalPages": count, "total": count})
    tracks = st.lists(entry | json_values, max_size=5) | entry | json_values
    recent = st.fixed_dictionaries({"@attr": attributes | json_values}, optional={"track": tracks})
    return st.fixed_dictionaries({"recenttracks": recent | json_values}) | json_values


@given(_near_misses())
def test_no_json_value_crashes_the_parser(answer: object) -> None:
    try:
        page = recent_tracks_page(answer, LATEST)
    except UnexpectedAnswer:
        return
    assert min(page.page, page.total_pages, page.total) >= 0
    for listen in page.listens:
        assert listen is SkipReason.MALFORMED or (
            isinstance(listen, Listen) and listen.artist_name.strip() and len(listen.track_name) <= MAX_NAME
        )
