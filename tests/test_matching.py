"""The dedupe rules between sources (services.matching), on generated listening: a person plays one thing at a
time, Spotify and a scrobbler each see some of those plays, and the truth of which rows are one play is known
from the generation, not from the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from music_time_machine.models import MatchRule
from music_time_machine.services.matching import RANKS, Seen, decide, match_key, seen

SPOTIFY, LISTENBRAINZ, LASTFM = RANKS["extended"], RANKS["listenbrainz"], RANKS["lastfm"]
BEGIN = datetime(2024, 1, 1, tzinfo=UTC)
SONGS = [("Artist A", "Song A"), ("Artist B", "Song B"), ("Artist C", "Song C")]
# How another service writes the same names: the rules must see through these.
SPELLINGS = [
    lambda artist, title: (artist, title),
    lambda artist, title: (artist.upper(), title.lower()),
    lambda artist, title: (f"{artist} feat. Guest", title),
    lambda artist, title: (artist, f"{title} (feat. Guest)"),
    lambda artist, title: (artist, f"{title} - Remastered 2011"),
    lambda artist, title: (artist, f"{title} [2009 Remaster]"),
]


class Played(NamedTuple):
    """A play as it happened."""

    song: int
    start: datetime
    length_ms: int


@st.composite
def listening(draw: st.DrawFn) -> list[Played]:
    """Plays one after another (a gap of 0 to 30 minutes), songs of 2 to 10 minutes, often the same song again."""
    plays, at = [], BEGIN
    for _ in range(draw(st.integers(1, 30))):
        at += timedelta(seconds=draw(st.integers(0, 1800)))
        length = draw(st.integers(120_000, 600_000))
        plays.append(Played(draw(st.integers(0, len(SONGS) - 1)), at, length))
        at += timedelta(milliseconds=length)
    return plays


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _end(moment: datetime, length_ms: int) -> str:
    return (moment + timedelta(milliseconds=length_ms)).strftime("%Y-%m-%dT%H:%M:%SZ")


def spotify_row(ref: int, play: Played) -> Seen:
    """Spotify's row: stamped at the end, with the ms played; its start is the end minus them."""
    artist, title = SONGS[play.song]
    end = play.start + timedelta(milliseconds=play.length_ms)
    return seen(ref, _end(play.start, play.length_ms), _ms(end) - play.length_ms, play.length_ms, artist, title, 0, 1)


def scrobble(ref: int, play: Played, jitter_s: int, spelling: int, rank: int, source: int, length: bool) -> Seen:
    """A scrobble: stamped at the start (a few seconds off), with the track's length or without (3:30 assumed)."""
    artist, title = SPELLINGS[spelling](*SONGS[play.song])
    start = play.start + timedelta(seconds=jitter_s)
    length_ms = play.length_ms if length else 210_000
    return seen(ref, _end(start, length_ms), _ms(start), length_ms, artist, title, rank, source)


@st.composite
def two_views(draw: st.DrawFn) -> tuple[list[Played], set[int], set[int], list[Seen], list[Seen]]:
    """The plays, which of them each source saw, and their rows (refs: Spotify's 1000+i, the scrobbler's i)."""
    plays = draw(listening())
    in_spotify = draw(st.sets(st.integers(0, len(plays) - 1)))
    in_scrobbles = draw(st.sets(st.integers(0, len(plays) - 1)))
    spotify = [spotify_row(1000 + i, plays[i]) for i in sorted(in_spotify)]
    scrobbles = [
        scrobble(
            i,
            plays[i],
            draw(st.integers(-5, 5)),
            draw(st.integers(0, len(SPELLINGS) - 1)),
            LASTFM,
            2,
            draw(st.booleans()),
        )
        for i in sorted(in_scrobbles)
    ]
    return plays, in_spotify, in_scrobbles, spotify, scrobbles


@settings(max_examples=300)
@given(two_views())
def test_a_scrobble_of_a_play_spotify_saw_is_recognised_as_that_play_and_no_other(views: tuple) -> None:
    _plays, in_spotify, in_scrobbles, spotify, scrobbles = views

    decisions = decide(scrobbles, spotify)

    assert {(match.incoming, match.known) for match in decisions.recognised} == {
        (i, 1000 + i) for i in in_scrobbles & in_spotify
    }
    assert decisions.replaced == []  # a scrobble is never richer than Spotify's row


