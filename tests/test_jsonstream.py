"""The streaming JSON array reader: same values as json.loads, at any chunk size; clear errors otherwise."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from music_time_machine.privacy_export.jsonstream import MalformedJson, iter_json_array

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200)
@given(st.lists(json_values, max_size=8), st.integers(min_value=1, max_value=40), st.sampled_from([None, 0, 2]))
def test_elements_match_json_loads_at_any_chunk_size(values: list, chunk_size: int, indent: int | None) -> None:
    text = json.dumps(values, indent=indent)

    assert list(iter_json_array(io.StringIO(text), chunk_size=chunk_size)) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}', "not a JSON array at character 0"),
        ("[1, 2", "the file ends inside the array (truncated?)"),
        ("[1 2]", "expected ',' or ']' at character 3"),
        ('[{"a": }]', "invalid JSON"),
        ("", "not a JSON array"),
    ],
)
def test_broken_arrays_say_where(text: str, message: str) -> None:
    with pytest.raises(MalformedJson, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        list(iter_json_array(io.StringIO(text), chunk_size=3))


def test_progress_reports_every_character_read() -> None:
    text = json.dumps([{"n": n} for n in range(100)])
    seen: list[int] = []

    list(iter_json_array(io.StringIO(text), seen.append, chunk_size=64))

    assert sum(seen) == len(text)
