"""The layers point one way: cli -> services -> store/spotify; render is called by cli only and only builds output,
which the cli hands to a browser to draw (CONVENTIONS.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "music_time_machine"

# layer (a folder, or a module) -> the packages it must never import, not even for annotations
FORBIDDEN = {
    "cli": ("music_time_machine.store", "music_time_machine.spotify"),
    "services": ("music_time_machine.cli", "music_time_machine.render", "music_time_machine.spotify", "typer", "rich"),
    # render builds text and pages; drawing a page into a picture (a browser) is the CLI's to ask for
    "render": (
        "music_time_machine.cli",
        "music_time_machine.store",
        "music_time_machine.spotify",
        "music_time_machine.browser",
    ),
    "store": ("music_time_machine.cli", "music_time_machine.render", "music_time_machine.services", "spotipy"),
    "models.py": tuple(f"music_time_machine.{layer}" for layer in ("cli", "render", "services", "store", "spotify")),
}


def _modules(layer: str) -> list[Path]:
    where = PACKAGE / layer
    return sorted(where.rglob("*.py")) if where.is_dir() else [where]


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (functions and TYPE_CHECKING blocks included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (use absolute ones)"
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_never_imports_what_it_must_not(layer: str) -> None:
    offending = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules(layer)
        for name in sorted(imported_names(path))
        if any(name == forbidden or name.startswith(f"{forbidden}.") for forbidden in FORBIDDEN[layer])
    ]

    assert not offending, "\n".join(offending)


def test_the_import_check_sees_imports_inside_functions_and_type_checking_blocks(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from music_time_machine.store import Store\n"
        "def f():\n    import music_time_machine.spotify.client\n"
    )

    assert {"music_time_machine.store.Store", "music_time_machine.spotify.client"} <= imported_names(sample)


def test_only_the_context_makes_a_spotify_client() -> None:
    makers = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if any(
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "SpotifyClient"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]

    assert makers == ["context.py"]
