"""Find the history files of an export: the downloaded zip, the unpacked folder, or single JSON files.

Only what reads like a file is read: regular files (a FIFO or a device would block or never end, so their kind is
judged by stat, which opens nothing), zip members neither encrypted nor packed by a method Python lacks, under names
that stay inside the archive, and folders down to MAX_DEPTH levels. Anything else is still listed, as an ExportFile
whose reading fails with UnreadableFile: every reader already counts and names a file it cannot use."""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from music_time_machine.errors import UsageError
from music_time_machine.printable import is_printable
from music_time_machine.privacy_export.jsonstream import MalformedJson

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# Spotify's files are JSON; ListenBrainz's listens JSON Lines; Last.fm export tools write CSV.
HISTORY_SUFFIXES = (".json", ".jsonl", ".csv")
MAX_DEPTH = 32  # folder levels below the one given; an export unpacks into two
READ_SIZE = 1 << 20
# What zipfile and the decompressors raise for a damaged archive (NotImplementedError: features of newer zip
# versions, ValueError: offsets that point before the file's start), and what the disk raises.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, ValueError, OSError)
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


class UnreadableFile(MalformedJson):
    """The file's bytes cannot be read (a damaged zip member, a FIFO, …): to its readers, a file without rows."""


class _CheckedReader(io.RawIOBase):
    """An export file's bytes as they are read: hashed, and a failure to read them an UnreadableFile."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        data = self._read(len(memoryview(buffer)))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        try:
            data = self._raw.read(size)
        except _READ_ERRORS as error:
            raise UnreadableFile(f"cannot be read ({str(error) or type(error).__name__})") from error
        self._digest.update(data)
        return data

    def sha256(self) -> str:
        """The SHA-256 of every byte of the file: what was read so far and the rest, read now."""
        while self._read(READ_SIZE):
            pass
        return self._digest.hexdigest()


@dataclass(frozen=True)
class ExportFile:
    name: str  # as the user would recognise it: a path, or zip!member
    size: int  # uncompressed bytes
    opener: Callable[[], AbstractContextManager[IO[bytes]]]

    @contextmanager
    def _checked(self) -> Iterator[_CheckedReader]:
        with ExitStack() as stack:
            try:
                raw = stack.enter_context(self.opener())
            except UnreadableFile:  # a ValueError too, but one that already says why
                raise
            except _READ_ERRORS as error:
                raise UnreadableFile(f"cannot be opened ({error})") from error
            yield _CheckedReader(raw)

    @contextmanager
    def hashed_text(self) -> Iterator[tuple[TextIO, Callable[[], str]]]:
        """The file as text, and a function that reads the rest of its bytes and gives the SHA-256 of them all:
        the hash of the very bytes that were parsed."""
        with (
            self._checked() as checked,
            io.TextIOWrapper(io.BufferedReader(checked, READ_SIZE), encoding="utf-8-sig") as text,
        ):
            yield text, checked.sha256

    @contextmanager
    def text(self) -> Iterator[TextIO]:
        with self.hashed_text() as (text, _sha256):
            yield text

    def sha256(self) -> str:
        with self._checked() as checked:
            return checked.sha256()


def _unreadable(name: str, reason: str) -> ExportFile:
    """A file that is listed (so that the import names it) but fails with `reason` when anything reads it."""

    def refuse() -> AbstractContextManager[IO[bytes]]:
        raise UnreadableFile(f"skipped: {reason}")

    return ExportFile(name, 0, refuse)


def _open_regular(path: Path) -> IO[bytes]:
    # O_NONBLOCK: if a FIFO took the file's place since it was listed, opening it must not wait for a writer.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(f"{path} is no longer a regular file")
    return os.fdopen(descriptor, "rb")


class _Archives:
    """Opens zip members, keeping the last zip open until `close`: ZipFile reads a zip's whole directory each time
    it opens one, so a ZipFile per member made a zip of n members cost n² (5,000 members: two minutes)."""

    def __init__(self) -> None:
        self._open: tuple[Path, zipfile.ZipFile] | None = None
        self._closed = False

    def close(self) -> None:
        """Close the zip kept open; a member read after this is a bug (it would open a zip nobody closes)."""
        self._closed = True
        if self._open is not None:
            self._open[1].close()
            self._open = None

    @contextmanager
    def member(self, path: Path, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
        with self._archive(path).open(info) as handle:
            yield handle

    def _archive(self, path: Path) -> zipfile.ZipFile:
        if self._closed:
            raise RuntimeError(f"{path} was read after its export was closed")
        if self._open is None or self._open[0] != path:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise OSError(f"{path} is no longer a regular file")
            if self._open is not None:
                self._open[1].close()  # members still being read keep their own reference to the file
            self._open = (path, zipfile.ZipFile(path))
        return self._open[1]


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is not read, or None."""
    parts = info.filename.replace("\\", "/").split("/")
    if not is_printable(info.filename):
        return "its name holds control characters"
    if info.filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", info.filename):
        return "its name is an absolute path"
    if ".." in parts:
        return "its name climbs out of the archive (..)"
    if info.flag_bits & 0x1:
        return "encrypted (password-protected), which tm cannot read"
    if info.compress_type not in _READABLE_METHODS:
        return f"packed with compression method {info.compress_type}, which Python cannot unpack"
    return None


