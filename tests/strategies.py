"""Hypothesis strategies for hostile input: timestamps built from parts (valid or not, with the answer they should
give worked out here, from `datetime` itself), and privacy-export rows whose fields may be anything JSON holds.

A `TimeText` knows its own truth: `utc` is the UTC time in our stored format it denotes, or None when it denotes
no time at all (a part out of range, a wrong number of digits, a digit of another script, a shape tm does not
take). Range checks (Spotify's founding, tomorrow) are left to the test, which knows its clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

from hypothesis import strategies as st

# Digits of other scripts: Python's \d and int() take them all (fullwidth, Arabic-Indic, Devanagari, Bengali,
# Thai, mathematical bold); a timestamp holding one is not a time.
FOREIGN_DIGITS = "３٣३৩๓𝟑۳"


class TimeText(NamedTuple):
    text: str
    utc: str | None  # what it denotes, as 2025-03-15T12:00:00Z; None: not a time


def stored(moment: datetime) -> str:
    """A UTC time as tm stores it, written out part by part (not by the code under test)."""
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return f"{day}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"


def _truth(parts: tuple[int, ...], offset_minutes: int | None) -> str | None:
    """The UTC time that date/time parts and an offset (None: UTC) denote, or None when they are not a time."""
    zone = UTC if offset_minutes is None else timezone(timedelta(minutes=offset_minutes))
    try:
        moment = datetime(*parts, tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return stored(moment) if moment.year >= 1000 else None


@st.composite
def _number(draw: st.DrawFn, low: int, high: int, width: int) -> tuple[str, bool]:
    """A number as text, usually `width` digits; also one digit short or long (then not a valid part)."""
    value = draw(st.integers(low, high))
    digits = draw(st.sampled_from([width, width, width, width - 1, width + 1]))
    return f"{value:0{digits}d}"[-digits:], digits == width


@st.composite
def _foreign(draw: st.DrawFn, text: str) -> tuple[str, bool]:
    """Sometimes one ASCII digit of `text` swapped for another script's digit: (text, still ASCII)."""
    positions = [i for i, char in enumerate(text) if char.isdigit()]
    if not positions or draw(st.integers(0, 5)) != 0:
        return text, True
    at = draw(st.sampled_from(positions))
    return text[:at] + draw(st.sampled_from(FOREIGN_DIGITS)) + text[at + 1 :], False


@st.composite
def _clock_parts(draw: st.DrawFn, seconds: bool) -> tuple[list[str], list[int], bool]:
    """Year, month, day, hour, minute (and second) as text, their values, and whether every width is right."""
    ranges = [(0, 9999, 4), (0, 13, 2), (0, 32, 2), (0, 25, 2), (0, 61, 2)] + ([(0, 61, 2)] if seconds else [])
    texts, values, widths_ok = [], [], True
    for low, high, width in ranges:
        text, ok = draw(_number(low, high, width))
        texts.append(text)
        values.append(int(text))
        widths_ok = widths_ok and ok
    return texts, values, widths_ok


@st.composite
def extended_times(draw: st.DrawFn) -> TimeText:
    """`ts` of an extended-history row (or Spotify's `played_at`): date, `T` or a space, time to the second, a
    fraction of up to six digits (seven: not taken), and `Z`, an offset `+HH:MM`, or nothing (UTC)."""
    texts, values, ok = draw(_clock_parts(seconds=True))
    separator = draw(st.sampled_from("T T"))
    fraction = draw(st.one_of(st.none(), st.integers(1, 7)))
    zone = draw(st.sampled_from(["Z", "", "offset"]))
    offset_minutes: int | None = None
    zone_text = zone
    if zone == "offset":
        sign, hours, minutes = draw(st.sampled_from("+-")), draw(st.integers(0, 24)), draw(st.integers(0, 60))
        zone_text = f"{sign}{hours:02d}:{minutes:02d}"
        offset_minutes = (hours * 60 + minutes) * (1 if sign == "+" else -1)
        ok = ok and hours < 24 and minutes < 60
    fraction_text = (
        "" if fraction is None else "." + "".join(draw(st.sampled_from("0123456789")) for _ in range(fraction))
    )
    ok = ok and (fraction is None or fraction <= 6)
    date_part, clock_part = "-".join(texts[:3]), ":".join(texts[3:])
    text, ascii_only = draw(_foreign(f"{date_part}{separator}{clock_part}{fraction_text}{zone_text}"))
    truth = _truth(tuple(values), offset_minutes) if ok and ascii_only else None
    return TimeText(text, truth)


