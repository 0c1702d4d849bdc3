"""A sync killed anywhere leaves the old version or the new one, and resumes without waste.

A child process syncs a large update and SIGKILLs itself at 50 seeded points: after a chosen
number of downloads (before they are verified or staged) and at chosen SQL statements inside the
transaction that applies the update (open while objects download). After every kill the library
must pass its integrity checks, hold exactly the old or the new version's items, and keep the
notes written before; a last sync completes, and all attempts together download little more than
one uninterrupted sync.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from feedkit import FEED, start_feed, write_article
from fieldreader.feed.publisher import build_feed
from fieldreader.feed.source import DirectorySource
from fieldreader.feed.update import UpdateOptions, update_library
from fieldreader.itemcodec import digest
from fieldreader.store import Library, create_library, open_library

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHILD = Path(__file__).with_name("interrupted_child.py")
ARTICLES = 600
FETCH_KILLS = 40
APPLY_KILLS = 10


def words(rng: random.Random, count: int) -> str:
    pool = [
        "civic",
        "space",
        "report",
        "mission",
        "Kabul",
        "Managua",
        "société",
        "researchers",
        "verification",
        "statement",
        "solidarity",
        "detention",
        "witness",
        "archive",
    ]
    return " ".join(rng.choice(pool) + str(rng.randrange(1000)) for _ in range(count))


def write_version(content: Path, version: int) -> None:
    rng = random.Random(version)
    for n in range(ARTICLES):
        write_article(content, f"article-{n}", f"Version {version}. {words(rng, 500)}")


def holdings(library: Library) -> dict[str, str]:
    return {
        s.id: digest(item)
        for s in library.content.list_items()
        if (item := library.content.get(s.id)) is not None
    }


def run_child(data: Path, feed: Path, log: Path, mode: str, n: int) -> int:
    result = subprocess.run(
        [sys.executable, str(CHILD), str(data), str(feed), NOW.isoformat(), str(log), mode, str(n)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, -9), result.stderr
    return result.returncode


def logged_bytes(log: Path) -> int:
    return sum(int(line) for line in log.read_text().split()) if log.exists() else 0


@pytest.mark.slow
def test_a_sync_killed_at_50_points_never_shows_a_half_update(tmp_path: Path) -> None:
    _, content, feed = start_feed(tmp_path, lambda c: write_version(c, 1), NOW - timedelta(days=2))
    library_dir = tmp_path / "library"
    with create_library(library_dir, PASSPHRASE, FAST_KDF) as library:
        first = UpdateOptions(
            now=NOW, online=True, trusted_root=(feed / "root" / "1.root.json").read_bytes()
        )
        update_library(library, DirectorySource(feed), first)
        note = library.userdata.add_note("written before the sync", "article-7")
        library.userdata.add_bookmark("article-8")
        old = holdings(library)
    write_version(content, 2)
    build_feed(content, feed, tmp_path / "keys", now=NOW - timedelta(days=1), feed_id=FEED)

    # The yardstick: one uninterrupted sync of the same update, from a copy of the library.
    reference = tmp_path / "reference"
    shutil.copytree(library_dir, reference)
    assert run_child(reference, feed, tmp_path / "reference.log", "none", 0) == 0
    one_sync = logged_bytes(tmp_path / "reference.log")
    with open_library(reference, PASSPHRASE) as done:
        new = holdings(done)
    assert old != new
    statements = int((tmp_path / "reference.log.statements").read_text())
    largest_object = max(p.stat().st_size for p in (feed / "objects").rglob("*") if p.is_file())

    rng = random.Random(20261123)
    points = [("fetch", rng.randint(1, 20)) for _ in range(FETCH_KILLS)]
    # Anywhere in the transaction: while objects download, while the store catches up, during
    # withdrawals and the feed state, and at the commit itself (the last statement).
    points += [("apply", rng.randint(1, statements)) for _ in range(APPLY_KILLS - 1)]
    points += [("apply", statements)]
    log = tmp_path / "attempts.log"
    killed = 0
    for mode, n in points:
        killed += run_child(library_dir, feed, log, mode, n) == -9
        with open_library(library_dir, PASSPHRASE) as library:
            assert library.integrity_problems() == []
            assert holdings(library) in (old, new), f"half-applied after {mode} {n}"
            assert library.userdata.note(note.id).body == "written before the sync"
            assert library.userdata.is_bookmarked("article-8")
    assert killed >= 45, "too few attempts were really interrupted"

    assert run_child(library_dir, feed, log, "none", 0) == 0
    with open_library(library_dir, PASSPHRASE) as library:
        assert holdings(library) == new
        assert library.integrity_problems() == []
        assert library.staging.count() == 0
    total = logged_bytes(log)
    budget = 1.1 * one_sync + killed * largest_object
    print(
        f"one sync {one_sync:,} B; {killed} interruptions; all attempts {total:,} B; "
        f"budget {budget:,.0f} B"
    )
    assert total <= budget
