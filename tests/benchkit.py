"""Running the benchmark scripts from tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run_quick(script: Path, out: Path, *, timeout: float) -> subprocess.CompletedProcess[str]:
    """``script --quick --out <out>`` under this interpreter, its output captured as text."""
    return subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )
