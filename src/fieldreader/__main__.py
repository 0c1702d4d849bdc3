"""Allows ``python -m fieldreader``."""

from fieldreader.cli import main

raise SystemExit(main())
