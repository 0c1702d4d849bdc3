"""The sample library that ships inside the package, as a signed bundle."""

from __future__ import annotations

from fieldreader.cli.feed_commands import describe
from fieldreader.sample import import_sample
from fieldreader.store import Library


def load_sample_into(library: Library) -> str:
    return "Sample library: " + describe(import_sample(library))
