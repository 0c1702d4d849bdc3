"""The staging database: a sync's verified downloads, encrypted, kept across runs, disposable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader.store import Library, create_library, open_library, wipe_library
from fieldreader.store.database import PLAIN_SQLITE_MAGIC
from fieldreader.store.errors import LibraryExists
from fieldreader.store.library import LibraryPaths

SECRET = b"staged feed object: the address of the shelter is 12 Rue des Lilas"
SHA = "ab" * 32


def test_staged_bytes_survive_closing_and_are_never_on_disk_in_clear(
    library: Library, data_dir: Path
) -> None:
    library.staging.put("org", SHA, SECRET)
    library.close()

    paths = LibraryPaths(data_dir)
    assert paths.staging.exists()
    assert paths.staging.read_bytes()[:16] != PLAIN_SQLITE_MAGIC
    for path in data_dir.iterdir():
        assert b"Rue des Lilas" not in path.read_bytes(), path.name
    with open_library(data_dir, PASSPHRASE) as again:
        assert again.staging.get(SHA) == SECRET
        assert again.staging.count() == 1


def test_get_put_drop_and_clear(library: Library) -> None:
    library.staging.put("org", SHA, SECRET)
    library.staging.put("org", SHA, b"a second copy is ignored")
    library.staging.put("other", "cd" * 32, b"other feed")
    assert library.staging.get(SHA) == SECRET
    assert library.staging.get("ef" * 32) is None

    library.staging.drop(SHA)
    assert library.staging.get(SHA) is None
    library.staging.put("org", SHA, SECRET)
    library.staging.clear("org")
    assert library.staging.get(SHA) is None
    assert library.staging.get("cd" * 32) == b"other feed"
    assert library.staging.count() == 1


def test_clearing_gives_the_space_back(library: Library, data_dir: Path) -> None:
    for n in range(200):
        library.staging.put("org", f"{n:064x}", bytes([n % 251]) * 8000)
    library.close()
    staging = LibraryPaths(data_dir).staging
    full = staging.stat().st_size
    with open_library(data_dir, PASSPHRASE) as again:
        again.staging.clear("org")
    assert staging.stat().st_size < full / 20


@pytest.mark.parametrize("damage", ["truncated", "random", "plain sqlite", "missing"])
def test_a_damaged_or_missing_staging_file_is_replaced_and_the_library_opens(
    library: Library, data_dir: Path, damage: str
) -> None:
    library.staging.put("org", SHA, SECRET)
    library.close()
    staging = LibraryPaths(data_dir).staging
    if damage == "truncated":
        staging.write_bytes(staging.read_bytes()[:100])
    elif damage == "random":
        staging.write_bytes(bytes(range(256)) * 64)
    elif damage == "plain sqlite":
        staging.unlink()
        plain = sqlite3.connect(staging)
        plain.execute("CREATE TABLE feed_staging (sha256 TEXT, feed TEXT, data BLOB)")
        plain.commit()
        plain.close()
    else:
        staging.unlink()

    with open_library(data_dir, PASSPHRASE) as again:
        assert again.staging.count() == 0
        again.staging.put("org", SHA, SECRET)
        assert again.staging.get(SHA) == SECRET
        assert again.integrity_problems() == []
    assert staging.read_bytes()[:16] != PLAIN_SQLITE_MAGIC


def test_a_wipe_removes_the_staging_database_too(data_dir: Path) -> None:
    library = create_library(data_dir, PASSPHRASE, FAST_KDF)
    library.staging.put("org", SHA, SECRET)
    library.close()

    wipe_library(data_dir)

    assert not data_dir.exists() or list(data_dir.iterdir()) == []


def test_a_leftover_staging_file_counts_as_a_library_already_there(data_dir: Path) -> None:
    data_dir.mkdir()
    LibraryPaths(data_dir).staging.write_bytes(b"x" * 4096)

    with pytest.raises(LibraryExists):
        create_library(data_dir, PASSPHRASE, FAST_KDF)


def test_damage_found_while_in_use_turns_staging_off_instead_of_failing(
    library: Library, data_dir: Path
) -> None:
    for n in range(50):
        library.staging.put("org", f"{n:064x}", bytes([n]) * 8000)
    library.close()
    staging = LibraryPaths(data_dir).staging
    data = bytearray(staging.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # one page deep in the file fails its check
    staging.write_bytes(bytes(data))

    with open_library(data_dir, PASSPHRASE) as again:
        rows = [again.staging.get(f"{n:064x}") for n in range(50)]
        assert None in rows  # the damaged page was reached
        assert not staging.exists()  # and the file was dropped at once
        again.staging.put("org", SHA, SECRET)  # staging is off for this session
        assert again.staging.get(SHA) is None
        again.staging.clear("org")
        assert again.integrity_problems() == []
    with open_library(data_dir, PASSPHRASE) as later:
        later.staging.put("org", SHA, SECRET)
        assert later.staging.get(SHA) == SECRET
