"""Process-wide protections, applied once by each entry point (never at import time)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

_PR_SET_DUMPABLE = 4


def forbid_core_dumps() -> None:
    """Keep a crash from writing memory (decrypted content, the master key) to a core file.

    Best effort: where the platform has no such switch, nothing happens.
    """
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # noqa: PLC0415 - POSIX only

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
