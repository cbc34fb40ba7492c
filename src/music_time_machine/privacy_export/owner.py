"""Whose export it is: the account the export itself names, so a listener without a login needs no --user."""

from __future__ import annotations

import json
from itertools import islice
from typing import NamedTuple

from music_time_machine.errors import UsageError
from music_time_machine.models import parse_user_ref
from music_time_machine.privacy_export.files import ExportFile
from music_time_machine.privacy_export.jsonstream import MalformedJson, iter_json_array

MAX_USERDATA_BYTES = 1 << 20  # Userdata.json is a few hundred bytes; anything bigger is not it
HISTORY_FILES_LOOKED_AT = 8  # old endsong files name the account in every row: the first row of a few is plenty


class Owner(NamedTuple):
    user_id: str
    named_in: str  # the file that names it


def _user_id(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_user_ref(value)
    except UsageError:
        return None


def _base_name(export_file: ExportFile) -> str:
    return export_file.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1].lower()


def _from_userdata(export_file: ExportFile) -> str | None:
    if export_file.size > MAX_USERDATA_BYTES:
        return None
    try:
        with export_file.text() as text:
            data = json.loads(text.read(MAX_USERDATA_BYTES))
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than json reads
        return None
    return _user_id(data.get("username")) if isinstance(data, dict) else None


def _from_first_row(export_file: ExportFile) -> str | None:
    try:
        with export_file.text() as text:
            first = next(iter_json_array(text), None)
    except (MalformedJson, UnicodeDecodeError):
        return None
    return _user_id(first.get("username")) if isinstance(first, dict) else None


def export_owner(files: list[ExportFile]) -> Owner | None:
    """The account the export names: `username` in the Account Data's Userdata.json, else in the rows of the
    older Extended Streaming History (endsong_*.json). None when it names nobody (newer extended exports)."""
    for export_file in files:
        if _base_name(export_file) == "userdata.json" and (user_id := _from_userdata(export_file)):
            return Owner(user_id, export_file.name)
    history = (f for f in files if _base_name(f).startswith(("endsong", "streaming_history")))
    for export_file in islice(history, HISTORY_FILES_LOOKED_AT):
        if user_id := _from_first_row(export_file):
            return Owner(user_id, export_file.name)
    return None
