"""Process-wide protections, applied once by each entry point (never at import time)."""

from __future__ import annotations

import contextlib
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
        # Imported here, and libc taken from the process's own symbols rather than looked up
        # with ctypes.util (which imports subprocess and may run ldconfig): this runs at every
        # start of the reader.
        import ctypes  # noqa: PLC0415

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
