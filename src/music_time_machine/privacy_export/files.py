"""Find the history files of an export: the downloaded zip, the unpacked folder, or single JSON files."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TextIO

from music_time_machine.errors import UsageError


@dataclass(frozen=True)
class ExportFile:
    name: str  # as the user would recognise it: a path, or zip!member
    size: int  # uncompressed bytes
    opener: Callable[[], AbstractContextManager[IO[bytes]]]

    @contextmanager
    def text(self) -> Iterator[TextIO]:
        with self.opener() as raw, io.TextIOWrapper(raw, encoding="utf-8-sig") as text:
            yield text

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.opener() as raw:
            while chunk := raw.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()


@contextmanager
def _open_member(path: Path, member: str) -> Iterator[IO[bytes]]:
    with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
        yield handle


def _zip_members(path: Path) -> list[ExportFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".json")]
    except zipfile.BadZipFile as error:
        raise UsageError(f"{path} is not a readable zip file ({error}).") from error
    return [
        ExportFile(f"{path.name}!{m.filename}", m.file_size, partial(_open_member, path, m.filename)) for m in members
    ]


def _plain(path: Path) -> ExportFile:
    name = os.fsencode(path).decode("utf-8", "replace")  # a name that is not UTF-8 can still be told and stored
    return ExportFile(name, path.stat().st_size, lambda: path.open("rb"))


def find_export_files(paths: list[Path]) -> list[ExportFile]:
    """Every JSON file under the given paths, in a stable order (which of them are history is judged later)."""
    found: list[ExportFile] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path} does not exist.")
        if path.is_dir():
            found.extend(_plain(file) for file in sorted(path.rglob("*.json")) if file.is_file())
            found.extend(member for archive in sorted(path.rglob("*.zip")) for member in _zip_members(archive))
        elif zipfile.is_zipfile(path):
            found.extend(_zip_members(path))
        elif path.suffix.lower() == ".json":
            found.append(_plain(path))
        else:
            raise UsageError(
                f"{path} is not a zip, a folder or a .json file.",
                hint="Pass the my_spotify_data.zip Spotify sent you, or its unpacked folder.",
            )
    return found
