#!/usr/bin/env python3
"""PNGs of every screen of the desktop reader, taken from the real app on a private X server.

Starts Xvfb on a free display, runs the app there (Qt's xcb platform, as on a Linux desktop)
on a new library in a temporary folder filled with the sample content, walks through the
screens and saves one PNG each:

    first-run, unlock, library, article-en, article-ar, search, notes, contact, sync

in ``build/screenshots/<language>/`` (English and Arabic by default). Parts of the app that are
not in this build yet are reported and skipped. The library is created with the cheapest key
derivation (it holds only the public sample) and removed at the end.

    python scripts/screenshots.py [--out DIR] [--language en ar] [--size 1280x800]

Installs nothing: without Xvfb or the X libraries Qt needs, it names the Debian packages.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QWidget

from fieldreader.service import View
from fieldreader.store import KdfParams
from fieldreader.ui.app import make_application
from fieldreader.ui.item_list import ITEM_ID_ROLE
from fieldreader.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "screenshots"
LANGUAGES = ("en", "ar")
DEFAULT_SIZE = "1280x800"
XVFB_START_SECONDS = 15
CAPTURE_TIMEOUT_SECONDS = 300
WAIT_MS = 30_000
PASSPHRASE = "screenshots only: a public sample library"  # noqa: S105 - nothing secret in it

# Shared libraries Qt's xcb platform loads, and the Debian packages that provide them.
XCB_LIBRARIES = {
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}

# What to show: sample items that exist in every build of the sample library.
ARTICLE_EN = "civicus-jerusalem-statement-en"
ARTICLE_AR = "civicus-jerusalem-statement-ar"
CONTACT = "civicus-johannesburg"
SEARCH = "civil society"
SYNC_NAMES = ("sync_panel", "sync_dock", "sync_view", "sync_dialog")
NOTES_NAMES = ("notes_panel", "notes_view", "note_panel")
NOTE = (
    "Ask the Johannesburg office whether the **statement** was also sent to the UN office.\n\n"
    "- check the date of the assembly\n- compare with the Arabic version"
)


# --- The driver: Xvfb, then this script again in capture mode on its display ------------------


def missing_packages() -> list[str]:
    """Debian packages to install before screenshots can be taken."""
    packages = [] if shutil.which("Xvfb") else ["xvfb"]
    packages += [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]
    return packages


@contextlib.contextmanager
def xvfb(size: str) -> Iterator[str]:
    """A private X server on a display number it picks itself (``-displayfd``)."""
    program = shutil.which("Xvfb") or "Xvfb"
    read_end, write_end = os.pipe()
    server = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        [
            program,
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            f"{size}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        display = _read_display(read_end, server)
        print(f"Xvfb started on :{display} (pid {server.pid})", file=sys.stderr)
        yield f":{display}"
    finally:
        os.close(read_end)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(f"Xvfb stopped (pid {server.pid})", file=sys.stderr)


def _read_display(fd: int, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + XVFB_START_SECONDS
    text = b""
    os.set_blocking(fd, False)
    while time.monotonic() < deadline:
        with contextlib.suppress(BlockingIOError):
            chunk = os.read(fd, 64)
            if not chunk and server.poll() is not None:
                break
            text += chunk
            if text.endswith(b"\n"):
                return text.decode().strip()
        if server.poll() is not None:
            break
        time.sleep(0.05)
    error = server.stderr.read().decode(errors="replace") if server.stderr else ""
    raise SystemExit(f"Xvfb did not start: {error.strip() or 'no display after a while'}")


def drive(out: Path, languages: Sequence[str], size: str) -> int:
    packages = missing_packages()
    if packages:
        print(
            "Screenshots need an X server and the X libraries Qt uses. On Debian or Ubuntu:\n"
            f"    sudo apt-get install {' '.join(packages)}",
            file=sys.stderr,
        )
        return 2
    if (
        not shutil.which("fc-list")
        or not subprocess.run(
            ["fc-list", ":lang=ar", "family"],  # noqa: S607 - fontconfig's own tool
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    ):
        print(
            "No font with Arabic letters: try `apt-get install fonts-noto-core`.", file=sys.stderr
        )
    out.mkdir(parents=True, exist_ok=True)
    with xvfb(size) as display, tempfile.TemporaryDirectory(prefix="fr-shots-") as runtime:
        Path(runtime).chmod(0o700)
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_RUNTIME_DIR": runtime,
            "QT_LOGGING_RULES": "*.debug=false",
        }
        env.pop("WAYLAND_DISPLAY", None)
        for language in languages:
            folder = out / language
            folder.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(  # noqa: S603 - this script, this interpreter
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--capture",
                    "--out",
                    str(folder),
                    "--language",
                    language,
                    "--size",
                    size,
                ],
                env=env,
                timeout=CAPTURE_TIMEOUT_SECONDS,
                check=False,
            )
            if result.returncode != 0:
                print(f"Capturing in {language} failed ({result.returncode}).", file=sys.stderr)
                return result.returncode
    print(f"Screenshots in {out}")
    return 0


# --- Capture mode: the app itself, in this process, on the Xvfb display -----------------------


class Capture:
    """Drives one window through the screens and saves each."""

    def __init__(self, app: QApplication, window: MainWindow, out: Path) -> None:
        self.app = app
        self.window = window
        self.out = out
        self.taken: list[str] = []
        self.skipped: list[str] = []

    def wait(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_MS / 1000
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting for {what}.")
            self.app.processEvents()
            time.sleep(0.01)

    def idle(self) -> None:
        win = self.window
        self.wait(lambda: not win.worker.busy() and not win.search_hits_pending(), "the worker")
        self.settle()

    def settle(self, seconds: float = 0.3) -> None:
        """Let layouts, deferred scrolls and the X server catch up before a grab."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        self.settle()
        path = self.out / f"{name}.png"
        if not (widget or self.window).grab().save(str(path)):
            raise SystemExit(f"Could not write {path}.")
        self.taken.append(name)
        print(f"  {path}", file=sys.stderr)

    def skip(self, name: str, why: str) -> None:
        self.skipped.append(name)
        print(f"  {name}: skipped, {why}", file=sys.stderr)

    def open(self, item_id: str) -> None:
        win = self.window
        shown: list[str] = []
        win.page_shown.connect(shown.append)
        win.open_item(item_id)
        self.wait(lambda: item_id in shown, f"item {item_id}")
        win.page_shown.disconnect(shown.append)
        self.idle()

    def select(self, item_id: str) -> None:
        """Select the item's row in the list (as a click would), else just open it."""
        win = self.window
        for row in range(win.model.rowCount()):
            index = win.model.index(row, 0)
            if index.data(ITEM_ID_ROLE) == item_id:
                win.item_list.setCurrentIndex(index)
                win.item_list.scrollTo(index)
                self.wait(
                    lambda: win.current is not None and win.current.item.id == item_id, item_id
                )
                self.idle()
                return
        self.open(item_id)

    def section(self, view: View) -> None:
        if self.window.view == view:
            self.idle()
            return
        shown: list[int] = []
        self.window.results_shown.connect(shown.append)
        self.window.select_section(view)
        self.wait(lambda: bool(shown), f"the {view} section")
        self.window.results_shown.disconnect(shown.append)
        self.idle()


