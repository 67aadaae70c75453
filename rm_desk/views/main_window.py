"""The main window: navigation, global search, the screens, the status bar and the user menu.

It wires screens together and owns nothing else: each screen is its own module, built the first
time it is shown (so a cold start pays only for Today), and screens talk to each other through
the :class:`~rm_desk.views.workbench.Navigator`. The customer 360 view is one more page of the
stack; Esc or "Back" returns to the screen it was opened from.

The window title never carries customer data beyond a masked name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.views.idle import IdleWatch
from rm_desk.views.status_bar import SyncStatusBar
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import ScreenId, Workbench

# Where each screen lives: imported on first use, so startup imports only Today.
SCREEN_CLASSES: dict[ScreenId, tuple[str, str]] = {
    ScreenId.TODAY: ("rm_desk.views.today", "TodayScreen"),
    ScreenId.CUSTOMERS: ("rm_desk.views.customers", "CustomersScreen"),
    ScreenId.TASKS: ("rm_desk.views.task_list", "TaskListScreen"),
    ScreenId.VISITS: ("rm_desk.views.visit_list", "VisitListScreen"),
    ScreenId.OPPORTUNITIES: ("rm_desk.views.opportunity_list", "OpportunityListScreen"),
    ScreenId.CHARTS: ("rm_desk.views.charts", "ChartsScreen"),
    ScreenId.SYNC_ISSUES: ("rm_desk.views.sync_issues", "SyncIssuesScreen"),
}

NAVIGATION_WIDTH = 180
NAVIGATION_ROW_HEIGHT = 38

ROLE_SCREEN = Qt.ItemDataRole.UserRole + 1
"""The :class:`ScreenId` of a navigation item."""


def _screen_titles() -> dict[ScreenId, str]:
    translate = QCoreApplication.translate
    return {
        ScreenId.TODAY: translate("MainWindow", "Today"),
        ScreenId.CUSTOMERS: translate("MainWindow", "Customers"),
        ScreenId.TASKS: translate("MainWindow", "Tasks"),
        ScreenId.VISITS: translate("MainWindow", "Visits"),
        ScreenId.OPPORTUNITIES: translate("MainWindow", "Opportunities"),
        ScreenId.CHARTS: translate("MainWindow", "Charts"),
        ScreenId.SYNC_ISSUES: translate("MainWindow", "Sync issues"),
    }


class MainWindow(QMainWindow):
    """The signed-in window.

    Signals:
        lock_requested(): The user chose "Lock" or the idle time ran out.
        sign_out_requested(): The user chose "Sign out".
        language_requested(str): The user chose a language (``""`` follows the system).
    """

    lock_requested = Signal()
    sign_out_requested = Signal()
    language_requested = Signal(str)

    def __init__(
        self,
        bench: Workbench,
        *,
        language: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bench = bench
        self._screens: dict[ScreenId, QWidget] = {}
        self._current: ScreenId = ScreenId.TODAY
        self._titles = _screen_titles()
        self.setObjectName("mainWindow")
        self.resize(1280, 820)
        self.setMinimumSize(960, 600)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_top_bar(language))
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.navigation = self._build_navigation()
        body.addWidget(self.navigation)
        self.stack = QStackedWidget(central)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self._customer_page: QWidget | None = None
        self._customer_view: QWidget | None = None
        self._back_to: ScreenId = ScreenId.TODAY

        self.setStatusBar(SyncStatusBar(bench, self))
        self.watermark = Watermark(central, bench.user.id, bench.device_id, bench.clock)

        bench.navigator.customer_requested.connect(self.open_customer)
        bench.navigator.screen_requested.connect(self.show_screen)
        bench.navigator.search_requested.connect(self._activate_search)
        bench.runner.failed.connect(self._show_failure)
        QShortcut(QKeySequence("Ctrl+K"), self, self._activate_search)
        QShortcut(QKeySequence("Ctrl+L"), self, self.log_visit)
        self.visit_form: QWidget | None = None
        self.idle = IdleWatch(bench.policy.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock_requested)
        self.show_screen(ScreenId.TODAY)

    # --- building ------------------------------------------------------------------------------

    def _build_top_bar(self, language: str) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("topBar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 8, 12, 8)
        brand = QLabel(self.tr("RM Desk"), bar)
        brand.setObjectName("brand")
        font = brand.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        brand.setFont(font)
        layout.addWidget(brand)
        layout.addSpacing(24)

        from rm_desk.views.search import SearchBox

        self.search_box = SearchBox(self.bench, bar)
        self.search_box.setAccessibleName(self.tr("Search customers"))
        self.search_box.setMinimumWidth(420)
        layout.addWidget(self.search_box, 1)
        layout.addStretch(0)

        user = self.bench.user
        self.user_button = QToolButton(bar)
        self.user_button.setText(user.name or user.id)
        self.user_button.setAccessibleName(self.tr("User menu"))
        self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.user_menu = self._build_user_menu(language)
        self.user_button.setMenu(self.user_menu)
        layout.addWidget(self.user_button)
        return bar

    def _build_user_menu(self, language: str) -> QMenu:
        menu = QMenu(self)
        user = self.bench.user
        role = self.tr("Team lead") if self.bench.is_team_lead else self.tr("Relationship manager")
        who = menu.addAction(self.tr("{user} · {role}").format(user=user.id, role=role))
        who.setEnabled(False)
        menu.addSeparator()
        languages = menu.addMenu(self.tr("Language"))
        self.language_menu = languages
        group = QActionGroup(languages)
        for code, label in (
            ("", self.tr("Follow the system")),
            ("zh", "中文（简体）"),  # each language named in itself, not translated
            ("en", "English"),
        ):
            action = QAction(label, languages, checkable=True)
            action.setChecked(code == language)
            action.setData(code)
            group.addAction(action)
            languages.addAction(action)
        group.triggered.connect(lambda action: self.language_requested.emit(action.data()))
        menu.addSeparator()
        lock = menu.addAction(self.tr("Lock"))
        lock.setShortcut(QKeySequence("Ctrl+Shift+L"))
        lock.triggered.connect(self.lock_requested)
        sign_out = menu.addAction(self.tr("Sign out"))
        sign_out.triggered.connect(self.sign_out_requested)
        self.addActions([lock])
        return menu

    def _build_navigation(self) -> QListWidget:
        navigation = QListWidget(self)
        navigation.setObjectName("navigation")
        navigation.setAccessibleName(self.tr("Navigation"))
        navigation.setFixedWidth(NAVIGATION_WIDTH)
        navigation.setUniformItemSizes(True)
        navigation.setFrameShape(QListWidget.Shape.NoFrame)
        for screen, title in self._titles.items():
            item = QListWidgetItem(title, navigation)
            item.setData(ROLE_SCREEN, screen)
            item.setToolTip(title)
            item.setSizeHint(QSize(NAVIGATION_WIDTH, NAVIGATION_ROW_HEIGHT))
        navigation.currentItemChanged.connect(self._on_navigation)
        # While the 360 view shows, the screen it came from stays the list's current item with
        # nothing selected (see open_customer): choosing that item again, by click or Enter,
        # changes no current item, so these take the user there.
        navigation.itemClicked.connect(self._on_navigation)
        navigation.itemActivated.connect(self._on_navigation)
        return navigation

    # --- showing things ------------------------------------------------------------------------

    def screen_ids(self) -> tuple[ScreenId, ...]:
        return tuple(SCREEN_CLASSES)

    def screen(self, screen: ScreenId) -> QWidget:
        """The screen's widget, built on first use."""
        widget = self._screens.get(screen)
        if widget is None:
            module_name, class_name = SCREEN_CLASSES[screen]
            factory: Callable[..., QWidget] = getattr(
                importlib.import_module(module_name), class_name
            )
            widget = factory(self.bench, self.stack)
            self._screens[screen] = widget
            self.stack.addWidget(widget)
        return widget

    def show_screen(self, screen: ScreenId) -> None:
        self._current = screen
        self.stack.setCurrentWidget(self.screen(screen))
        row = list(SCREEN_CLASSES).index(screen)
        item = self.navigation.item(row)
        if self.navigation.currentRow() != row or not item.isSelected():
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(row)
            item.setSelected(True)
            self.navigation.blockSignals(False)
        self.setWindowTitle(self.tr("{screen} — RM Desk").format(screen=self._titles[screen]))

    @property
    def customer_view(self) -> QWidget:
        """The customer 360 view (built on first use)."""
        if self._customer_view is None:
            from rm_desk.views.customer360.view import Customer360View

            page = QWidget(self.stack)
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            back = QPushButton(self.tr("← Back"), page)
            back.setAccessibleName(self.tr("Back"))
            back.setFlat(True)
            back.clicked.connect(self.go_back)
            row = QHBoxLayout()
            row.setContentsMargins(8, 4, 8, 0)
            row.addWidget(back)
            row.addStretch(1)
            layout.addLayout(row)
            view = Customer360View(self.bench, page)
            layout.addWidget(view, 1)
            self.stack.addWidget(page)
            self._customer_page, self._customer_view = page, view
        return self._customer_view

    def open_customer(self, customer_id: str, tab: str = "") -> bool:
        """Show the 360 view of a customer; False (and a message) when it is not in the cache."""
        view = self.customer_view
        if not view.show_customer(customer_id, tab):  # type: ignore[attr-defined]
            self.statusBar().showMessage(
                self.tr("This customer is not in your book on this computer."), 8000
            )
            return False
        if self.stack.currentWidget() is not self._customer_page:
            self._back_to = self._current
        self.stack.setCurrentWidget(self._customer_page)
        # No screen shown as chosen; the current item stays, so that the list taking the focus
        # (Tab) does not make its first row current, which would leave the 360 for Today.
        self.navigation.blockSignals(True)
        self.navigation.clearSelection()
        self.navigation.blockSignals(False)
        self.setWindowTitle(
            self.tr("{customer} — Customer 360 — RM Desk").format(
                customer=view.caption()  # type: ignore[attr-defined]
            )
        )
        return True

    def log_visit(self) -> QWidget | None:
        """Ctrl+L: the visit form, for the customer of the 360 view on show; elsewhere it starts
        by asking for the customer (the global search). The form stays open while it is up."""
        if self.visit_form is not None and self.visit_form.isVisible():
            self.visit_form.activateWindow()
            return self.visit_form
        on_customer = self._customer_page is not None and (
            self.stack.currentWidget() is self._customer_page
        )
        if on_customer:
            form = self.customer_view.open_visit_form()  # type: ignore[attr-defined]
        else:
            from rm_desk.views.visit_form import VisitForm

            form = VisitForm(self.bench, None, self)
            form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            form.open()
            if form.picker is not None:
                form.picker.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if form is not None:
            form.saved.connect(self._visit_saved)
            form.destroyed.connect(lambda _obj=None, gone=form: self._forget_visit_form(gone))
        self.visit_form = form
        return form

    def _forget_visit_form(self, gone: QWidget) -> None:
        if self.visit_form is gone:
            self.visit_form = None

    def _visit_saved(self, _visit_id: str, task_id: str) -> None:
        message = (
            self.tr("Visit and follow-up task saved; they are sent to the bank at the next sync.")
            if task_id
            else self.tr("Visit saved; it is sent to the bank at the next sync.")
        )
        self.statusBar().showMessage(message, 8000)

    def go_back(self) -> None:
        self.show_screen(self._back_to)

    def _on_navigation(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.show_screen(item.data(ROLE_SCREEN))

    def _activate_search(self) -> None:
        self.search_box.activate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc reaches the window only when no child used it (the search box closes its list
        # first, a dialog closes itself): then it leaves the 360 view for where it came from.
        on_customer = self._customer_page is not None
        if (
            event.key() == Qt.Key.Key_Escape
            and on_customer
            and (self.stack.currentWidget() is self._customer_page)
        ):
            self.go_back()
            event.accept()
            return
        super().keyPressEvent(event)

    def _show_failure(self, error: BaseException) -> None:
        from rm_desk.views.error_words import show_error

        show_error(self, error)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        super().closeEvent(event)


__all__ = ["SCREEN_CLASSES", "MainWindow"]
