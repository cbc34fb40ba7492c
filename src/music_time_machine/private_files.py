"""Folders and files only the user may touch, whatever the umask: folders 0700, files 0600, replaced atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def private_folder(path: Path) -> Path:
    """Create `path` and each missing parent with mode 0700 (what the XDG spec asks of the folders an app makes;
    `Path.mkdir(parents=True)` would give the parents 0777 under `umask 000`). Existing folders stay as they are."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


@contextmanager
def private_replacement(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """Write what replaces `path` into a new temporary file beside it, moved into place only once all is written.

    mkstemp opens it with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, under an unpredictable name: a symlink planted
    where the file would be created makes it pick another name, never write through the link."""
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with open(descriptor, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