def capture(out: Path, language: str, size: str) -> int:
    app = make_application([sys.argv[0]], language)
    width, height = (int(n) for n in size.split("x"))
    with tempfile.TemporaryDirectory(prefix="fr-shots-library-") as folder:
        window = MainWindow(Path(folder) / "library", kdf=KdfParams(opslimit=1, memlimit=8192))
        window.resize(width, height)
        window.move(0, 0)
        window.show()
        window.start()
        run = Capture(app, window, out)
        print(f"Capturing ({language}):", file=sys.stderr)
        try:
            _walk(run, window)
        finally:
            window.close()
    print(
        f"{len(run.taken)} screenshots ({language})"
        + (f", skipped: {', '.join(run.skipped)}" if run.skipped else ""),
        file=sys.stderr,
    )
    return 0


def _walk(run: Capture, window: MainWindow) -> None:
    first = window.first_run
    run.wait(first.isVisible, "the first-run screen")
    first.passphrase.setText(PASSPHRASE)
    first.repeat.setText(PASSPHRASE)
    run.shot("first-run")

    unlocked: list[bool] = []
    window.unlocked.connect(lambda: unlocked.append(True))
    first.button.click()
    run.wait(lambda: bool(unlocked), "the library to be created")
    run.idle()
    _add_notes(run, window)

    window.lock()
    run.idle()
    run.shot("unlock")
    window.unlock_panel.passphrase.setText(PASSPHRASE)
    window.unlock_panel.button.click()
    run.wait(lambda: len(unlocked) > 1, "unlocking")
    run.idle()
    run.section("article")
    run.shot("library")

    run.select(ARTICLE_EN)
    run.shot("article-en")
    run.select(ARTICLE_AR)
    run.shot("article-ar")

    shown: list[int] = []
    window.results_shown.connect(shown.append)
    window.search_field.setText(SEARCH)
    run.wait(lambda: bool(shown) and not window.search_hits_pending(), "search results")
    window.results_shown.disconnect(shown.append)
    run.idle()
    run.shot("search")
    window.search_field.clear()
    run.idle()

    _notes(run, window)

    run.section("contact")
    run.select(CONTACT)
    run.shot("contact")

    _sync(run, window)


