"""What a trainer's build carries beside the program, and portable mode.

A trainer's build (``fieldreader build``) is the packaged app folder with up to three files added
next to the executable:

``profile.toml``
    The organisation's provisioning profile (:mod:`fieldreader.profile`), with the files it
    names (``root.json``, a CA file) beside it.
``preload.frb``
    A signed bundle offered on the first start ("Import the library your trainer prepared").
``portable``
    A marker (its content is ignored): every file the app writes stays in the app folder, in
    ``fieldreader-data/``, and nothing goes to the home folder. For a USB stick.

The build never carries a library: each copy creates its own keys and identity on its first
start, so two people given the same build never share a key.

Once that first start has imported the preload and the library keeps its own copy of the
profile, :func:`remove_trainer_files` overwrites and deletes the profile, the files it names and
the preload from the app folder: they hold the preloaded content and the restricted channels'
keys unencrypted, which a seized stick must not show.

The app folder is the folder of the executable when the app is frozen (PyInstaller), or the
folder named by ``$FIELDREADER_APP_DIR`` (tests, and running from source). Qt-free: the desktop
and the command line both call :func:`prepare_process` first thing.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from fieldreader.fsutil import fsync_dir, overwrite
from fieldreader.paths import DATA_DIR_ENV

APP_DIR_ENV = "FIELDREADER_APP_DIR"
PROFILE_NAME = "profile.toml"
PRELOAD_NAME = "preload.frb"
PORTABLE_MARKER = "portable"
PORTABLE_DATA_NAME = "fieldreader-data"
SYSTEM_FOLDER = "system"
"""Inside the portable data folder: where temporary files, caches and any settings that Qt or a
library writes end up instead of the home folder (never the library's content)."""

_PORTABLE_FOLDERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("TMPDIR", "TMP", "TEMP"), "tmp"),
    (("XDG_CACHE_HOME",), "cache"),
    (("XDG_CONFIG_HOME",), "config"),
    (("XDG_DATA_HOME",), "share"),
    (("XDG_STATE_HOME",), "state"),
)
"""Variables pointed into the app folder in portable mode, and the sub-folder of each.

``TMPDIR``/``TMP``/``TEMP``: Python's :mod:`tempfile` and Qt's ``QDir::tempPath`` (also where
Qt puts its runtime folder when ``XDG_RUNTIME_DIR`` is unset). The XDG folders: fontconfig's
font cache (``~/.cache/fontconfig``), Mesa's shader cache, ``QStandardPaths`` locations, any
``QtProject.conf`` a Qt component writes. ``XDG_RUNTIME_DIR`` is left alone: when the session
has one it holds the display server's socket, and it is a memory file system cleared at logout.
"""


@dataclass(frozen=True)
class Provisioning:
    """What was found beside the program."""

    app_dir: Path
    profile: Path | None
    """``profile.toml``, if present (checked only when used)."""
    preload: Path | None
    """``preload.frb``, if present (verified only when imported)."""
    portable: bool

    @property
    def data_dir(self) -> Path | None:
        """The library's folder in portable mode; None to use the per-user folder."""
        return self.app_dir / PORTABLE_DATA_NAME if self.portable else None

    @property
    def preloaded_available(self) -> bool:
        """A preload that can be imported: it needs the profile's root to be verified."""
        return self.preload is not None and self.profile is not None