def _zip_members(path: Path, archives: _Archives) -> list[ExportFile]:
    with zipfile.ZipFile(path) as archive:
        infos = [info for info in archive.infolist() if info.filename.lower().endswith(HISTORY_SUFFIXES)]
    members = []
    for info in infos:
        name, problem = f"{_name(Path(path.name))}!{info.filename}", _member_problem(info)
        opener = partial(archives.member, path, info)
        members.append(_unreadable(name, problem) if problem else ExportFile(name, info.file_size, opener))
    return members


def _name(path: Path) -> str:
    """`path` as the user would recognise it, even when it is not UTF-8 (told and stored with U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _plain(path: Path, size: int) -> ExportFile:
    return ExportFile(_name(path), size, partial(_open_regular, path))


def _kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]
    kinds += [(stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _export_file(path: Path, archives: _Archives) -> list[ExportFile]:
    """A history file (.json, .jsonl, .csv) or a .zip found in a folder: its file, its members, or why it is
    skipped."""
    try:
        status = os.stat(path)
    except OSError as error:
        return [_unreadable(_name(path), f"cannot be read ({error.strerror})")]
    if not stat.S_ISREG(status.st_mode):
        return [_unreadable(_name(path), f"not a regular file ({_kind(status.st_mode)})")]
    if path.suffix.lower() in HISTORY_SUFFIXES:
        return [_plain(path, status.st_size)]
    try:
        return _zip_members(path, archives)
    except _READ_ERRORS as error:
        return [_unreadable(_name(path), f"not a readable zip file ({error})")]


def _folder(folder: Path, archives: _Archives) -> list[ExportFile]:
    """Every history file and .zip under `folder`, walked without recursion down to MAX_DEPTH levels; links to
    folders are not followed (they may loop)."""
    candidates: list[Path] = []
    skipped: list[ExportFile] = []
    pending = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = list(scan)
        except OSError as error:
            skipped.append(_unreadable(str(current), f"a folder that cannot be listed ({error.strerror})"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    pending.append((Path(entry.path), depth + 1))
                else:
                    skipped.append(_unreadable(entry.path, f"a folder more than {MAX_DEPTH} levels deep"))
            elif entry.name.lower().endswith((*HISTORY_SUFFIXES, ".zip")):
                candidates.append(Path(entry.path))
    json_first = sorted(candidates, key=lambda path: (path.suffix.lower() == ".zip", path))
    listed = [found for path in json_first for found in _export_file(path, archives)]
    return listed + sorted(skipped, key=lambda export_file: export_file.name)


@contextmanager
def open_export(paths: list[Path]) -> Iterator[list[ExportFile]]:
    """Every JSON file under the given paths, in a stable order (which of them are history is judged later), to
    be read inside the `with`: the zip its members are read from is closed when it ends, failure or not."""
    with closing(_Archives()) as archives:
        yield _find(paths, archives)


def _find(paths: list[Path], archives: _Archives) -> list[ExportFile]:
    found: list[ExportFile] = []
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise UsageError(f"{path} does not exist.") from None
        except OSError as error:
            found.append(_unreadable(_name(path), f"cannot be read ({error.strerror})"))
            continue
        if stat.S_ISDIR(mode):
            found.extend(_folder(path, archives))
        elif not stat.S_ISREG(mode):
            found.append(_unreadable(_name(path), f"not a regular file ({_kind(mode)})"))
        elif zipfile.is_zipfile(path):
            try:
                found.extend(_zip_members(path, archives))
            except _READ_ERRORS as error:
                raise UsageError(f"{path} is not a readable zip file ({error}).") from error
        elif path.suffix.lower() in HISTORY_SUFFIXES:
            found.extend(_export_file(path, archives))
        else:
            raise UsageError(
                f"{path} is not a zip, a folder or a .json, .jsonl or .csv file.",
                hint="Pass the my_spotify_data.zip Spotify sent you (or its unpacked folder), a ListenBrainz export "
                "or a Last.fm CSV.",
            )
    return found
