"""The desktop reader's benchmark still runs end to end at tiny sizes; its figures are for
people, so none is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchkit import BENCH, run_quick

SCRIPT = BENCH / "ui_bench.py"

# Labels a reader of the output relies on; a rename here should be a deliberate choice.
EXPECTED_LABELS = (
    "=== 1. cold start to an unlocked window (sample library), median of rounds ===",
    "bare window (QMainWindow + QTextBrowser, 50 KB HTML)",
    "app, sample library, default Argon2id",
    "app, sample library, cheapest key derivation",
    "key derivation alone (default Argon2id, median of 3)",
    "=== 2. opening a 50 KB article: open_item to page painted, ms ===",
    "app (en)",
    "app (ar)",
    "bare pipeline (en)",
    "app/bare (ar)",
    "=== 3. search in the window at 2,000 articles ===",
    "keystroke to results painted",
    "from the search's start (search + list)",
    "of which core search() on the worker",
    "=== summary",
    "cold start, default KDF:",
    "open 50 KB (en):",
    "keystroke to results p95 at 2,000:",
    "peak RSS, sample library:",
    "peak RSS at 2,000 articles:",
)


@pytest.mark.slow
def test_quick_run_prints_every_figure_and_cleans_up(tmp_path: Path) -> None:
    result = run_quick(SCRIPT, tmp_path, timeout=600)

    assert result.returncode == 0, result.stderr
    missing = [label for label in EXPECTED_LABELS if label not in result.stdout]
    assert not missing, f"missing from the output: {missing}\n{result.stdout}"
    assert not list(tmp_path.iterdir()), "the libraries should be removed without --keep"
