"""Where a library lives on this machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "fieldreader"
DATA_DIR_ENV = "FIELDREADER_DATA_DIR"


def default_data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$FIELDREADER_DATA_DIR`` if set, else the platform's per-user data folder."""
    configured = environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def demo_data_dir() -> Path:
    """Where ``fieldreader demo`` keeps its library when no folder is given: never the real one."""
    return Path(platformdirs.user_data_dir(f"{APP_NAME}-demo", appauthor=False, roaming=False))
