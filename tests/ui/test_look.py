"""How the window reads: a page column of comfortable width, rows in their own text's
direction, empty panes that say why, headings that stand out, sections that stay in step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPalette, QTextBlock, QTextFragment
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from factories import PASSPHRASE
from fieldreader.service import VIEWS
from fieldreader.store.search import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from fieldreader.ui.item_list import ItemDelegate, Row, detail_document, make_item_list
from fieldreader.ui.main_window import MainWindow
from fieldreader.ui.reader_view import MEASURE_CHARS, SIDE_MARGIN_PX, ReaderView
from fieldreader.ui.theme import MATCH_TEXT, apply_theme, match_background
from fieldreader.ui.unlock import Start
from ui.conftest import WAIT_MS, set_up, wait_idle

PAGE = "<h1>Heading</h1>" + "<p>" + "Words of a long paragraph about civic space. " * 60 + "</p>"


def _ink(image: QImage, band: QRect, background: QColor) -> list[int]:
    """The x of every pixel in ``band`` that differs clearly from ``background``."""
    found = []
    for y in range(band.top(), band.bottom() + 1):
        for x in range(band.left(), band.right() + 1):
            colour = image.pixelColor(x, y)
            if abs(colour.lightness() - background.lightness()) > 60:
                found.append(x)
    return found


# The reader pane


@pytest.fixture
def reader(qtbot: QtBot) -> ReaderView:
    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    return view


def _column(view: ReaderView) -> float:
    left, right = view.text_margins()
    return view.viewport().width() - left - right


def _measure(view: ReaderView) -> float:
    return QFontMetricsF(view.document().defaultFont()).averageCharWidth() * MEASURE_CHARS


def test_wide_pane_centres_a_column_of_readable_width(reader: ReaderView) -> None:
    reader.show_page(PAGE, {}, rtl=False)
    left, right = reader.text_margins()
    assert left == right
    assert left > SIDE_MARGIN_PX
    assert _column(reader) <= _measure(reader) + 1


def test_narrow_pane_keeps_the_least_margin(qtbot: QtBot, reader: ReaderView) -> None:
    reader.show_page(PAGE, {}, rtl=True)
    reader.resize(300, 400)
    qtbot.waitUntil(lambda: reader.viewport().width() < 300)
    assert reader.text_margins() == (SIDE_MARGIN_PX, SIDE_MARGIN_PX)


def test_margins_follow_resizes_and_text_size(qtbot: QtBot, reader: ReaderView) -> None:
    reader.show_page(PAGE, {}, rtl=False)
    wide = reader.text_margins()[0]
    reader.resize(900, 600)
    qtbot.waitUntil(lambda: reader.text_margins()[0] < wide)
    before = reader.text_margins()[0]
    reader.set_text_scale(1.5)
    assert reader.text_margins()[0] < before  # bigger letters, same number per line
    assert _column(reader) <= _measure(reader) + 1


def test_lines_are_spaced_for_reading(reader: ReaderView) -> None:
    reader.show_page(PAGE, {}, rtl=False)
    block = reader.document().lastBlock()
    assert block.blockFormat().lineHeight() > 100


def test_empty_pane_says_where_to_look(reader: ReaderView) -> None:
    background = reader.palette().color(reader.viewport().backgroundRole())
    band = reader.viewport().rect()
    assert _ink(reader.viewport().grab().toImage(), band, background) == []
    reader.set_empty_text("Choose an item")
    assert _ink(reader.viewport().grab().toImage(), band, background)
    reader.show_page("<p></p>", {}, rtl=False)
    reader.clear_page()
    assert _ink(reader.viewport().grab().toImage(), band, background)


# The item list


@pytest.mark.parametrize(
    "direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft]
)
def test_rows_start_on_their_own_texts_side(qtbot: QtBot, direction: Qt.LayoutDirection) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    holder.setLayoutDirection(direction)
    view, model = make_item_list(holder)
    view.resize(500, 300)
    model.set_rows(
        [
            Row("en", "Short", "EN", "Text", rtl=False),
            Row("ar", "قصير", "AR", "نص", rtl=True),
        ]
    )
    holder.show()
    image = view.viewport().grab().toImage()
    background = view.palette().color(view.viewport().backgroundRole())
    width = view.viewport().width()
    line = int(QFontMetricsF(view.font()).lineSpacing())
    for row, rtl in ((0, False), (1, True)):
        rect = view.visualRect(model.index(row, 0))
        title = QRect(0, rect.top() + ItemDelegate.PADDING, width, line)
        ink = _ink(image, title, background)
        assert ink, f"row {row} drew no title"
        if rtl:
            assert min(ink) > width / 2, "a right-to-left title starts at the right"
        else:
            assert max(ink) < width / 2, "a left-to-right title starts at the left"


def _search_row(lang: str, before: str, match: str, after: str) -> Row:
    snippet = f"{before}{HIGHLIGHT_START}{match}{HIGHLIGHT_END}{after}"
    hit = SearchHit("hit", "article", lang, "Title", snippet, 0)
    return Row.from_hit(hit)


@pytest.mark.parametrize(
    ("lang", "before", "match", "after"),
    [("en", "An old idea: ", "civil", " society <b>stays</b>."), ("ar", "نص ", "المدني", " هنا")],
)
def test_snippets_mark_the_matched_words(
    qapp: QApplication, lang: str, before: str, match: str, after: str
) -> None:
    """Marked as the reader marks them in the article; nothing else is, and the snippet's own
    text stays text."""
    palette = qapp.palette()
    row = _search_row(lang, before, match, after)
    doc = detail_document(row, palette, qapp.font(), QColor("#202020"), 400)
    assert doc.toPlainText() == before + match + after
    marked = []
    block = doc.begin()
    while block.isValid():
        for fragment in _fragments(block):
            if fragment.charFormat().background().color().rgb() == match_background(palette).rgb():
                assert fragment.charFormat().foreground().color().rgb() == MATCH_TEXT.rgb()
                marked.append(fragment.text())
        block = block.next()
    assert marked == [match]


def _fragments(block: QTextBlock) -> list[QTextFragment]:
    found = []
    it = block.begin()
    while not it.atEnd():
        found.append(it.fragment())
        it += 1
    return found


def test_the_list_paints_the_mark_behind_the_match(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    view, model = make_item_list(holder)
    view.resize(500, 200)
    holder.show()
    mark = match_background(view.palette()).rgb()

    def marked_pixels() -> int:
        image = view.viewport().grab().toImage()
        return sum(
            image.pixel(x, y) == mark
            for y in range(image.height())
            for x in range(0, image.width(), 2)
        )

    model.set_rows([_search_row("en", "An old idea: ", "civil", " society.")])
    assert marked_pixels() > 50
    model.set_rows([Row("plain", "Title", "EN", "An old idea: civil society.", rtl=False)])
    assert marked_pixels() == 0


def test_empty_list_says_why(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    window.select_section("bookmarks")
    wait_idle(qtbot, window)
    assert window.model.rowCount() == 0
    assert "Ctrl+D" in window.item_list.empty_text()
    window.search_field.setText("zzqxvnothing")
    qtbot.waitUntil(lambda: window.item_list.empty_text() == "Nothing found.", timeout=WAIT_MS)
    window.search_field.clear()
    wait_idle(qtbot, window)
    assert window.statusBar().currentMessage() == ""  # no stale count of results
    window.select_section("article")
    wait_idle(qtbot, window)
    # Arabic articles carry Arabic topics: none has the English "occupation".
    window.lang_filter.setCurrentIndex(window.lang_filter.findData("ar"))
    window.tag_filter.setCurrentIndex(window.tag_filter.findData("occupation"))
    wait_idle(qtbot, window)
    assert window.model.rowCount() == 0
    assert window.item_list.empty_text() == "Nothing matches these filters."


def test_an_empty_library_says_so(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window, Start.EMPTY)
    assert window.model.rowCount() == 0
    assert window.item_list.empty_text() == "Nothing here yet."


# The window


def test_headings_stand_out(qtbot: QtBot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    base = app.font().pointSizeF()
    headings = [w for w in window.first_run.findChildren(QLabel) if w.objectName() == "heading"]
    assert headings
    assert headings[0].font().pointSizeF() >= base * 1.4
    assert window.title_label.font().pointSizeF() >= base * 1.3


def test_lock_and_unlock_keep_section_and_list_together(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    articles = window.model.rowCount()
    window.lock()
    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        window.unlock_panel.passphrase.setText(PASSPHRASE)
        window.unlock_panel.button.click()
    wait_idle(qtbot, window)
    assert window.view == VIEWS[window.sidebar.currentRow()] == "article"
    assert window.model.rowCount() == articles


def test_article_header_follows_the_articles_direction(qtbot: QtBot, window: MainWindow) -> None:
    set_up(qtbot, window)
    for item_id, direction in (
        ("civicus-jerusalem-statement-ar", Qt.LayoutDirection.RightToLeft),
        ("civicus-jerusalem-statement-en", Qt.LayoutDirection.LeftToRight),
    ):
        with qtbot.waitSignal(window.page_shown, timeout=WAIT_MS):
            window.open_item(item_id)
        assert window.title_label.layoutDirection() == direction
        assert window.meta_label.layoutDirection() == direction
        label = window.meta_label
        image = label.grab().toImage()
        ink = _ink(image, label.rect(), label.palette().color(label.backgroundRole()))
        if direction == Qt.LayoutDirection.RightToLeft:
            assert max(ink) > label.width() - 12, "an Arabic article's details sit at the right"
        else:
            assert min(ink) < 12


# The look


class _StyleChanges(QObject):
    """Counts the restyles a widget goes through."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's API
        if event.type() == QEvent.Type.StyleChange:
            self.count += 1
        return False


def test_a_look_already_in_place_is_not_applied_again(qtbot: QtBot, qapp: QApplication) -> None:
    label = QLabel("Words")
    qtbot.addWidget(label)
    label.show()
    try:
        apply_theme(qapp, "light")
        changes = _StyleChanges(label)
        assert apply_theme(qapp, "light") is False
        assert changes.count == 0
        assert apply_theme(qapp, "dark") is True
        assert changes.count > 0
        assert qapp.palette().color(QPalette.ColorRole.Base) == QColor("#232629")
    finally:
        apply_theme(qapp, "system")
