"""The sync benchmark still runs end to end over nginx; its figures are for people, so none is
checked. nginx must be stopped when it ends."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from benchkit import BENCH, run_quick
from sync.servers import need

SCRIPT = BENCH / "sync_bench.py"

# Labels a reader of the output relies on; a rename here should be a deliberate choice.
EXPECTED_LABELS = (
    "=== setup: 300 articles published (not measured) ===",
    "=== 1. initial sync: 300 articles over HTTPS into a new library ===",
    "items applied: 300 (300 added)",
    "items/s applied (end to end)",
    "where the bytes go:",
    "bare bulk insert (content.apply, batches of 1,000 in one transaction, fresh library)",
    "apply-rate / bare-rate:",
    "where the time goes (estimate):",
    "=== 2. no-change sync ===",
    "request timestamp.json         304",
    "root probe:",
    "on the wire, TLS included",
    "=== 3. 10-article update ===",
    "compressed size of the 10 items (new object lengths):",
    "bodies / target =",
    "=== 4. resume after a cut at 50%: 30 changed articles ===",
    "cut after 15 of 30 objects",
    "objects downloaded in both attempts: 0",
    "second attempt / uninterrupted:",
    "both attempts / uninterrupted:",
    "=== summary",
    "apply-rate / bare-rate",
    "no change: requests, all",
    "no change: requests, without the root probe",
    "no change: bytes, HTTP (headers included)",
    "10 changed: bytes, bodies",
    "resume: both attempts / uninterrupted",
    "resume: objects downloaded twice",
)


@pytest.mark.slow
def test_quick_run_prints_every_figure_stops_nginx_and_cleans_up(tmp_path: Path) -> None:
    need("nginx")
    need("openssl")

    result = run_quick(SCRIPT, tmp_path, timeout=300)

    assert result.returncode == 0, result.stderr
    missing = [label for label in EXPECTED_LABELS if label not in result.stdout]
    assert not missing, f"missing from the output: {missing}\n{result.stdout}"
    started = re.search(r"nginx started \(pid (\d+)\)", result.stderr)
    assert started is not None, result.stderr
    assert f"nginx stopped (pid {started.group(1)})" in result.stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.group(1)), 0)
    assert not list(tmp_path.iterdir()), "the working files should be removed without --keep"
