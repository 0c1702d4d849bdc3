"""``python -m fieldreader.ui``: the desktop reader, as ``fieldreader-desktop``."""

from __future__ import annotations

import sys

from fieldreader.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
