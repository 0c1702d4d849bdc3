"""The feed benchmark still runs end to end; its figures are for people, so none is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchkit import BENCH, run_quick

SCRIPT = BENCH / "feed_bench.py"

# Labels a reader of the output relies on; a rename here should be a deliberate choice.
EXPECTED_LABELS = (
    "=== publish: 300 articles ===",
    "build time (build_feed, new feed)",
    "raw Markdown size (content folder)",
    "feed size on disk (sum of files)",
    "feed / Markdown ratio",
    "=== initial sync: a new library imports the feed ===",
    "items applied:",
    "=== no-change rebuild (new timestamp only) ===",
    "no change:",
    "where the bytes go:",
    "=== k changed articles: rebuild, then sync ===",
    "k = 1:",
    "k = 10:",
    "k = 100:",
    "compressed size of the changed items:",
    "bytes / target =",
    "=== summary",
    "no change: requests (+ misses)",
    "k = 100: bytes / (1.15 x comp + 8 KB)",
)


@pytest.mark.slow
def test_quick_run_prints_every_figure_and_cleans_up(tmp_path: Path) -> None:
    result = run_quick(SCRIPT, tmp_path, timeout=120)

    assert result.returncode == 0, result.stderr
    missing = [label for label in EXPECTED_LABELS if label not in result.stdout]
    assert not missing, f"missing from the output: {missing}\n{result.stdout}"
    assert not list(tmp_path.iterdir()), "the working files should be removed without --keep"
