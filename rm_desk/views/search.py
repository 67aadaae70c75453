"""The global search field (Ctrl+K): find a customer in two actions.

:class:`SearchBox` is a line edit; as the user types, the hits of
:func:`~rm_desk.local_store.search_results.search_results` appear in a list under it. Up and Down
move through them, Enter opens the selected one (or the first) in the 360 view through
``bench.navigator``, a click opens the clicked one, Esc closes the list and a second Esc clears
the text.

Why it is built this way:

- **The list never takes the keyboard.** A ``Qt.Popup`` window (what ``QCompleter`` uses) grabs
  the keyboard and must forward keys back; instead the list is a child of the box's window,
  raised over the other widgets, and takes no focus: typing stays in the line edit, which handles
  the few keys that act on the list. A click on the list does not move the focus either. (A box
  that is a window by itself gets the list as a frameless tool window that never activates.)
- **On the GUI thread, lightly debounced.** The search is one FTS5 query plus one indexed read
  for the page of hits, a few milliseconds at 100,000 customers, so it runs on the GUI thread (a
  thread hop would cost more than the query). The first keystroke after a pause of
  :data:`DEBOUNCE_MS` is searched as soon as the event loop is free (keys already queued behind
  it fold into the same query), since the wait counts against the 50 ms keystroke-to-painted
  budget; a key that follows the last one within :data:`DEBOUNCE_MS` is part of a burst (key
  auto-repeat, fast typing) and waits for :data:`DEBOUNCE_MS` of quiet, so a burst costs one
  query for its first keys and one for its end. The query always reads the box's *current* text,
  so the results of an older text are never shown after newer input; Enter and Down run a
  pending query at once.
- **Masked only.** Rows show what the cache holds (masked mobile, AUM) and the list carries the
  watermark, like every surface showing customer data.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QElapsedTimer, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from rm_desk.errors import RmDeskError
from rm_desk.local_store.search import SearchHit
from rm_desk.local_store.search_results import search_results
from rm_desk.views.error_words import error_words
from rm_desk.views.search_model import CUSTOMER_ID_ROLE, SearchResultDelegate, SearchResultsModel
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import Workbench

RESULT_LIMIT: Final = 20
DEBOUNCE_MS: Final = 25
"""Keys closer together than this are a burst, searched after this much quiet (see the module
docstring); the first key after a pause is searched at once."""
VISIBLE_ROWS: Final = 8
POPUP_MIN_WIDTH: Final = 640
_MARGIN: Final = 8  # between the list and the window's edge

_NAV_KEYS: Final = frozenset(
    {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}
)
_ENTER_KEYS: Final = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


class SearchPopup(QFrame):
    """The list of hits under the search box, or a line saying why there is none."""

    def __init__(self, model: SearchResultsModel, bench: Workbench) -> None:
        super().__init__(None)
        self.setObjectName("searchPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)  # the list's white, also behind a message
        self.setAutoFillBackground(True)
        # Neither the frame nor the list may take the focus from the line edit, even on a click.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list = QListView(self)
        self.list.setObjectName("searchResults")
        self.list.setModel(model)
        self.list.setItemDelegate(SearchResultDelegate(self.list))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)  # every row is one line: skip measuring each
        self.list.setMouseTracking(True)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.message = QLabel(self)
        self.message.setObjectName("searchMessage")
        self.message.setWordWrap(True)
        self.message.setMargin(10)
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.list)
        layout.addWidget(self.message)
        self.message.hide()
        self._watermark = Watermark(self, bench.user.id, bench.device_id, bench.clock)

    def show_results(self) -> None:
        self.message.hide()
        self.list.show()

    def show_message(self, text: str) -> None:
        self.list.hide()
        self.message.setText(text)
        self.message.show()

    def message_text(self) -> str:
        """What the list says instead of hits (``""`` when it shows hits)."""
        return self.message.text() if self.message.isVisibleTo(self) else ""

    def wanted_height(self) -> int:
        frame = 2 * self.frameWidth() + 2
        if not self.list.isVisibleTo(self):
            return self.message.sizeHint().height() + frame
        rows = min(self.list.model().rowCount(), VISIBLE_ROWS)
        return rows * max(self.list.sizeHintForRow(0), 1) + frame


class SearchBox(QLineEdit):
    """The global customer search; see the module docstring.

    The main window gives it the Ctrl+K shortcut (:meth:`activate`); screens may ask for it with
    ``bench.navigator.search_requested``. A box made with ``global_search=False`` (a form's
    customer field) only reports the pick and leaves Ctrl+K and the 360 to the window's own box.

    Signals:
        customer_picked(str): The user chose a hit (Enter or a click); the customer's id.
    """

    customer_picked = Signal(str)

    def __init__(
        self, bench: Workbench, parent: QWidget | None = None, *, global_search: bool = True
    ) -> None:
        super().__init__(parent)
        self._bench = bench
        self._model = SearchResultsModel(self)
        self._popup = SearchPopup(self._model, bench)
        self._popup.hide()
        self._host: QWidget | None = None
        self._queried: str | None = None  # the text whose hits the list shows
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._query_current_text)
        self._since_edit = QElapsedTimer()  # since the user last changed the text
        self.setObjectName("globalSearch")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(320)
        self.textChanged.connect(self._on_text_changed)
        self._popup.list.clicked.connect(self._open_index)
        if global_search:
            bench.navigator.search_requested.connect(self.activate)
            self.customer_picked.connect(bench.navigator.open_customer)
        bench.bridge.data_changed.connect(self._on_data_changed)
        self.destroyed.connect(self._popup.deleteLater)
        self._retranslate()

    # ---- public -----------------------------------------------------------------------------

    def activate(self) -> None:
        """Focus the field with its text selected, so typing replaces the last search."""
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
        if self.text().strip() and not self._popup.isVisible():
            self.run_query(self.text())

    def run_query(self, text: str) -> list[SearchHit]:
        """Search for ``text`` now (it becomes the box's text) and show the hits.

        Returns:
            The hits shown, best first.
        """
        self._queried = text  # first: setText below is not the user typing
        if text != self.text():
            self.setText(text)
        self._timer.stop()
        if not text.strip():
            self._model.set_results(())
            self.close_popup()
            return []
        try:
            with self._bench.store.read() as conn:
                rows = tuple(search_results(conn, text, limit=RESULT_LIMIT))
        except RmDeskError as error:
            self._model.set_results(())
            title, message = error_words(error)
            self._popup.show_message(
                self.tr("{title}: {message}").format(title=title, message=message)
            )
            self._show_popup()
            return []
        self._model.set_results(rows)
        if rows:
            self._popup.list.setCurrentIndex(self._model.index(0))
            self._popup.show_results()
        else:
            # The text is not repeated: it may be a pasted full mobile or ID number.
            self._popup.show_message(
                self.tr("No customers match. Try pinyin, initials or the last 4 digits.")
            )
        self._show_popup()
        return [row.hit for row in rows]

    def results_model(self) -> SearchResultsModel:
        return self._model

    def popup(self) -> SearchPopup:
        return self._popup

    def close_popup(self) -> None:
        self._popup.hide()

    def selected_row(self) -> int:
        """The highlighted hit's row, ``-1`` when none."""
        index = self._popup.list.currentIndex()
        return index.row() if index.isValid() else -1

    # ---- keys -------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Claim the keys the list acts on before a window shortcut (Esc closes a dialog) does.
        is_key = event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
        if is_key and self._claims(event):
            event.accept()
            return True
        return super().event(event)

    def _claims(self, event: QKeyEvent) -> bool:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            return self._popup.isVisible() or bool(self.text())
        # With nothing typed these keys mean nothing here: leave them to the window.
        return bool(self.text().strip()) and (key in _NAV_KEYS or key in _ENTER_KEYS)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and key in _NAV_KEYS:
            self._move(key)
        elif plain and key in _ENTER_KEYS:
            self._open_selected()
        elif plain and key == Qt.Key.Key_Escape and self._popup.isVisible():
            self.close_popup()
        elif plain and key == Qt.Key.Key_Escape and self.text():
            self.clear()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _move(self, key: Qt.Key) -> None:
        if self._timer.isActive():
            self._flush()  # typed faster than the debounce: move through the hits of the text
        if not self._popup.isVisible():
            # Down on a list closed by Esc shows it again.
            if self.text().strip():
                self.run_query(self.text())
            return
        count = self._model.rowCount()
        if count == 0:
            return
        step = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -VISIBLE_ROWS,
            Qt.Key.Key_PageDown: VISIBLE_ROWS,
        }[key]
        row = min(max(self.selected_row() + step, 0), count - 1)
        index = self._model.index(row)
        self._popup.list.setCurrentIndex(index)
        self._popup.list.scrollTo(index)

    def _flush(self) -> None:
        """Run a query still waiting for its debounce, so keys act on the text as typed."""
        if self._timer.isActive() or self._queried != self.text():
            self._query_current_text()

    def _open_selected(self) -> None:
        self._flush()
        if self._model.rowCount() == 0:
            return  # the list already says nothing matches
        row = max(self.selected_row(), 0)
        self._open_row(row)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        customer_id = str(self._model.index(row).data(CUSTOMER_ID_ROLE))
        self.close_popup()
        self.clear()
        self.customer_picked.emit(customer_id)

    # ---- typing and changes -----------------------------------------------------------------

    def _on_text_changed(self, text: str) -> None:
        if text == self._queried and not self._timer.isActive():
            return  # run_query set the text it is searching
        if text.strip():
            in_burst = self._since_edit.isValid() and self._since_edit.elapsed() < DEBOUNCE_MS
            self._since_edit.start()
            # After a pause: as soon as the keys already queued are in; in a burst: restart the
            # wait, one query when the burst ends.
            self._timer.start(DEBOUNCE_MS if in_burst else 0)
        else:
            self._timer.stop()
            self._queried = text
            self._model.set_results(())
            self.close_popup()

    def _query_current_text(self) -> None:
        self.run_query(self.text())

    def _on_data_changed(self) -> None:
        # A sync changed the cache under an open list: re-read it, keeping the highlighted hit.
        if not self._popup.isVisible() or not self.text().strip():
            return
        row = self.selected_row()
        keep = self._model.result(row).customer_id if row >= 0 else None
        self.run_query(self.text())
        for i, result in enumerate(self._model.results()):
            if result.customer_id == keep:
                self._popup.list.setCurrentIndex(self._model.index(i))
                break

    # ---- the list's place -------------------------------------------------------------------

    def _show_popup(self) -> None:
        host = self.window()
        if host is self:
            self._attach(None)
        elif self._host is not host:
            self._attach(host)
        self._place_popup()
        self._popup.show()
        self._popup.raise_()

    def _attach(self, host: QWidget | None) -> None:
        """Make the list a child of ``host`` (the box's window) or, without one, a tool window."""
        if self._host is not None:
            self._host.removeEventFilter(self)
        self._host = host
        if host is None:
            self._popup.setParent(None)
            self._popup.setWindowFlags(
                Qt.WindowType.Tool
                | Qt.WindowType.FramelessWindowHint
                | Qt.WindowType.WindowDoesNotAcceptFocus
            )
            self._popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        else:
            self._popup.setParent(host)
            host.installEventFilter(self)

    def _place_popup(self) -> None:
        height = self._popup.wanted_height()
        if self._host is None:
            width = max(self.width(), POPUP_MIN_WIDTH)
            below = self.mapToGlobal(QPoint(0, self.height()))
            self._popup.setGeometry(below.x(), below.y(), width, height)
            return
        top_left = self.mapTo(self._host, QPoint(0, self.height() + 2))
        room = self._host.width() - 2 * _MARGIN
        width = min(max(self.width(), POPUP_MIN_WIDTH), room)
        # Wider than a narrow box: grow to the left of its right edge rather than run off the
        # window (a box at the top right), and never past the window's left edge.
        x = top_left.x()
        if x + width > self._host.width() - _MARGIN:
            x = top_left.x() + self.width() - width
        height = min(height, self._host.height() - top_left.y() - _MARGIN)
        self._popup.setGeometry(max(x, _MARGIN), top_left.y(), width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        moved = event.type() in (QEvent.Type.Resize, QEvent.Type.Move)
        if watched is self._host and moved and self._popup.isVisible():
            self._place_popup()
        return False

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # A context menu takes the focus for a moment; anything else means the user left.
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.close_popup()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.close_popup()

    # ---- language ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()

    def _retranslate(self) -> None:
        self.setPlaceholderText(
            self.tr("Search customers: name, pinyin, initials, last 4 digits, tag… (Ctrl+K)")
        )
        self.setAccessibleName(self.tr("Search customers"))
        self.setAccessibleDescription(
            self.tr("Name, pinyin, initials, last 4 of mobile, ID or account, or a tag")
        )
        self._popup.list.setAccessibleName(self.tr("Matching customers"))
        self._model.retranslate()
        if self._popup.isVisible() and self._model.rowCount() == 0 and self.text().strip():
            self.run_query(self.text())


__all__ = ["DEBOUNCE_MS", "RESULT_LIMIT", "SearchBox", "SearchPopup"]
