"""What the packaged build leaves out, and why; used by ``fieldreader.spec``.

Every byte of the build crosses poor and expensive links, so the spec starts from what
PyInstaller would collect and removes what a Qt Widgets reader never loads. Each list below says
what goes and what would stop working if it were kept out by mistake; the self-test
(``fieldreader --self-test``) and ``tests/packaging`` run the result.
"""

from __future__ import annotations

import fnmatch
import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Qt plugins kept, as "type/file" patterns; every other plugin is left out. Left out on purpose:
# tls and networkinformation (the reader does its networking in Python, with httpx), generic
# and egldeviceintegrations (evdev and kiosk displays), the eglfs/linuxfb/vnc/minimal/vkkhr
# platforms, xcbglintegrations and wayland graphics integrations (a Widgets window paints in
# software; no OpenGL), platformthemes (the GTK3 theme pulls in GTK, Pango and Cairo; the
# portal theme is for native file dialogs, which the reader never uses), iconengines (no SVG
# icons), and image formats articles do not carry (svg, tiff, webp, ico, icns, tga, wbmp).
# PNG is built into QtGui.
QT_PLUGINS: dict[str, tuple[str, ...]] = {
    "linux": (
        "platforms/libqxcb.so",  # X11, and XWayland
        "platforms/libqwayland.so",  # native Wayland sessions
        "platforms/libqoffscreen.so",  # the self-test without a display
        "wayland-shell-integration/libxdg-shell.so",
        # Window frames where the compositor draws none (GNOME); the "adwaita" look would
        # bring QtSvg along.
        "wayland-decoration-client/libbradient.so",
        "platforminputcontexts/*",  # compose key (accents) and IBus input methods
        "imageformats/libqjpeg.so",
        "imageformats/libqgif.so",
    ),
    "win": (
        "platforms/qwindows.dll",
        "platforms/qoffscreen.dll",
        "styles/*",
        "imageformats/qjpeg.dll",
        "imageformats/qgif.dll",
    ),
    "darwin": (
        "platforms/libqcocoa.dylib",
        "platforms/libqoffscreen.dylib",
        "styles/*",
        "imageformats/libqjpeg.dylib",
        "imageformats/libqgif.dylib",
    ),
}

# Python modules never imported by the reader (development tools, test frameworks, Tk, the
# stdlib's sqlite3 since the library is SQLCipher), and the Qt bindings it does not use:
# QtNetwork and QtDBus are only linked from QtGui's dependencies, and would bring their own
# libraries (Kerberos, Brotli) along.
EXCLUDED_MODULES: list[str] = [
    "tkinter",
    "_tkinter",
    "unittest",
    "doctest",
    "pydoc",
    "pydoc_data",
    "pdb",
    "lib2to3",
    "idlelib",
    "ensurepip",
    "venv",
    "distutils",
    "setuptools",
    "pkg_resources",
    "pip",
    "test",
    "sqlite3",
    "xmlrpc",
    "curses",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "zstandard.backend_cffi",  # the C backend is the one used; the cffi one is a second copy
    # Nothing starts processes with multiprocessing; left in, PyInstaller would also run its
    # start-up hook for it on every start.
    "multiprocessing",
    "concurrent.futures.process",
    # East Asian legacy encodings: feeds, notes and the library are UTF-8 throughout. Asking
    # for one of these codecs gives Python's ordinary "unknown encoding" error.
    "_multibytecodec",
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
]

# Collected files removed after analysis, by destination pattern.
EXCLUDED_BINARIES: tuple[str, ...] = (
    "zstandard/_cffi.*",
    # D-Bus comes from the system, as libGL and libc do: QtGui links it, every desktop has it,
    # and the builder's copy would bring the builder's systemd, gcrypt and lz4 along (2.5 MB,
    # and a systemd library from one distribution inside another).
    "libdbus-1.so.3",
    "libsystemd.so.0",
    "libgcrypt.so.20",
    "libgpg-error.so.0",
    "liblz4.so.1",
    "libcap.so.2",
)


def platform_key() -> str:
    if sys.platform.startswith("win"):
        return "win"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def shipped_languages(i18n_dir: Path) -> list[str]:
    """The interface languages besides English: one ``fieldreader_<lang>.ts`` each."""
    return sorted(p.stem.removeprefix("fieldreader_") for p in i18n_dir.glob("fieldreader_*.ts"))


