"""Shared fixtures. Every path is under pytest's tmp_path; nothing touches the real home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader.store import Library, create_library

# The real servers (nginx over TLS, an intercepting nginx, microsocks, a cutting relay) for every
# test that syncs: transport, engine, service and the desktop reader's panel.
pytest_plugins = ["sync.fixtures"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def library(data_dir: Path) -> Iterator[Library]:
    lib = create_library(data_dir, PASSPHRASE, FAST_KDF)
    yield lib
    lib.close()