@settings(max_examples=300)
@given(two_views())
def test_spotify_rows_replace_exactly_the_scrobbles_of_their_plays(views: tuple) -> None:
    _plays, in_spotify, in_scrobbles, spotify, scrobbles = views

    decisions = decide(spotify, scrobbles)

    assert {(match.incoming, match.known) for match in decisions.replaced} == {
        (1000 + i, i) for i in in_scrobbles & in_spotify
    }
    assert decisions.recognised == []


def test_a_repeat_straight_after_stays_two_plays() -> None:
    first = Played(0, BEGIN, 180_000)
    again = Played(0, BEGIN + timedelta(milliseconds=180_000), 180_000)

    decisions = decide([scrobble(0, first, 3, 0, LASTFM, 2, False), scrobble(1, again, 3, 0, LASTFM, 2, False)], [])
    assert decisions == ([], [])
    decisions = decide([scrobble(1, again, 3, 0, LASTFM, 2, False)], [spotify_row(1000, first)])
    assert decisions == ([], [])  # Spotify saw the first play only: the scrobble of the second is a play of its own


def test_the_richer_scrobble_wins_and_the_poorer_is_recognised() -> None:
    play = Played(1, BEGIN, 240_000)
    listenbrainz, lastfm = scrobble(0, play, 2, 0, LISTENBRAINZ, 2, True), scrobble(1, play, -1, 4, LASTFM, 3, False)

    assert [match.known for match in decide([listenbrainz], [lastfm]).replaced] == [1]
    assert [match.known for match in decide([lastfm], [listenbrainz]).recognised] == [0]


def test_rows_of_one_source_are_one_play_only_when_they_start_in_the_same_second() -> None:
    play = Played(2, BEGIN, 200_000)
    stored = scrobble(5, play, 0, 0, LASTFM, 3, False)

    assert decide([scrobble(0, play, 30, 0, LASTFM, 3, False)], [stored]) == ([], [])
    [match] = decide([scrobble(0, play, 0, 0, LASTFM, 3, False)], [stored]).recognised
    assert match.rule is MatchRule.SAME_SECOND


def test_two_spotify_rows_are_left_to_the_store() -> None:
    play = Played(0, BEGIN, 200_000)
    synced = seen(7, _end(BEGIN, 200_000), _ms(BEGIN), 200_000, "Artist A", "Song A", RANKS["recently-played"], 9)

    assert decide([spotify_row(1000, play)], [synced]) == ([], [])


def test_a_scrobble_ending_in_the_minute_of_a_spotify_skip_is_that_play_however_far_their_starts() -> None:
    """The store keys plays on the minute they end and their names: the rules see the same, so that the store's
    index never meets two rows of one play."""
    skip = seen(1000, "2024-01-01T00:20:10Z", _ms(BEGIN + timedelta(minutes=20)), 10_000, "Artist A", "Song A", 0, 1)
    long = seen(0, "2024-01-01T00:20:40Z", _ms(BEGIN + timedelta(minutes=5)), 940_000, "artist a", "song a", 3, 2)

    [match] = decide([long], [skip]).recognised
    assert match.rule is MatchRule.SAME_MINUTE


def test_names_are_matched_through_case_featuring_and_remaster_suffixes() -> None:
    plain = match_key("The Beatles", "Let It Be")

    for artist, title in [
        ("THE BEATLES", "let it be"),
        ("The Beatles feat. Billy Preston", "Let It Be"),
        ("The Beatles ft. Billy Preston", "Let It Be (feat. Billy Preston)"),
        ("The Beatles", "Let It Be - Remastered 2009"),
        ("The Beatles", "Let It Be - 2009 Remaster"),
        ("The Beatles", "Let It Be (Remastered)"),
        ("  The   Beatles ", "Let It Be [2009 Digital Remaster]"),
    ]:
        assert match_key(artist, title) == plain, (artist, title)
    assert match_key("Guns N\u2019 Roses", "Don\u2019t Cry") == match_key("Guns N' Roses", "Don't Cry")
    assert match_key("The Beatles", "Let It Be Naked") != plain
    assert match_key("Featuring", "Feat. Somebody") == ("featuring", "feat. somebody")  # nothing left: kept whole
