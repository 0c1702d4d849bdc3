"""The sample library that ships inside the package (articles, contacts, guidance)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fieldreader import source
from fieldreader.store import Library


def sample_folder() -> resources.abc.Traversable:
    return resources.files("fieldreader") / "resources" / "sample"


def load_sample_into(library: Library) -> str:
    with resources.as_file(sample_folder()) as folder:
        items = source.load_folder(Path(folder))
    result = library.content.apply(items)
    return (
        f"Sample library loaded: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
