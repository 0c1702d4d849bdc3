"""The benchmark script still runs end to end; its figures are for people, so none is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchkit import BENCH, run_quick

SCRIPT = BENCH / "store_bench.py"

# Labels a reader of the output relies on; a rename here should be a deliberate choice.
EXPECTED_LABELS = (
    "=== 2,000 articles ===",
    "bulk load (articles/s)",
    "file size (MB, db+wal after close)",
    "search latency, ms: p50 / p95 / max",
    "one-term",
    "two-term",
    "phrase",
    "prefix",
    "enc/plain",
    "unlock: open_library, default Argon2id",
    "unlock: raw SQLCipher open, no KDF",
    "where search time goes",
    "=== summary",
    "search p95 encrypted/plain",
    "bulk load time encrypted/plain",
)


@pytest.mark.slow
def test_quick_run_prints_every_figure_and_cleans_up(tmp_path: Path) -> None:
    result = run_quick(SCRIPT, tmp_path, timeout=180)

    assert result.returncode == 0, result.stderr
    missing = [label for label in EXPECTED_LABELS if label not in result.stdout]
    assert not missing, f"missing from the output: {missing}\n{result.stdout}"
    assert not list(tmp_path.iterdir()), "the databases should be removed without --keep"
