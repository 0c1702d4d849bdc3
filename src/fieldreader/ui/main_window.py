"""The window: first run or unlock, then the library (sections, list, reader).

The window holds no library data of its own beyond what is on screen: locking clears every
model and view and closes the library on the worker, so a locked window shows and holds nothing.
Its title never names what is open (taskbars and window switchers show titles to anyone nearby).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldreader.errors import FieldreaderError
from fieldreader.model import Contact
from fieldreader.provisioning import Provisioning, Removal
from fieldreader.render.links import classify_link
from fieldreader.service import (
    VIEWS,
    Page,
    ReaderService,
    Settings,
    View,
    create_reader,
    unlock_reader,
)
from fieldreader.store import ItemFilter, KdfParams, WrongPassphrase
from fieldreader.store.keyslots import DEFAULT_KDF
from fieldreader.store.library import library_exists
from fieldreader.ui.contact_card import CLIPBOARD_SECONDS, ClipboardGuard, ContactCard
from fieldreader.ui.item_list import ITEM_ID_ROLE, Row, make_item_list
from fieldreader.ui.notes import NotesFeature
from fieldreader.ui.protection import Protection
from fieldreader.ui.reader_view import ReaderView, open_externally
from fieldreader.ui.sync_panel import SyncPanel
from fieldreader.ui.theme import apply_theme
from fieldreader.ui.unlock import FirstRunChoices, FirstRunPanel, Start, UnlockPanel
from fieldreader.ui.worker import Worker

APP_TITLE = "fieldreader"
SEARCH_DELAY_MS = 40
"""Keys closer together than this are one burst (a fast typist, a paste, a held key): the
first key of a burst searches at once, the rest once the burst ends."""
PAGE_SIZE = 200
"""Rows of a section read at a time; more are read as the list is scrolled."""
SEARCH_PAGE = 20
"""Results searched per keystroke; more follow as the list is scrolled. Each result costs its
row and a snippet, so twenty instead of fifty halves the wait after typing at 100k items."""
TEXT_SCALES = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()
    page_shown = Signal(str)
    """The id of the item now in the reader (tests and the notes panel follow it)."""
    results_shown = Signal(int)
    settings_changed = Signal(object)
    """The reader's :class:`Settings`, after the settings dialog saved new ones."""

    def __init__(
        self,
        data_dir: Path,
        *,
        kdf: KdfParams = DEFAULT_KDF,
        sample_bundle: Path | None = None,
        provisioning: Provisioning | None = None,
        clipboard_seconds: float = CLIPBOARD_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.kdf = kdf
        self.sample_bundle = sample_bundle
        self.provisioning = provisioning
        """What a trainer's build carries beside the program (profile, preload), if anything."""
        self.setWindowTitle(APP_TITLE)
        self.resize(1200, 780)
        self.worker = Worker(self)
        self.service: ReaderService | None = None
        self.settings = Settings()
        self.clipboard = ClipboardGuard(clipboard_seconds)
        self.current: Page | None = None
        self.view: View = "article"
        self._search_generation = 0
        self._search_running = False
        self._search_again = False
        self._search_waiting = False
        self._open_when_found = False
        self._page_generation = 0
        self._query = ""
        self.trainer_files_notice: QMessageBox | None = None
        """Open while it says which of a trainer's files the first start could not remove."""

        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self._first_run: FirstRunPanel | None = None
        self.unlock_panel = UnlockPanel(self)
        self.library_page = self._build_library_page()
        for page in (self.unlock_panel, self.library_page):
            self.stack.addWidget(page)
        self.unlock_panel.unlock_requested.connect(self._unlock)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_burst_ended)
        self.sync_panel = SyncPanel(self)
        self._build_actions()
        self.notes = NotesFeature(self)
        self._set_library_actions(False)
        self.statusBar().showMessage("")
        self.protection = Protection(self)

    @property
    def first_run(self) -> FirstRunPanel:
        """The set-up screen, built the first time it is needed: most starts unlock a library
        that exists and never show it (about 5 ms less before the first screen)."""
        if self._first_run is None:
            preloaded = self.provisioning is not None and self.provisioning.preloaded_available
            panel = self._first_run = FirstRunPanel(preloaded_available=preloaded, parent=self)
            self.stack.addWidget(panel)
            panel.create_requested.connect(self._create)
        return self._first_run

    # Start, unlock, lock

    def start(self) -> None:
        if library_exists(self.data_dir):
            self.stack.setCurrentWidget(self.unlock_panel)
            self.unlock_panel.reset()
        else:
            self.show_first_run()

    def show_first_run(self) -> None:
        self.stack.setCurrentWidget(self.first_run)
        self.first_run.passphrase.setFocus()

    def _create(self, choices: FirstRunChoices) -> None:
        def progress(done: int, total: int, text: str) -> None:
            self.first_run.progress_changed.emit(done, total, text)

        start: Literal["sample", "empty", "preloaded"] = (
            "preloaded" if choices.start is Start.PRELOADED
            else "sample" if choices.start is Start.SAMPLE
            else "empty"
        )  # fmt: skip
        self.worker.submit(
            lambda: create_reader(
                self.data_dir,
                choices.passphrase,
                duress=choices.duress,
                wipe_after=choices.wipe_after,
                start_with=start,
                sample=self.sample_bundle,
                provisioning=self.provisioning,
                kdf=self.kdf,
                progress=progress,
            ),
            self._opened,
            lambda exc: self.first_run.failed(_plain(exc)),
        )

    def _unlock(self, passphrase: str) -> None:
        self.worker.submit(
            lambda: unlock_reader(self.data_dir, passphrase), self._opened, self._unlock_failed
        )

    def _unlock_failed(self, exc: Exception) -> None:
        if not library_exists(self.data_dir):
            # Too many failed attempts erased it: start again as on a new computer.
            self.unlock_panel.reset()
            self.start()
            return
        message = (
            self.tr("That passphrase is not correct. Try again.")
            if isinstance(exc, WrongPassphrase)
            else _plain(exc)
        )
        self.unlock_panel.reset(message)

    def _opened(self, opened: tuple[ReaderService, Settings]) -> None:
        self.service, self.settings = opened
        self._apply_settings()
        self.stack.setCurrentWidget(self.library_page)
        self._set_library_actions(True)
        self.sidebar.setCurrentRow(0)
        self._refresh_overview()
        self.unlocked.emit()
        self.item_list.setFocus()
        # From the result, not self.service: a lock started by the signal may have cleared it.
        self._tell_trainer_files_left(opened[0].trainer_files)

    def _tell_trainer_files_left(self, removal: Removal | None) -> None:
        """After a trainer's build's first start: say which unencrypted files are still there."""
        if removal is None or removal.complete:
            return
        box = QMessageBox(self)
        box.setObjectName("trainerFilesNotice")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_TITLE)
        box.setAccessibleName(self.tr("Files left beside the program"))
        box.setText(
            self.tr(
                "The prepared library's files could not be removed from the folder that holds "
                "fieldreader: %1"
            ).replace("%1", ", ".join(removal.left))
        )
        box.setInformativeText(
            self.tr(
                "They may still hold the prepared articles and your organisation's keys "
                "without encryption. Delete them, or keep this copy of fieldreader safe."
            )
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.trainer_files_notice = box
        box.open()

    def lock(self, *, save: bool = True) -> None:
        """Hide everything at once, then close the library in the background.

        ``save=False`` writes nothing more to the library (reading position, the note being
        edited): it is being erased.
        """
        if self.service is None:
            return
        if save:
            self._remember_position()
        service, self.service = self.service, None
        self._clear_content(save)
        self._set_library_actions(False)
        self.stack.setCurrentWidget(self.unlock_panel)
        self.unlock_panel.reset()
        self.worker.submit(service.close)
        self.locked.emit()

    def is_locked(self) -> bool:
        return self.service is None

    def _clear_content(self, save: bool) -> None:
        self.notes.clear(save=save)
        self.clipboard.clear()
        self._search_generation += 1
        self._page_generation += 1
        self.current = None
        self.search_field.clear()
        self.model.set_rows([])
        self.reader.clear_page()
        self.contact_card.clear_card()
        self.title_label.setText("")
        self.meta_label.setText("")
        self._set_translations([])
        # Emptying the list moves its current row through the sections: without the block,
        # the next unlock listed Guidance under a highlighted "Articles".
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        self.sidebar.blockSignals(False)
        self.view = VIEWS[0]
        for combo in (self.lang_filter, self.country_filter, self.tag_filter):
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        self.checklist_bar.hide()
        self.bookmark_button.setChecked(False)
        self.statusBar().clearMessage()

    # Building

    def _build_library_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        layout.addWidget(splitter)

        side = QWidget(splitter)
        side_layout = QVBoxLayout(side)
        self.sidebar = QListWidget(side)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(self.tr("Sections"))
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.currentRowChanged.connect(self._section_changed)
        side_layout.addWidget(self.sidebar, 1)
        filters = QFormLayout()
        # Captions above their menus: side by side, both were cut short in a narrow column.
        filters.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.lang_filter = QComboBox(side)
        self.country_filter = QComboBox(side)
        self.tag_filter = QComboBox(side)
        for combo, label, name in (
            (self.lang_filter, self.tr("&Language"), self.tr("Language filter")),
            (self.country_filter, self.tr("C&ountry"), self.tr("Country filter")),
            (self.tag_filter, self.tr("&Topic"), self.tr("Topic filter")),
        ):
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(self._filters_changed)
            caption = QLabel(label, side)
            caption.setBuddy(combo)
            filters.addRow(caption, combo)
        side_layout.addLayout(filters)
        splitter.addWidget(side)

        self.item_list, self.model = make_item_list(splitter)
        self.item_list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.item_list.activated.connect(self._item_activated)
        self.results_shown.connect(self._explain_empty_list)
        splitter.addWidget(self.item_list)

        splitter.addWidget(self._build_reader_column(splitter))
        # Widths in text units, so the columns keep their proportions at any text size.
        em = self.fontMetrics().horizontalAdvance("M")
        side.setMinimumWidth(9 * em)
        self.item_list.setMinimumWidth(14 * em)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([14 * em, 24 * em, 48 * em])
        return page

    def _build_reader_column(self, parent: QWidget) -> QWidget:
        column = QWidget(parent)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(12, 8, 12, 0)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        self.title_label = QLabel("", column)
        self.title_label.setObjectName("itemTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName(self.tr("Title"))
        self.meta_label = QLabel("", column)
        self.meta_label.setObjectName("muted")
        self.meta_label.setWordWrap(True)
        titles.addWidget(self.title_label)
        titles.addWidget(self.meta_label)
        header.addLayout(titles, 1)
        self.bookmark_button = QToolButton(column)
        self.bookmark_button.setCheckable(True)
        self.bookmark_button.setText(self.tr("Bookmark"))
        self.bookmark_button.setAccessibleName(self.tr("Bookmark this item"))
        self.bookmark_button.clicked.connect(self.toggle_bookmark)
        header.addWidget(self.bookmark_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        self.translations_row = QHBoxLayout()
        self.translations_label = QLabel(self.tr("Also in:"), column)
        self.translations_label.setObjectName("muted")
        self.translations_row.addWidget(self.translations_label)
        self.translation_buttons: list[QPushButton] = []
        self.translations_row.addStretch(1)
        layout.addLayout(self.translations_row)

        self.checklist_bar = QProgressBar(column)
        self.checklist_bar.setAccessibleName(self.tr("Checklist progress"))
        self.checklist_bar.hide()
        layout.addWidget(self.checklist_bar)

        self.reader_stack = QStackedWidget(column)
        self.reader = ReaderView(column)
        self.reader.set_empty_text(self.tr("Choose an item in the list to read it here."))
        self.reader.link_clicked.connect(self._link_clicked)
        self.contact_card = ContactCard(self.clipboard, column)
        self.contact_card.link_clicked.connect(self._link_clicked)
        self.contact_card.copied.connect(self._copied)
        self.reader_stack.addWidget(self.reader)
        self.reader_stack.addWidget(self.contact_card)
        self.reader_split = QSplitter(Qt.Orientation.Vertical, column)
        self.reader_split.addWidget(self.reader_stack)
        layout.addWidget(self.reader_split, 1)
        return column

    def _build_actions(self) -> None:
        toolbar = self.toolbar = QToolBar(self.tr("Main"), self)
        toolbar.setMovable(False)
        toolbar.setObjectName("toolbar")
        self.addToolBar(toolbar)
        self.search_field = QLineEdit(toolbar)
        self.search_field.setObjectName("search")
        self.search_field.setPlaceholderText(self.tr("Search the library  (Ctrl+K)"))
        self.search_field.setAccessibleName(self.tr("Search"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self._search_text_changed)
        self.search_field.returnPressed.connect(self._open_first_result)
        toolbar.addWidget(self.search_field)

        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&Library"))
        view_menu = menu.addMenu(self.tr("&View"))
        item_menu = menu.addMenu(self.tr("&Item"))
        self.menus = {"library": file_menu, "view": view_menu, "item": item_menu}

        self.search_action = self._action(
            self.tr("&Search"), self.focus_search, [QKeySequence.StandardKey.Find, "Ctrl+K"]
        )
        self.lock_action = self._action(self.tr("&Lock now"), self.lock, ["Ctrl+L"])
        self.sync_action = self._action(
            self.tr("S&ync…"), self.sync_panel.open_panel, ["Ctrl+Shift+S"]
        )
        self.sync_action.setToolTip(self.tr("Sync the library (Ctrl+Shift+S)"))
        toolbar.addAction(self.sync_action)
        self.bookmark_action = self._action(self.tr("&Bookmark"), self.toggle_bookmark, ["Ctrl+D"])
        self.bigger_action = self._action(
            self.tr("&Larger text"),
            lambda: self.step_text(+1),
            [QKeySequence.StandardKey.ZoomIn, "Ctrl+="],
        )
        self.smaller_action = self._action(
            self.tr("&Smaller text"), lambda: self.step_text(-1), [QKeySequence.StandardKey.ZoomOut]
        )
        self.reset_text_action = self._action(
            self.tr("&Normal text size"), lambda: self.set_text_scale(1.0), ["Ctrl+0"]
        )
        self.quit_action = self._action(
            self.tr("&Quit"), self.close, [QKeySequence.StandardKey.Quit]
        )
        file_menu.addAction(self.search_action)
        file_menu.addAction(self.sync_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        self.library_menu_end = file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        item_menu.addAction(self.bookmark_action)
        view_menu.addAction(self.bigger_action)
        view_menu.addAction(self.smaller_action)
        view_menu.addAction(self.reset_text_action)
        theme_menu = view_menu.addMenu(self.tr("&Appearance"))
        self.theme_actions: dict[str, QAction] = {}
        for key, label in (
            ("system", self.tr("Follow the &system")),
            ("light", self.tr("&Light")),
            ("dark", self.tr("&Dark")),
        ):
            action = theme_menu.addAction(label)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.set_theme(k))
            self.theme_actions[key] = action
        self.theme_actions["system"].setChecked(True)

    def _action(self, text: str, slot: Callable[[], object], keys: list[Any]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def _set_library_actions(self, enabled: bool) -> None:
        for action in (
            self.search_action,
            self.sync_action,
            self.lock_action,
            self.bookmark_action,
            self.bigger_action,
            self.smaller_action,
            self.reset_text_action,
        ):
            action.setEnabled(enabled)
        self.search_field.setEnabled(enabled)
        # Nothing to search or sync before the library is open: the set-up and unlock screens
        # stay uncluttered.
        self.toolbar.setVisible(enabled)

    # Sections and filters

    def _refresh_overview(self) -> None:
        service = self.service
        if service is None:
            return
        self.worker.submit(service.overview, self._show_overview)

    def _show_overview(self, overview: Any) -> None:  # noqa: ANN401 - an Overview
        if self.service is None:
            return
        labels = {
            "article": self.tr("Articles"),
            "guidance": self.tr("Guidance"),
            "contact": self.tr("Contacts"),
            "bookmarks": self.tr("Bookmarks"),
            "notes": self.tr("Notes"),
        }
        row = max(self.sidebar.currentRow(), 0)
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        for view in VIEWS:
            item = QListWidgetItem(f"{labels[view]}   {overview.counts[view]}")
            item.setData(Qt.ItemDataRole.UserRole, view)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, labels[view])
            self.sidebar.addItem(item)
        self.sidebar.setCurrentRow(row)
        self.sidebar.blockSignals(False)
        self._fit_sidebar()
        for combo, values, any_label in (
            (self.lang_filter, overview.languages, self.tr("All languages")),
            (self.country_filter, overview.countries, self.tr("All countries")),
            (self.tag_filter, overview.tags, self.tr("All topics")),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(any_label, None)
            for value, count in values:
                combo.addItem(
                    f"{value.upper() if combo is self.lang_filter else value} ({count})", value
                )
            index = combo.findData(chosen)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self._load_section()

    def _fit_sidebar(self) -> None:
        """Keep the column wide enough for the longest section name and its count, in any
        language (the splitter would otherwise cut them off)."""
        side = self.sidebar.parentWidget()
        layout = side.layout() if side is not None else None
        if side is None or layout is None:
            return
        margins = side.contentsMargins() + layout.contentsMargins()
        needed = self.sidebar.sizeHintForColumn(0) + 4 + 2 * self.sidebar.frameWidth()
        needed += margins.left() + margins.right()
        side.setMinimumWidth(max(side.minimumWidth(), needed))

    def _section_changed(self, row: int) -> None:
        item = self.sidebar.item(row)
        if item is None:
            return
        self.view = item.data(Qt.ItemDataRole.UserRole)
        if self.search_field.text():
            self.search_field.clear()  # leaving a search for a section
        self._load_section()

    def select_section(self, view: View) -> None:
        self.sidebar.setCurrentRow(VIEWS.index(view))

    def current_filters(self) -> ItemFilter:
        return ItemFilter(
            lang=self.lang_filter.currentData(),
            country=self.country_filter.currentData(),
            tag=self.tag_filter.currentData(),
        )

    def _filters_changed(self) -> None:
        self._open_when_found = False  # the person moved on from what Enter was for
        if self.search_field.text().strip():
            self._schedule_search()
        else:
            self._load_section()

    def _load_section(self) -> None:
        service = self.service
        if service is None:
            return
        self._search_generation += 1
        generation = self._search_generation
        view, filters = self.view, self.current_filters()
        if view == "notes":
            self.notes.load_section(filters, lambda: generation == self._search_generation)
            return

        def current() -> bool:
            return generation == self._search_generation and self.service is not None

        def page(offset: int, first: bool) -> None:
            def show(summaries: Any) -> None:  # noqa: ANN401 - a list of ItemSummary
                if not current():
                    return
                rows = [Row.from_summary(s) for s in summaries]
                more = (lambda: page(offset + PAGE_SIZE, False)) if len(rows) == PAGE_SIZE else None
                if first:
                    self.model.set_rows(rows, more)
                    self.results_shown.emit(len(rows))
                else:
                    self.model.append_rows(rows, more)

            self.worker.submit(
                lambda: service.list_items(view, filters, limit=PAGE_SIZE, offset=offset), show
            )

        page(0, True)

    # Search

    def _explain_empty_list(self, count: int) -> None:
        """Say why the list is empty, and what would fill it."""
        if count:
            return
        if self.search_field.text().strip():
            text = self.tr("Nothing found.")
        elif self.view == "bookmarks":
            text = self.tr("No bookmarks yet. Press Ctrl+D while reading to keep an item here.")
        elif self.view == "notes":
            text = self.tr("No notes yet.")
        elif self.current_filters() != ItemFilter():
            text = self.tr("Nothing matches these filters.")
        else:
            text = self.tr("Nothing here yet.")
        self.item_list.set_empty_text(text)

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _search_text_changed(self, text: str) -> None:
        self._open_when_found = False  # Enter was for the text before this key
        if text.strip():
            self._schedule_search()
        else:
            self._search_timer.stop()
            self._search_waiting = False
            self._query = ""
            self.statusBar().clearMessage()  # the count of results no longer shown
            self._load_section()

    def _schedule_search(self) -> None:
        """Search at once after a pause in the typing, or when the keys stop coming.

        A fixed wait after every key would add its length to every result; searching on every
        key of a burst would queue work nobody sees. So a key that follows a pause searches
        now, and keys that come fast after it wait for the burst to end and search once.
        """
        if self._search_timer.isActive():
            self._search_waiting = True
        else:
            self._run_search()
        self._search_timer.start()

    def _search_burst_ended(self) -> None:
        if self._search_waiting:
            self._search_waiting = False
            self._run_search()

    def _run_search(self) -> None:
        service = self.service
        text = self.search_field.text().strip()
        if service is None or not text:
            return
        if self._search_running:
            # One search at a time: the newest text is searched as soon as this one is done,
            # and the keystrokes in between cost nothing.
            self._search_again = True
            return
        self._search_generation += 1
        generation = self._search_generation
        filters = self.current_filters()
        self._search_running = True
        self._search_waiting = False  # this search has every key typed so far

        def finished() -> None:
            self._search_running = False
            if self._search_again:
                self._search_again = False
                self._run_search()

        def failed(exc: Exception) -> None:
            finished()
            self._open_when_found = False
            self._report(exc)

        def current() -> bool:
            return generation == self._search_generation and self.service is not None

        def more_after(shown: int, hits: list[Any]) -> Callable[[], None] | None:
            if len(hits) < SEARCH_PAGE:
                return None

            def more() -> None:
                self.worker.submit(
                    lambda: service.search(text, filters, SEARCH_PAGE, shown),
                    lambda later: append(shown, later),
                    self._report,
                )

            return more

        def append(shown: int, hits: Any) -> None:  # noqa: ANN401 - a list of SearchHit
            if current():
                total = shown + len(hits)
                more = more_after(total, hits)
                self.model.append_rows([Row.from_hit(h) for h in hits], more)
                self.statusBar().showMessage(self._results_message(total, more is not None))

        def show(hits: Any) -> None:  # noqa: ANN401 - a list of SearchHit
            finished()
            if not current():
                return  # overtaken by a later keystroke, or locked meanwhile
            self._query = text
            more = more_after(len(hits), hits)
            self.model.set_rows([Row.from_hit(h) for h in hits], more)
            self.statusBar().showMessage(
                self._results_message(len(hits), more is not None)
                if hits
                else self.tr("Nothing found.")
            )
            self.results_shown.emit(len(hits))
            if self._open_when_found and self._results_are_current():
                self._open_when_found = False
                self._open_first_result()

        self.worker.submit(lambda: service.search(text, filters, SEARCH_PAGE), show, failed)

    def _results_message(self, shown: int, more: bool) -> str:
        """Results come a page at a time and are never counted in full (counting every match
        of a common word costs more than finding the first page): the line says when there may
        be more than the list holds yet."""
        if more:
            return self.tr("First %n results; scroll down for more", "", shown)
        return self.tr("%n result(s)", "", shown)

    def search_hits_pending(self) -> bool:
        """Whether typed text waits for its burst to end before it is searched."""
        return self._search_waiting

    def _results_are_current(self) -> bool:
        """Whether the list shows the results of the text as it is in the field now."""
        searching = self._search_waiting or self._search_running
        return not searching and self._query == self.search_field.text().strip()

    def _open_first_result(self) -> None:
        """Enter opens the first result of what is typed, waiting for it if need be: the list
        may still show the results of the text before the last keys."""
        if self._search_waiting:
            self._search_timer.stop()
            self._search_waiting = False
            self._run_search()
        if not self._results_are_current():
            self._open_when_found = True
            return
        if self.model.rowCount() == 0:
            return
        index = self.item_list.currentIndex()
        if index.isValid():
            self.open_item(index.data(ITEM_ID_ROLE), query=self._query)
        else:
            self.item_list.setCurrentIndex(self.model.index(0, 0))  # selected, it opens
        self.reader.setFocus()

    # Reading

    def _selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes and not self.notes.open_row(indexes[0]):
            query = self._query if self.search_field.text().strip() else ""
            self.open_item(indexes[0].data(ITEM_ID_ROLE), query=query)

    def _item_activated(self, index: QModelIndex) -> None:
        widget = self.reader_stack.currentWidget()
        if widget is not None:
            widget.setFocus()

    def open_item(self, item_id: str, query: str = "") -> None:
        service = self.service
        if service is None:
            return
        self._open_when_found = False  # a page chosen meanwhile wins over a waiting Enter
        self._remember_position()
        self._page_generation += 1
        generation = self._page_generation

        def show(page: Any) -> None:  # noqa: ANN401 - a Page
            if generation == self._page_generation and self.service is not None:
                self.show_page(page)

        self.worker.submit(lambda: service.open(item_id, query), show, self._report)

    def show_page(self, page: Page) -> None:
        self.current = page
        item = page.item
        self.title_label.setText(item.title)
        for label in (self.title_label, self.meta_label):
            label.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if page.rtl else Qt.LayoutDirection.LeftToRight
            )
        date = getattr(item, "published", None) or item.updated
        parts = [item.lang.upper(), date.isoformat() if date else "", ", ".join(item.tags[:4])]
        # A plain label takes its direction from its first letter ("AR"): the mark makes the
        # line read, and sit, in the article's direction.
        mark = "\u200f" if page.rtl else "\u200e"
        self.meta_label.setText(mark + " · ".join(p for p in parts if p))
        self.bookmark_button.setChecked(page.bookmarked)
        self._set_translations(page.translations)
        if page.checklist_total:
            self.checklist_bar.setRange(0, page.checklist_total)
            self.checklist_bar.setValue(page.checklist_done)
            self.checklist_bar.setFormat(
                self.tr("%1 of %2 steps done")
                .replace("%1", str(page.checklist_done))
                .replace("%2", str(page.checklist_total))
            )
            self.checklist_bar.show()
        else:
            self.checklist_bar.hide()
        if isinstance(item, Contact):
            self.contact_card.show_contact(item, page.html, page.resources)
            self.reader_stack.setCurrentWidget(self.contact_card)
        else:
            self.reader.show_page(page.html, page.resources, rtl=page.rtl)
            self.reader.set_text_scale(self.settings.text_scale)
            self.reader_stack.setCurrentWidget(self.reader)
            if page.highlight:
                self.reader.highlight_words(page.highlight)
            elif page.position:
                self.reader.set_position(page.position)
        self.page_shown.emit(item.id)

    def show_blank(self, title: str) -> None:
        """No item in the reader, only ``title`` above it (a note not about any item)."""
        self._remember_position()
        self._page_generation += 1
        self.current = None
        self.reader.clear_page()
        self.contact_card.clear_card()
        self.reader_stack.setCurrentWidget(self.reader)
        self.title_label.setText(title)
        self.meta_label.setText("")
        self._set_translations([])
        self.checklist_bar.hide()
        self.bookmark_button.setChecked(False)

    def _set_translations(self, translations: list[Any]) -> None:
        for button in self.translation_buttons:
            self.translations_row.removeWidget(button)
            button.deleteLater()
        self.translation_buttons = []
        for index, summary in enumerate(translations):
            button = QPushButton(summary.lang.upper(), self)
            button.setAccessibleName(self.tr("Open in %1").replace("%1", summary.lang))
            button.setToolTip(summary.title)
            button.clicked.connect(lambda _=False, i=summary.id: self.open_item(i))
            self.translations_row.insertWidget(1 + index, button)
            self.translation_buttons.append(button)
        visible = bool(translations)
        self.translations_label.setVisible(visible)

    def _remember_position(self) -> None:
        page, service = self.current, self.service
        if page is None or service is None or isinstance(page.item, Contact):
            return
        position = self.reader.position()
        item_id = page.item.id
        self.worker.submit(lambda: service.set_position(item_id, position))

    def toggle_bookmark(self) -> None:
        page, service = self.current, self.service
        if page is None or service is None:
            self.bookmark_button.setChecked(False)
            return
        item_id = page.item.id

        def done(state: Any) -> None:  # noqa: ANN401 - bool
            if self.current is not None and self.current.item.id == item_id:
                self.current = dataclasses.replace(self.current, bookmarked=bool(state))
                self.bookmark_button.setChecked(bool(state))
            self.statusBar().showMessage(
                self.tr("Bookmarked.") if state else self.tr("Bookmark removed."), 3000
            )
            self._refresh_overview()

        self.worker.submit(lambda: service.toggle_bookmark(item_id), done, self._report)

    def _link_clicked(self, url: QUrl) -> None:
        address = url.toString()
        link = classify_link(address)
        page, service = self.current, self.service
        if service is None or link is None:
            return  # not a form the renderer writes: ignore it rather than guess
        if link.kind == "internal":
            self.open_item(link.target)
        elif link.kind == "fragment":
            self.reader.scrollToAnchor(link.target)
        elif link.kind == "check" and page is not None:
            position = self.reader.position()
            item_id, step = page.item.id, link.target

            def redraw(new_page: Any) -> None:  # noqa: ANN401
                self.show_page(new_page)
                self.reader.set_position(position)

            self.worker.submit(lambda: service.toggle_step(item_id, step), redraw, self._report)
        elif link.kind == "external":
            self.confirm_external(link.target)

    def confirm_external(self, address: str) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_TITLE)
        box.setText(self.tr("Open this address in your web browser?"))
        box.setInformativeText(
            self.tr(
                "%1\n\nThis leaves fieldreader: the site, your network and anyone watching it "
                "can see that you opened it."
            ).replace("%1", address)
        )
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Open:
            return open_externally(QUrl(address))
        return False

    def _copied(self, label: str) -> None:
        self.statusBar().showMessage(
            self.tr("%1 copied. It will be cleared from the clipboard in 30 seconds.").replace(
                "%1", label
            ),
            5000,
        )

    # Text size and theme

    def step_text(self, step: int) -> None:
        scales = TEXT_SCALES
        current = min(range(len(scales)), key=lambda i: abs(scales[i] - self.settings.text_scale))
        self.set_text_scale(scales[max(0, min(len(scales) - 1, current + step))])

    def set_text_scale(self, scale: float) -> None:
        self.settings = dataclasses.replace(self.settings, text_scale=scale)
        self.reader.set_text_scale(scale)
        self._save_settings()

    def set_theme(self, theme: str) -> None:
        if theme not in ("system", "light", "dark"):
            return
        self.settings = dataclasses.replace(self.settings, theme=theme)  # type: ignore[arg-type]
        self._apply_settings()
        self._save_settings()

    def _apply_settings(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.theme)
        for key, action in self.theme_actions.items():
            action.setChecked(key == self.settings.theme)
        self.reader.set_text_scale(self.settings.text_scale)

    def use_settings(self, settings: Settings) -> None:
        """Show settings that were saved elsewhere (the settings dialog) without saving again."""
        self.settings = settings
        self._apply_settings()
        self.settings_changed.emit(settings)

    def _save_settings(self) -> None:
        service, settings = self.service, self.settings
        if service is not None:
            self.worker.submit(lambda: service.save_settings(settings))

    # Errors and closing

    def _report(self, exc: Exception) -> None:
        self.statusBar().showMessage(_plain(exc), 8000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's API
        self.notes.flush()
        self._remember_position()
        self.clipboard.clear()
        self.sync_panel.stop()  # a running sync stops at its next file, before the close
        service, self.service = self.service, None
        if service is not None:
            self.worker.submit(service.close)
        self.notes.wait_for_saves()
        self.worker.shutdown()
        event.accept()


def _plain(exc: Exception) -> str:
    """A message fit for the screen: our own errors say what happened; anything else is named
    only by its kind (its text could hold content or paths)."""
    if isinstance(exc, FieldreaderError):
        return str(exc)
    return QApplication.translate("MainWindow", "Something went wrong (%1).").replace(
        "%1", type(exc).__name__
    )


__all__ = ["APP_TITLE", "MainWindow", "QListView"]
