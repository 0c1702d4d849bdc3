"""Interface translations: Qt Linguist ``.ts`` sources in ``resources/i18n``, compiled to ``.qm``.

The ``.qm`` files are built from the sources (``python -m fieldreader.ui.i18n build``), never
edited by hand; a missing ``.qm`` leaves the interface in English rather than failing.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

LANGUAGES = ("ar",)
"""Interface languages shipped besides English (the source language)."""


def i18n_dir() -> Path:
    return Path(str(resources.files("fieldreader") / "resources" / "i18n"))


def install_translator(app: QApplication, locale: QLocale) -> QTranslator | None:
    """Load the interface translation for ``locale`` if there is one; right-to-left languages
    turn the whole layout around."""
    translator = QTranslator(app)
    if not translator.load(locale, "fieldreader", "_", str(i18n_dir())):
        return None
    app.installTranslator(translator)
    if locale.textDirection().name == "RightToLeft":
        from PySide6.QtCore import Qt  # noqa: PLC0415 - only needed here

        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    return translator


def build(out_dir: Path | None = None) -> list[Path]:
    """Compile every ``.ts`` into ``.qm`` with Qt's lrelease (shipped with PySide6)."""
    target = out_dir or i18n_dir()
    built = []
    for source in sorted(i18n_dir().glob("fieldreader_*.ts")):
        qm = target / source.with_suffix(".qm").name
        subprocess.run(  # noqa: S603 - fixed tool, our own files
            [_tool("pyside6-lrelease"), "-silent", str(source), "-qm", str(qm)], check=True
        )
        built.append(qm)
    return built


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


if __name__ == "__main__":
    for path in build():
        print(f"Built {path}")