@st.composite
def account_times(draw: st.DrawFn) -> TimeText:
    """`endTime` of an account-data row: `YYYY-MM-DD HH:MM`, UTC, minute precision."""
    texts, values, ok = draw(_clock_parts(seconds=False))
    text, ascii_only = draw(_foreign(f"{'-'.join(texts[:3])} {':'.join(texts[3:])}"))
    truth = _truth((*values, 0), None) if ok and ascii_only else None
    return TimeText(text, truth)


def real_times(low: datetime, high: datetime) -> st.SearchStrategy[TimeText]:
    """Real times between `low` and `high` (UTC), as `ts` text in one of the shapes exports use."""

    def as_text(moment: datetime, shape: int) -> TimeText:
        moment = moment.replace(microsecond=0)
        shapes = [moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%dT%H:%M:%S.123Z")]
        shapes.append(moment.astimezone(timezone(timedelta(hours=-5))).isoformat())
        return TimeText(shapes[shape], stored(moment))

    moments = st.datetimes(low.replace(tzinfo=None), high.replace(tzinfo=None), timezones=st.just(UTC))
    return st.builds(as_text, moments, st.integers(0, 2))


# Anything JSON can hold where a field is expected: nothing, other types, huge numbers, long text.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)

# ms played: the edges of the bounds (0, a day, 2^63) and around them, and anything else.
ms_values = st.one_of(
    st.sampled_from([0, 29_999, 30_000, 86_400_000, 86_400_001, 2**62, 2**63 - 1, 2**63, -1, 10**400]),
    st.integers(-(2**64), 2**64),
    json_values,
)

# Names: usually ordinary, sometimes at or over a length bound, sometimes not text at all.
names = st.one_of(
    st.text(min_size=1, max_size=30),
    st.integers(990, 1010).map(lambda size: "n" * size),
    st.just("é" * 100_000),
    json_values,
)


PLAYS_FROM, PLAYS_UNTIL = datetime(2006, 5, 1, tzinfo=UTC), datetime(2039, 12, 31, tzinfo=UTC)


def _text_of(time: TimeText | None) -> str | None:
    return None if time is None else time.text


@st.composite
def extended_rows(draw: st.DrawFn) -> dict[str, object]:
    """An extended-history row, each field ordinary or hostile (and sometimes missing); its `ts` is often a real time
    from PLAYS_FROM to PLAYS_UNTIL."""
    fields = {
        "ts": draw(st.one_of(real_times(PLAYS_FROM, PLAYS_UNTIL), extended_times(), st.none()).map(_text_of)),
        "ms_played": draw(ms_values),
        "spotify_track_uri": draw(st.one_of(st.just("spotify:track:4uLU6hMCjMI75M1A2tKUQC"), json_values)),
        "master_metadata_track_name": draw(names),
        "master_metadata_album_artist_name": draw(names),
        "master_metadata_album_album_name": draw(names),
        "reason_start": draw(st.one_of(st.just("clickrow"), json_values, st.just("r" * 101))),
        "reason_end": draw(st.one_of(st.just("trackdone"), st.just("fwdbtn"), json_values)),
        "skipped": draw(json_values),
        "shuffle": draw(json_values),
        "offline": draw(json_values),
    }
    kept = draw(st.sets(st.sampled_from(sorted(fields))))
    return {key: value for key, value in fields.items() if key in kept or key in ("ts", "ms_played")}