def require_package_data(resources: Path, languages: Iterable[str]) -> None:
    """Stop the build, naming what is missing, if the build outputs of ``make install`` are."""
    needed = [resources / "sample.frb", resources / "demo-keys" / "root.key"]
    needed += [resources / "i18n" / f"fieldreader_{lang}.qm" for lang in languages]
    missing = [str(p.relative_to(resources.parent.parent)) for p in needed if not p.is_file()]
    if missing:
        sys.exit("Not built yet (run `make install` first): " + ", ".join(missing))


def package_data(resources: Path, languages: Iterable[str]) -> list[tuple[str, str]]:
    """The package data the app reads at run time (through importlib.resources).

    The sample's Markdown source and the demo signing keys only build the bundle; the app needs
    the bundle and the demo root's key (to check the sample is the sample), not the rest.
    """
    base = "fieldreader/resources"
    data = [
        (str(resources / "sample.frb"), base),
        (str(resources / "demo-keys" / "root.key"), f"{base}/demo-keys"),
    ]
    data += [
        (str(resources / "i18n" / f"fieldreader_{lang}.qm"), f"{base}/i18n") for lang in languages
    ]
    return data


def limit_qt_plugins(qt_library_info: type, patterns: tuple[str, ...]) -> None:
    """Make PyInstaller's Qt hooks collect only the plugins matching ``patterns``.

    Filtering the hooks' answer (rather than the finished file list) also keeps out the
    libraries those plugins would have pulled in: GTK for the GTK3 theme, QtNetwork and
    Kerberos for the TLS plugins, QtOpenGL for the GL integrations.
    """
    original: Callable[[Any, str], list[tuple[str, str]]] = qt_library_info.collect_plugins  # type: ignore[attr-defined]

    @functools.wraps(original)
    def collect_plugins(self: Any, plugin_type: str) -> list[tuple[str, str]]:  # noqa: ANN401
        return [
            (src, dest)
            for src, dest in original(self, plugin_type)
            if any(fnmatch.fnmatch(f"{plugin_type}/{Path(src).name}", p) for p in patterns)
        ]

    qt_library_info.collect_plugins = collect_plugins  # type: ignore[attr-defined]


TocEntry = tuple[str, str, str]


def drop(toc: list[TocEntry], patterns: Iterable[str]) -> list[TocEntry]:
    """``toc`` without the entries whose destination matches one of ``patterns``."""
    patterns = tuple(patterns)
    return [e for e in toc if not any(fnmatch.fnmatch(e[0], p) for p in patterns)]


def keep_qt_translations(datas: list[TocEntry], languages: Iterable[str]) -> list[TocEntry]:
    """Qt's own translations only for the languages the reader ships, and only the catalogue
    it loads (``qtbase``: standard buttons, text field menus)."""
    wanted = {f"qtbase_{lang}.qm" for lang in languages}
    return [
        e
        for e in datas
        if "/translations/" not in e[0].replace("\\", "/") or Path(e[0]).name in wanted
    ]


def reduced_icu(binaries: list[TocEntry], work: Path) -> list[TocEntry]:
    """Swap Qt's ICU data library for the much smaller one :mod:`icu_data` rebuilds (Linux)."""
    import icu_data  # noqa: PLC0415 - Linux builds only

    out: list[TocEntry] = []
    replaced = 0
    for dest, src, kind in binaries:
        name = Path(dest).name
        if kind != "BINARY" or not fnmatch.fnmatch(name, "libicudata.so.*"):
            out.append((dest, src, kind))
            continue
        rebuilt = work / "icu" / name
        rebuilt.parent.mkdir(parents=True, exist_ok=True)
        try:
            kept, total = icu_data.build_library(Path(src), rebuilt)
        except icu_data.IcuDataError as exc:
            sys.exit(f"Cannot rebuild the ICU data library: {exc} (or build with --full-icu)")
        size = rebuilt.stat().st_size
        print(f"ICU data: {kept} of {total} items kept in {name} ({size} bytes)", file=sys.stderr)
        out.append((dest, str(rebuilt), kind))
        replaced += 1
    if not replaced:
        sys.exit("No ICU data library among the collected files: build with --full-icu")
    return out
