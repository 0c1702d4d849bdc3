"""The process protections every entry point applies: no core file, not dumpable."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHILD = """
import ctypes, resource
from fieldreader.process import forbid_core_dumps
before = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
forbid_core_dumps()
after = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)
print(before, after, *resource.getrlimit(resource.RLIMIT_CORE))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_process_that_forbids_core_dumps_writes_none_and_cannot_be_dumped() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
    )

    before, after, soft, hard = (int(n) for n in result.stdout.split())
    assert before == 1, "the test needs a dumpable process to start from"
    assert after == 0
    assert (soft, hard) == (0, 0)
