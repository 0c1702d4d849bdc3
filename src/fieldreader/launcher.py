"""The packaged app's one program: the desktop reader, or the command line when given a command.

Field staff start the packaged app by double-clicking it, so no arguments (or only the desktop
reader's own options) opens the reader. Trainers and scripts call the same program with a
command (``fieldreader sync``, ``fieldreader --self-test``) and get the command line, so one
build carries both without a second copy of Python and Qt. ``--startup-probe`` opens the reader
and quits after its first screen is painted, to measure how fast a build starts.

Installed from source, ``fieldreader`` stays the command line and ``fieldreader-desktop`` the
reader; this module is what the packaged build runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

DESKTOP_OPTIONS = ("--data-dir", "--language")
"""Options of the desktop reader (each takes a value); anything else means the command line."""
STARTUP_PROBE = "--startup-probe"


def wants_desktop(argv: Sequence[str]) -> bool:
    """True when ``argv`` holds nothing but desktop options (or nothing at all).

    ``--data-dir X`` opens the reader on that library; ``--data-dir X list`` is the command
    line's ``list``, since the command line takes the same option before its command.
    """
    rest = list(argv)
    while rest:
        name, equals, _ = rest[0].partition("=")
        if name not in DESKTOP_OPTIONS:
            return False
        rest = rest[1:] if equals else rest[2:]
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # Qt is imported only on the desktop paths: the command line starts faster without it.
    if args[:1] == [STARTUP_PROBE]:
        from fieldreader.ui.startup_probe import main as probe  # noqa: PLC0415

        return probe(args[1:])
    if wants_desktop(args):
        from fieldreader.ui.app import main as desktop  # noqa: PLC0415

        return desktop(args)
    from fieldreader.cli.main import main as command_line  # noqa: PLC0415

    return command_line(args)


if __name__ == "__main__":
    sys.exit(main())
