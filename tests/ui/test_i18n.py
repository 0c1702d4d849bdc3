"""Translations: the ``.ts`` follows the code, Arabic is complete, and an Arabic interface is
right to left from the first screen to the menus; Arabic and Persian articles read right to
left whatever the interface language.

When a test here fails after interface strings were added or changed: run ``make translations``
and translate what ``python -m fieldreader.ui.i18n check`` lists (Qt Linguist:
``.venv/bin/pyside6-linguist src/fieldreader/resources/i18n/fieldreader_ar.ts``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)
from pytestqt.qtbot import QtBot

from factories import FAST_KDF
from fieldreader.ui import i18n
from fieldreader.ui.main_window import MainWindow
from ui.conftest import WAIT_MS, set_up, wait_idle

PLACEHOLDER = re.compile(r"%(?:\d+|n|v|m)")
ARABIC_LETTER = re.compile(r"[\u0620-\u064a]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# Latin text an Arabic interface keeps: the product's name, key names, services' own names.
KEPT_LATIN = re.compile(
    r"fieldreader|Ctrl|Shift|\+\w\b|Markdown|Tor|HTTPS|USB|\btoml\b|\*\.\w+|"
    r"Signal|WhatsApp|Telegram|Matrix|Wire|Threema|PGP"
)

ARTICLE_EN = "civicus-jerusalem-statement-en"
ARTICLE_AR = "civicus-jerusalem-statement-ar"
ARTICLE_FA = "civicus-jerusalem-statement-fa"


def _arabic() -> list[i18n.Message]:
    return i18n.read_ts(i18n.ts_path("ar"))


def _translated(context: str, source: str) -> str:
    found = [m for m in _arabic() if m.context == context and m.source == source]
    assert found, f"[{context}] {source!r} is not in the .ts"
    return found[0].translations[0]


def _mnemonics(text: str) -> list[str]:
    """The letters after single ``&`` (``&&`` is a literal ampersand)."""
    return [m.lower() for m in re.findall(r"(?<!&)&([^&\s])", text.replace("&&", ""))]


# The .ts files


def test_the_ts_lists_exactly_the_strings_of_the_code(tmp_path: Path) -> None:
    committed = i18n.ts_path("ar")
    shutil.copy(committed, tmp_path / committed.name)
    i18n.update(tmp_path, ("ar",))

    def keys(path: Path) -> set[tuple[str, str]]:
        return {(m.context, m.source) for m in i18n.read_ts(path)}

    fresh = keys(tmp_path / committed.name)
    new, gone = sorted(fresh - keys(committed)), sorted(keys(committed) - fresh)
    assert new == [], "run `make translations`: new strings in the code"
    assert gone == [], "run `make translations`: strings no longer in the code"


def test_contexts_are_class_names() -> None:
    """``self.tr`` looks strings up under the class's name. ``widget.tr(...)`` on a variable
    makes lupdate file the string under "widget", where nothing ever looks: use ``self.tr`` in
    the class, or ``QCoreApplication.translate("ClassName", ...)``."""
    wrong = sorted({m.context for m in _arabic() if not re.fullmatch(r"[A-Z]\w*", m.context)})
    assert wrong == []


def test_every_string_has_a_finished_arabic_translation() -> None:
    missing = [f"[{m.context}] {m.source!r}" for m in i18n.missing(i18n.ts_path("ar"))]
    assert missing == [], "not translated into Arabic:\n" + "\n".join(missing)


def test_every_shipped_language_has_a_ts() -> None:
    assert i18n.LANGUAGES
    for language in i18n.LANGUAGES:
        assert i18n.ts_path(language).is_file()


def test_translations_keep_placeholders_accelerators_and_spacing() -> None:
    problems = []
    for message in _arabic():
        source, forms = message.source, message.translations
        label = f"[{message.context}] {source!r}"
        wanted = set(PLACEHOLDER.findall(source))
        # Plural forms may spell out small numbers ("two results") without %n; every other
        # placeholder belongs in every form.
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - {"%n"} != wanted - {"%n"}:
                problems.append(f"{label}: placeholders in {form!r}")
        if set().union(*(PLACEHOLDER.findall(f) for f in forms)) != wanted:
            problems.append(f"{label}: placeholders {wanted} not all used")
        for form in forms:
            if len(_mnemonics(form)) != len(_mnemonics(source)):
                problems.append(f"{label}: accelerator in {form!r}")
            if form[:1].isspace() != source[:1].isspace() or (
                form[-1:].isspace() != source[-1:].isspace()
            ):
                problems.append(f"{label}: leading or trailing space in {form!r}")
            if source.count("\n") != form.count("\n"):
                problems.append(f"{label}: line breaks in {form!r}")
            if not ARABIC_LETTER.search(form):
                problems.append(f"{label}: no Arabic in {form!r}")
    assert problems == []


def test_check_lists_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ts = tmp_path / "fieldreader_ar.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        '<TS version="2.1" language="ar" sourcelanguage="en">\n'
        "<context><name>MainWindow</name>\n"
        "<message><source>Done</source><translation>تم</translation></message>\n"
        '<message><source>New</source><translation type="unfinished"></translation></message>\n'
        "<message><source>Empty</source><translation></translation></message>\n"
        '<message numerus="yes"><source>%n item(s)</source><translation>'
        "<numerusform>عنصر</numerusform><numerusform></numerusform>"
        "</translation></message>\n"
        "</context>\n</TS>\n",
        encoding="utf-8",
    )
    assert [m.source for m in i18n.missing(ts)] == ["New", "Empty", "%n item(s)"]


def test_build_compiles_each_ts(tmp_path: Path) -> None:
    built = i18n.build(tmp_path)
    assert sorted(p.name for p in built) == [f"fieldreader_{lang}.qm" for lang in i18n.LANGUAGES]
    translator = QTranslator()
    assert translator.load(str(built[0]))
    assert translator.language() == "ar"


# Loading


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    folder = tmp_path / "qm"
    folder.mkdir()
    i18n.build(folder)
    return folder


@pytest.fixture
def arabic(qapp: QApplication, compiled: Path) -> Iterator[list[QTranslator]]:
    installed = i18n.install_translator(qapp, QLocale("ar"), compiled)
    yield installed
    i18n.remove_translators(qapp, installed)


@pytest.fixture
def arabic_window(qtbot: QtBot, data_dir: Path, arabic: list[QTranslator]) -> Iterator[MainWindow]:
    win = MainWindow(data_dir, kdf=FAST_KDF)
    qtbot.addWidget(win)
    win.show()
    win.start()
    yield win
    win.close()


@pytest.mark.parametrize("name", ["en", "fa", "de_DE", "C"])
def test_languages_without_a_translation_stay_english_left_to_right(
    qapp: QApplication, compiled: Path, name: str
) -> None:
    assert i18n.install_translator(qapp, QLocale(name), compiled) == []
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_no_compiled_translations_means_english(qapp: QApplication, tmp_path: Path) -> None:
    assert i18n.install_translator(qapp, QLocale("ar"), tmp_path / "absent") == []
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_arabic_region_variants_load_arabic(qapp: QApplication, compiled: Path) -> None:
    installed = i18n.install_translator(qapp, QLocale("ar_SY"), compiled)
    try:
        assert installed
        assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
    finally:
        i18n.remove_translators(qapp, installed)
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_arabic_interface_is_right_to_left_with_arabic_menus(
    qtbot: QtBot, arabic_window: MainWindow
) -> None:
    win = arabic_window
    assert win.isRightToLeft()
    assert win.first_run.isRightToLeft()
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus[:3] == [
        _translated("MainWindow", "&Library"),
        _translated("MainWindow", "&View"),
        _translated("MainWindow", "&Item"),
    ]
    assert all(ARABIC_LETTER.search(text) for text in menus)
    assert win.lock_action.text() == _translated("MainWindow", "&Lock now")
    assert win.first_run.button.text() == _translated("FirstRunPanel", "&Create library")
    assert win.search_field.placeholderText().startswith("ابحث")


def test_arabic_menus_have_distinct_accelerators(arabic_window: MainWindow) -> None:
    def clashes(actions: list[QAction]) -> list[str]:
        seen: dict[str, str] = {}
        found = []
        for action in actions:
            for letter in _mnemonics(action.text()):
                if letter in seen:
                    found.append(f"{seen[letter]!r} and {action.text()!r}")
                seen[letter] = action.text()
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                found += clashes(submenu.actions())
        return found

    assert clashes(arabic_window.menuBar().actions()) == []


def _english_on_screen(win: MainWindow) -> list[str]:
    """Interface text in Latin letters on the current page and in the menus. Content (titles,
    summaries, the reader, contact details, filter values) is left out: it is in its own
    language."""
    page = win.stack.currentWidget()
    assert page is not None
    content: list[QWidget] = [win.reader_stack, win.item_list, win.title_label, win.meta_label]
    texts: list[str] = []

    def menu_texts(actions: list[QAction]) -> None:
        for action in actions:
            texts.append(action.text())
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                menu_texts(submenu.actions())

    menu_texts(win.menuBar().actions())
    widgets = [page, *page.findChildren(QWidget), win.search_field]
    for widget in widgets:
        if any(widget is c or c.isAncestorOf(widget) for c in content):
            continue
        if not widget.isVisibleTo(win):
            continue
        texts += [widget.accessibleName(), widget.toolTip()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
    if page is win.library_page:
        for row in range(win.sidebar.count()):
            item = win.sidebar.item(row)
            texts += [item.text(), item.data(Qt.ItemDataRole.AccessibleTextRole)]
        texts += [c.itemText(0) for c in (win.lang_filter, win.country_filter, win.tag_filter)]
    return sorted({t for t in texts if t and LATIN_LETTER.search(KEPT_LATIN.sub("", t))})


def test_no_english_left_on_any_screen(qtbot: QtBot, arabic_window: MainWindow) -> None:
    win = arabic_window
    assert win.stack.currentWidget() is win.first_run
    win.first_run.use_duress.setChecked(True)
    win.first_run.use_limit.setChecked(True)
    assert _english_on_screen(win) == []
    set_up(qtbot, win)
    assert _english_on_screen(win) == []
    win.lock()
    assert win.stack.currentWidget() is win.unlock_panel
    assert _english_on_screen(win) == []


def test_arabic_section_names_fit_their_column(qtbot: QtBot, arabic_window: MainWindow) -> None:
    set_up(qtbot, arabic_window)
    sidebar = arabic_window.sidebar
    side = sidebar.parentWidget()
    assert side is not None
    assert side.rect().contains(sidebar.geometry())
    widest = max(
        sidebar.fontMetrics().horizontalAdvance(sidebar.item(r).text())
        for r in range(sidebar.count())
    )
    assert sidebar.viewport().width() >= widest


def test_messages_from_code_are_translated(qtbot: QtBot, arabic_window: MainWindow) -> None:
    win = arabic_window
    win.first_run.passphrase.setText("short")
    win.first_run.button.click()
    assert win.first_run.message.text() == _translated(
        "FirstRunPanel", "The passphrase needs at least %1 characters."
    ).replace("%1", "8")
    set_up(qtbot, win)
    win.search_field.setText("civicus")
    qtbot.waitUntil(lambda: bool(win.statusBar().currentMessage()), timeout=WAIT_MS)
    assert ARABIC_LETTER.search(win.statusBar().currentMessage())
    assert ARABIC_LETTER.search(win.model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole))


# Articles


def _open(qtbot: QtBot, win: MainWindow, item_id: str) -> None:
    with qtbot.waitSignal(win.page_shown, timeout=WAIT_MS):
        win.open_item(item_id)
    wait_idle(qtbot, win)


def _direction(win: MainWindow) -> tuple[Qt.LayoutDirection, Qt.LayoutDirection]:
    block = win.reader.document().firstBlock()
    return win.reader.layoutDirection(), block.textDirection()


RTL = (Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.RightToLeft)
LTR = (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.LeftToRight)


def test_arabic_and_persian_articles_read_right_to_left(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    assert not window.isRightToLeft()
    for item_id in (ARTICLE_AR, ARTICLE_FA):
        _open(qtbot, window, item_id)
        assert _direction(window) == RTL, item_id
        assert window.title_label.layoutDirection() == Qt.LayoutDirection.RightToLeft
    _open(qtbot, window, ARTICLE_EN)
    assert _direction(window) == LTR


def test_english_article_reads_left_to_right_in_an_arabic_interface(
    qtbot: QtBot, arabic_window: MainWindow
) -> None:
    set_up(qtbot, arabic_window)
    _open(qtbot, arabic_window, ARTICLE_EN)
    assert _direction(arabic_window) == LTR
    _open(qtbot, arabic_window, ARTICLE_AR)
    assert _direction(arabic_window) == RTL
