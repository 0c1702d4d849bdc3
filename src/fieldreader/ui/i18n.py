"""Interface translations: Qt Linguist ``.ts`` sources in ``resources/i18n``, compiled to ``.qm``.

The ``.ts`` files are regenerated from the code by ``lupdate`` (``make translations``, which keeps
every translation already made), translated in Qt Linguist, and compiled to ``.qm`` by the build
(``make install``); the ``.qm`` are never edited or committed. A missing ``.qm`` leaves the
interface in English rather than failing.

Run ``python -m fieldreader.ui.i18n update|build|check``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

LANGUAGES = ("ar",)
"""Interface languages shipped besides English (the source language)."""

UI_DIR = Path(__file__).resolve().parent
"""The code ``lupdate`` reads: every module of the Qt layer."""


def i18n_dir() -> Path:
    return Path(str(resources.files("fieldreader") / "resources" / "i18n"))


def ts_path(language: str, directory: Path | None = None) -> Path:
    return (directory or i18n_dir()) / f"fieldreader_{language}.ts"


def install_translator(
    app: QApplication, locale: QLocale, directory: Path | None = None
) -> list[QTranslator]:
    """Load the interface translation for ``locale`` if this build has one, and Qt's own for the
    same language (standard buttons, text field menus) if Qt ships it.

    The layout turns right-to-left only when a right-to-left translation was loaded: English
    text in a mirrored window reads worse than either. Returns what was installed (nothing
    when the interface stays in English), for :func:`remove_translators`.
    """
    ours = QTranslator(app)
    if not ours.load(locale, "fieldreader", "_", str(directory or i18n_dir())):
        return []
    app.installTranslator(ours)
    installed = [ours]
    language = QLocale(ours.language())
    qt_own = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(language, "qtbase", "_", qt_dir):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    if language.textDirection() == Qt.LayoutDirection.RightToLeft:
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    return installed


def remove_translators(app: QApplication, translators: list[QTranslator]) -> None:
    """Back to English, left to right (a language switch, and tests)."""
    for translator in translators:
        app.removeTranslator(translator)
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def ui_sources() -> list[Path]:
    return sorted(p for p in UI_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def update(directory: Path | None = None, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Bring every ``.ts`` up to date with the code: new strings are added unfinished, strings
    no longer in the code are dropped, translations of unchanged strings are kept.

    No source locations are written, so moving code around does not touch the ``.ts``.
    """
    target = directory or i18n_dir()
    target.mkdir(parents=True, exist_ok=True)
    updated = []
    for language in languages:
        ts = ts_path(language, target)
        _run(
            "pyside6-lupdate",
            "-silent",
            "-locations",
            "none",
            "-no-obsolete",
            "-source-language",
            "en",
            "-target-language",
            language,
            *(str(p) for p in ui_sources()),
            "-ts",
            str(ts),
        )
        updated.append(ts)
    return updated


def build(out_dir: Path | None = None) -> list[Path]:
    """Compile every ``.ts`` into ``.qm`` with Qt's lrelease (shipped with PySide6)."""
    target = out_dir or i18n_dir()
    built = []
    for source in sorted(i18n_dir().glob("fieldreader_*.ts")):
        qm = target / source.with_suffix(".qm").name
        _run("pyside6-lrelease", "-silent", str(source), "-qm", str(qm))
        built.append(qm)
    return built


@dataclass(frozen=True)
class Message:
    """One entry of a ``.ts`` file."""

    context: str
    source: str
    translations: tuple[str, ...]
    """One text, or one per plural form for a ``%n`` message."""
    finished: bool

    @property
    def complete(self) -> bool:
        return self.finished and all(t.strip() for t in self.translations)


def read_ts(path: Path) -> list[Message]:
    """Every message of a ``.ts`` file (our own file, produced by lupdate)."""
    from xml.etree import ElementTree  # noqa: PLC0415 - maintainers' tool only

    root = ElementTree.parse(path).getroot()  # noqa: S314 - a file of this repository
    messages = []
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                texts: tuple[str, ...] = ()
                kind = "unfinished"
            else:
                forms = translation.findall("numerusform")
                texts = tuple(f.text or "" for f in forms) if forms else (translation.text or "",)
                kind = translation.get("type", "")
            messages.append(
                Message(
                    context=name,
                    source=message.findtext("source", ""),
                    translations=texts,
                    finished=kind not in ("unfinished", "obsolete", "vanished"),
                )
            )
    return messages


def missing(path: Path) -> list[Message]:
    """The messages of ``path`` without a finished translation."""
    return [m for m in read_ts(path) if not m.complete]


def _run(tool: str, *args: str) -> None:
    import subprocess  # noqa: PLC0415 - maintainers' tool only

    subprocess.run([_tool(tool), *args], check=True)  # noqa: S603 - Qt's tool, our own files


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldreader.ui.i18n", description=__doc__)
    parser.add_argument(
        "command",
        choices=("update", "build", "check"),
        nargs="?",
        default="build",
        help="update: .ts from the code; build: .qm from the .ts; check: list what is missing",
    )
    command = parser.parse_args(argv).command
    if command == "update":
        for path in update():
            print(f"Updated {path}")
    elif command == "build":
        for path in build():
            print(f"Built {path}")
    else:
        gaps = [(lang, m) for lang in LANGUAGES for m in missing(ts_path(lang))]
        for lang, message in gaps:
            print(f"{lang}: [{message.context}] {message.source!r}")
        if gaps:
            print(f"{len(gaps)} translation(s) missing")
            return 1
        print("Every interface string is translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
