"""The desktop reader's entry point: ``fieldreader-desktop`` (or ``python -m fieldreader.ui``).

Before any window exists: no core dumps, no Qt settings file, no identifying application
metadata, and translations for the system's language if this build ships them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from fieldreader.paths import default_data_dir
from fieldreader.process import forbid_core_dumps
from fieldreader.provisioning import prepare_process
from fieldreader.ui.i18n import install_translator
from fieldreader.ui.main_window import APP_TITLE, MainWindow
from fieldreader.ui.theme import apply_theme


def make_application(argv: list[str], language: str | None = None) -> QApplication:
    """The QApplication, themed and translated. Reuses one that already exists (tests)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    # Application name only: no organisation or domain, so Qt has no per-app settings path
    # to write to even if some component asked for one.
    QCoreApplication.setApplicationName(APP_TITLE)
    app.setDesktopFileName("")
    apply_theme(app, "system")
    install_translator(app, QLocale(language) if language else QLocale.system())
    return app


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="fieldreader-desktop", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="the library's folder")
    parser.add_argument("--language", help="interface language, e.g. en or ar (default: system)")
    args = parser.parse_args(args_list)
    forbid_core_dumps()
    # Before Qt starts: portable mode points its caches and temporary files into the app folder.
    provisioning = prepare_process()
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false")
    app = make_application([sys.argv[0]], args.language)
    portable = provisioning.data_dir if provisioning is not None else None
    window = MainWindow(args.data_dir or portable or default_data_dir(), provisioning=provisioning)
    window.show()
    window.start()
    return app.exec()


__all__ = ["QTranslator", "main", "make_application"]