def _part(window: MainWindow, names: Sequence[str]) -> QWidget | None:
    """A part of the window another change adds, found by the attribute it is kept in."""
    for name in names:
        found = getattr(window, name, None)
        if isinstance(found, QWidget):
            return found
    return None


def _add_notes(run: Capture, window: MainWindow) -> None:
    """Two notes, through the core as the notes panel would save them (the next unlock shows
    them counted)."""
    service = window.service
    if service is None:
        return
    window.worker.submit(lambda: service.add_note(NOTE, ARTICLE_EN))
    window.worker.submit(lambda: service.add_note(NOTE.split("\n", 1)[0], None))
    run.idle()


def _notes(run: Capture, window: MainWindow) -> None:
    run.section("notes")
    run.select(ARTICLE_EN)
    panel = _part(window, NOTES_NAMES)
    if panel is not None:
        panel.show()
    run.shot("notes")


def _sync(run: Capture, window: MainWindow) -> None:
    panel = _part(window, SYNC_NAMES)
    if panel is None:
        action = next(
            (
                a
                for a in window.findChildren(QAction)
                if "sync" in a.objectName().lower()
                or a.text().replace("&", "").lower().startswith("sync")
            ),
            None,
        )
        if action is not None:
            action.trigger()
            run.settle()
        panel = _part(window, SYNC_NAMES)
    if panel is None:
        panel = next(
            (
                w
                for w in run.app.topLevelWidgets()
                if w.isVisible() and "sync" in type(w).__name__.lower()
            ),
            None,
        )
    if panel is None:
        run.skip("sync", "no sync panel in this build yet")
        return
    panel.show()
    run.settle()
    is_own_window = isinstance(panel, QDialog) or (
        isinstance(panel, QDockWidget) and panel.isFloating()
    )
    run.shot("sync", panel if is_own_window else None)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the PNGs")
    parser.add_argument(
        "--language",
        nargs="+",
        default=list(LANGUAGES),
        help="interface languages, one folder each (default: en ar)",
    )
    parser.add_argument("--size", default=DEFAULT_SIZE, help="window size, WIDTHxHEIGHT")
    parser.add_argument("--capture", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        width, height = (int(n) for n in args.size.split("x"))
    except ValueError:
        parser.error(f"--size must look like 1280x800, not {args.size!r}")
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        parser.error(f"--size {args.size} is out of range")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.capture:
        return capture(args.out, args.language[0], args.size)
    return drive(args.out, args.language, args.size)


if __name__ == "__main__":
    sys.exit(main())
