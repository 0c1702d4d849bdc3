"""``fieldreader --self-test``: prove that this installation (above all a packaged build) works.

A packaged build can start and still be broken: a data file left out, a Qt plugin missing, a
native library that does not load on this machine. The self-test walks the path a reader takes
on a real library: create it (full-cost key derivation), import the bundled sample through the
same verification as any bundle, unlock it again, search it, and lay out and paint an article
in the real reader widget, then the interface translations; everything in a temporary folder
that is wiped at the end. It prints one line per step and names the step that failed.

Only the content is the public sample; the passphrase is random and never printed. The Qt steps
are imported when they run, so this module (like every core module) imports no Qt.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from fieldreader import __version__
from fieldreader.errors import FieldreaderError
from fieldreader.sample import import_sample
from fieldreader.service import Page, ReaderService
from fieldreader.store import (
    DEFAULT_KDF,
    KdfParams,
    Library,
    create_library,
    open_library,
    wipe_library,
)

RENDER_ITEM = "jalalabad-save-the-children-solidarity-ar"
"""An Arabic article of the sample: right-to-left, shaped script, the hardest page to lay out."""
RENDER_PHRASE = "جلال آباد"
"""Text that must be in that article once laid out."""
SEARCHES: tuple[tuple[str, str], ...] = (
    ("Jalalabad", "jalalabad-save-the-children-solidarity-en"),
    ("جلال", RENDER_ITEM),
    ("delegacion", "civicus-nicaragua-mission-es"),
)
"""Queries and an item each must find: English, Arabic, and Spanish typed without its accent
(the index folds diacritics)."""

EXIT_OK, EXIT_FAILED = 0, 1


class SelfTestFailure(Exception):
    """A step found something wrong (as opposed to a step that crashed)."""


@dataclass
class _State:
    """What the steps hand on to each other."""

    data_dir: Path
    passphrase: str
    library: Library | None = None
    page: Page | None = None


Step = Callable[[_State], str]
"""One step: does its work, returns its one-line summary, or raises."""


def run_self_test(
    out: TextIO | None = None,
    *,
    kdf: KdfParams = DEFAULT_KDF,
    sample: Path | None = None,
    qt: bool = True,
) -> int:
    """Run every step and print one line each; returns :data:`EXIT_OK` or :data:`EXIT_FAILED`.

    Args:
        out: where the summary goes (standard output by default).
        kdf: key-derivation cost of the test library. The default is the cost a real library
            gets, so the self-test also proves this machine (and this build's libsodium) can
            afford it.
        sample: the sample bundle to import (default: the one this installation ships).
        qt: also run the steps that need Qt (off only where Qt cannot load at all).
    """
    stream = out or sys.stdout
    started = time.perf_counter()
    print(f"fieldreader {__version__} self-test", file=stream)
    steps: list[tuple[str, Step]] = [
        ("library", lambda s: _create(s, kdf)),
        ("sample", lambda s: _import_sample(s, sample)),
        ("unlock", _unlock),
        ("search", _search),
        ("open", _open_article),
    ]
    if qt:
        steps += [("render", _render), ("translations", _translations)]
    with _scratch_folder() as folder:
        state = _State(folder / "library", secrets.token_urlsafe(24))
        try:
            for name, step in steps:
                if not _run_step(stream, name, step, state):
                    return EXIT_FAILED
        finally:
            if state.library is not None:
                state.library.close()
                state.library = None
        if not _run_step(stream, "wipe", _wipe, state):
            return EXIT_FAILED
    print(f"self-test passed in {time.perf_counter() - started:.2f} s", file=stream)
    return EXIT_OK


def _run_step(stream: TextIO, name: str, step: Step, state: _State) -> bool:
    began = time.perf_counter()
    try:
        summary = step(state)
    except Exception as exc:  # any failure of a step is the finding to report
        # Our own errors are written for people; anything else is named by its type too.
        plain = isinstance(exc, SelfTestFailure | FieldreaderError)
        kind = "" if plain else f"{type(exc).__name__}: "
        print(f"FAILED {name}: {kind}{exc}", file=stream)
        print(f"self-test failed at step '{name}'", file=stream)
        return False
    print(f"ok {name}: {summary} ({time.perf_counter() - began:.2f} s)", file=stream)
    return True


@contextlib.contextmanager
def _scratch_folder() -> Iterator[Path]:
    """A private temporary folder, destroyed afterwards whatever happened.

    The library in it is wiped as any library is (key slots overwritten first); whatever else a
    failed step may have left is removed with the folder.
    """
    folder = Path(tempfile.mkdtemp(prefix="fieldreader-selftest-"))
    try:
        yield folder
    finally:
        with contextlib.suppress(OSError):
            wipe_library(folder / "library")
        shutil.rmtree(folder, ignore_errors=True)


def _create(state: _State, kdf: KdfParams) -> str:
    state.library = create_library(state.data_dir, state.passphrase, kdf)
    memory = kdf.memlimit // (1024 * 1024)
    return f"created, key derived with Argon2id ({memory} MiB, {kdf.opslimit} passes)"


def _import_sample(state: _State, sample: Path | None) -> str:
    result = import_sample(_library(state), sample)
    count = len(_library(state).content.list_items())
    if count == 0:
        raise SelfTestFailure("the sample bundle was verified but holds no items")
    return f"bundle verified, {count} items imported (feed version {result.version})"


def _unlock(state: _State) -> str:
    _library(state).close()
    state.library = None
    state.library = open_library(state.data_dir, state.passphrase)
    problems = state.library.integrity_problems()
    if problems:
        raise SelfTestFailure(f"the reopened database does not check out: {problems[0]}")
    return "reopened with the passphrase, every page authenticated"


def _search(state: _State) -> str:
    library = _library(state)
    found = []
    for query, wanted in SEARCHES:
        hits = library.search(query)
        if wanted and wanted not in [hit.id for hit in hits]:
            raise SelfTestFailure(f"searching {query!r} did not find {wanted}")
        found.append(f"{query!r} {len(hits)}")
    return "hits: " + ", ".join(found)


def _open_article(state: _State) -> str:
    state.page = ReaderService(_library(state)).open(RENDER_ITEM)
    if not state.page.rtl or RENDER_PHRASE not in state.page.html:
        raise SelfTestFailure(f"{RENDER_ITEM} did not render as right-to-left Arabic")
    return f"{RENDER_ITEM} rendered to {len(state.page.html)} bytes of sanitised HTML"


def _render(state: _State) -> str:
    if state.page is None:
        raise SelfTestFailure("no page to show")
    use_offscreen_if_headless()
    from fieldreader.ui import selftest_qt  # noqa: PLC0415 - Qt only when this step runs

    report = selftest_qt.show_page(state.page)
    if RENDER_PHRASE not in report.text:
        raise SelfTestFailure("the reader pane does not hold the article's text")
    if not report.right_to_left:
        raise SelfTestFailure("the reader pane did not lay the article out right-to-left")
    if report.refused:
        raise SelfTestFailure(f"the reader pane asked for {report.refused} outside resources")
    return (
        f"reader pane laid out {len(report.text)} characters right-to-left and painted "
        f"{report.width}x{report.height} px on Qt {report.qt_version} ({report.platform})"
    )


def _translations(state: _State) -> str:
    from fieldreader.ui import selftest_qt  # noqa: PLC0415 - Qt only when this step runs

    loaded = selftest_qt.load_translations("ar")
    if "fieldreader" not in loaded:
        raise SelfTestFailure("the Arabic interface translation is missing from this build")
    if "qtbase" not in loaded:
        raise SelfTestFailure("Qt's own Arabic strings are missing from this build")
    return "Arabic interface and Qt's own strings load"


def _wipe(state: _State) -> str:
    removed = wipe_library(state.data_dir)
    if state.data_dir.exists():
        raise SelfTestFailure("the library folder is still there after the wipe")
    return f"library destroyed ({removed} files), temporary folder removed"


def _library(state: _State) -> Library:
    if state.library is None:
        raise SelfTestFailure("no library is open")
    return state.library


def use_offscreen_if_headless() -> None:
    """Draw off screen where there is no display (a CI runner, an SSH session): the self-test
    never shows a window, but Qt needs a platform to start on."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