def find_app_dir(environ: Mapping[str, str] = os.environ) -> Path | None:
    """``$FIELDREADER_APP_DIR``, else the executable's folder of a frozen app, else None."""
    configured = environ.get(APP_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def find_provisioning(
    app_dir: Path | None = None, environ: Mapping[str, str] = os.environ
) -> Provisioning | None:
    """What the app folder carries; None when there is no app folder (a source install)."""
    folder = app_dir if app_dir is not None else find_app_dir(environ)
    if folder is None:
        return None
    profile, preload = folder / PROFILE_NAME, folder / PRELOAD_NAME
    return Provisioning(
        app_dir=folder,
        profile=profile if profile.is_file() else None,
        preload=preload if preload.is_file() else None,
        portable=(folder / PORTABLE_MARKER).exists(),
    )


@dataclass(frozen=True)
class Removal:
    """What :func:`remove_trainer_files` did with the trainer's files in the app folder."""

    removed: tuple[str, ...]
    """Names of the files overwritten and deleted."""
    left: tuple[str, ...] = ()
    """Names of the files still in the folder (each overwritten where that was possible)."""
    reason: str | None = None
    """Why, in the system's words (e.g. "Read-only file system"); None when nothing is left."""

    @property
    def complete(self) -> bool:
        return not self.left


def remove_trainer_files(provisioning: Provisioning, named: Iterable[str] = ()) -> Removal:
    """Overwrite and delete the preload, the profile and the files it names (``named``, as the
    profile writes them: ``root.json``, ``ca.pem``) from the app folder.

    Call only once the library holds everything they gave (the preload imported, the profile
    kept): they cannot be read back. Files outside the app folder are not touched, nor is a
    file with a second hard link (overwriting it would destroy the other copy, perhaps the
    trainer's master build); a symbolic link is deleted, never written through. Every file is
    attempted even if another failed; never raises for a file that cannot be removed (a
    read-only stick): the first start has succeeded, and the result says what is left.
    """
    folder = Path(os.path.normpath(provisioning.app_dir))
    removed: list[str] = []
    left: list[str] = []
    reason: str | None = None
    for name in dict.fromkeys([PRELOAD_NAME, PROFILE_NAME, *named]):
        target = Path(os.path.normpath(folder / name))
        if target == folder or not target.is_relative_to(folder):
            continue
        with contextlib.suppress(OSError):
            # Not overwritten: the unlink below still takes it out of every listing.
            if target.is_file() and not target.is_symlink() and target.stat().st_nlink == 1:
                overwrite(target)
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            left.append(target.relative_to(folder).as_posix())
            reason = reason or exc.strerror or type(exc).__name__
            continue
        removed.append(target.relative_to(folder).as_posix())
    fsync_dir(folder)
    return Removal(tuple(removed), tuple(left), reason)


def portable_environment(app_dir: Path) -> dict[str, str]:
    """The variables portable mode sets, each pointing into ``app_dir``."""
    system = app_dir / PORTABLE_DATA_NAME / SYSTEM_FOLDER
    values = {DATA_DIR_ENV: str(app_dir / PORTABLE_DATA_NAME)}
    for names, folder in _PORTABLE_FOLDERS:
        for name in names:
            values[name] = str(system / folder)
    return values


_saved: dict[str, str | None] = {}
"""The values portable mode replaced (None: unset), for :func:`outside_environment`."""


def enter_portable_mode(
    provisioning: Provisioning, environ: MutableMapping[str, str] = os.environ
) -> dict[str, str]:
    """Point every per-user location of this process into the app folder.

    Call before Qt starts (QApplication) and before anything creates a temporary file. Creates
    the folders (owner-only where the file system has permissions) and stops Python writing
    bytecode caches. Calling it again changes nothing.

    Returns:
        The variables now set.
    """
    values = portable_environment(provisioning.app_dir)
    for value in values.values():
        Path(value).mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, value in values.items():
        if environ is os.environ and name not in _saved and environ.get(name) != value:
            _saved[name] = environ.get(name)
        environ[name] = value
    if environ is os.environ:
        tempfile.tempdir = None  # read TMPDIR again on next use
        sys.dont_write_bytecode = True
    return values


def prepare_process(environ: MutableMapping[str, str] = os.environ) -> Provisioning | None:
    """Find the provisioning and enter portable mode if the marker says so."""
    provisioning = find_provisioning(environ=environ)
    if provisioning is not None and provisioning.portable:
        enter_portable_mode(provisioning, environ)
    return provisioning


@contextlib.contextmanager
def outside_environment() -> Iterator[None]:
    """The environment as it was before portable mode, for the duration of the block.

    For starting another program (the system's browser for a link the reader confirmed): it
    must use the person's own settings, not create a profile, history or cache on the stick.
    """
    if not _saved:
        yield
        return
    ours = {name: os.environ.get(name) for name in _saved}
    _apply(_saved)
    try:
        yield
    finally:
        _apply(ours)


def _apply(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


__all__ = [
    "APP_DIR_ENV",
    "PORTABLE_DATA_NAME",
    "PORTABLE_MARKER",
    "PRELOAD_NAME",
    "PROFILE_NAME",
    "Provisioning",
    "Removal",
    "enter_portable_mode",
    "find_app_dir",
    "find_provisioning",
    "outside_environment",
    "portable_environment",
    "prepare_process",
    "remove_trainer_files",
]
