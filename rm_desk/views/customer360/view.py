"""The customer 360 view: :class:`Customer360View`, the header over seven tabs.

The main window holds one and calls :meth:`Customer360View.show_customer`; the view reads the
customer with one short cache transaction (:func:`~rm_desk.views.customer360.data.read_customer`)
and fills the header and every tab from it. It re-reads when the cache changed while it is visible
(and on the next show otherwise), keeping the tab the user is on. It shows C2 data, so it paints
the watermark; its :meth:`caption` for window titles holds the masked name only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QStackedLayout, QTabWidget, QVBoxLayout, QWidget

from rm_desk.domain.masking import mask_name
from rm_desk.views.customer360.accounts import AccountsTab
from rm_desk.views.customer360.data import CustomerData, read_customer
from rm_desk.views.customer360.header import CustomerHeader
from rm_desk.views.customer360.household import HouseholdTab
from rm_desk.views.customer360.interactions import InteractionsTab
from rm_desk.views.customer360.opportunities import OpportunitiesTab
from rm_desk.views.customer360.overview import OverviewTab
from rm_desk.views.customer360.tab import CustomerTab
from rm_desk.views.customer360.tasks_tab import TasksTab
from rm_desk.views.customer360.transactions import TransactionsTab
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import Workbench

if TYPE_CHECKING:
    from rm_desk.views.visit_form import VisitForm

TAB_IDS = (
    "overview",
    "accounts",
    "transactions",
    "household",
    "interactions",
    "tasks",
    "opportunities",
)


class Customer360View(QWidget):
    """The 360 view of one customer at a time (module docstring)."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bench = bench
        self.setObjectName("customer_360")
        self._customer_id = ""
        self._data: CustomerData | None = None
        self._stale = False

        self.header = CustomerHeader(bench, self)
        self.header.alerts_clicked.connect(lambda: self.select_tab("overview"))
        self.header.log_visit_clicked.connect(self.open_visit_form)
        self.visit_form: VisitForm | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("customer_tabs")
        self.overview = OverviewTab(bench, self)
        self.accounts = AccountsTab(bench, self)
        self.transactions = TransactionsTab(bench, self)
        self.household = HouseholdTab(bench, self)
        self.interactions = InteractionsTab(bench, self)
        self.tasks = TasksTab(bench, self)
        self.opportunities = OpportunitiesTab(bench, self)
        self._tabs: dict[str, CustomerTab] = {}
        for tab in (
            self.overview,
            self.accounts,
            self.transactions,
            self.household,
            self.interactions,
            self.tasks,
            self.opportunities,
        ):
            self._tabs[tab.tab_id] = tab
            # A lone & in a tab title is a mnemonic marker; show it as the character it is.
            self.tabs.addTab(tab, tab.title().replace("&", "&&"))
            tab.tab_requested.connect(self.select_tab)
        assert tuple(self._tabs) == TAB_IDS

        self.empty = QLabel(self.tr("Choose a customer to see their 360 view."), self)
        self.empty.setObjectName("customer_360_empty")
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.header)
        content_layout.addWidget(self.tabs, 1)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.empty)
        self._stack.addWidget(content)
        self._content = content
        layout = QVBoxLayout(self)
        layout.addLayout(self._stack)

        self.watermark = Watermark(self, bench.user.id, bench.device_id, bench.clock)
        bench.bridge.data_changed.connect(self._on_data_changed)

    # --- the API the main window uses -----------------------------------------------------------

    @property
    def customer_id(self) -> str:
        return self._customer_id

    def tab_ids(self) -> tuple[str, ...]:
        return TAB_IDS

    def show_customer(self, customer_id: str, tab: str = "") -> bool:
        """Show a customer on a tab (``""``: Overview); False when it is not in the cache."""
        data = self._read(customer_id)
        if data is None:
            return False
        self._customer_id = customer_id
        self._show(data)
        self.select_tab(tab or "overview")
        return True

    def select_tab(self, tab_id: str) -> None:
        tab = self._tabs.get(tab_id)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)

    def current_tab(self) -> str:
        widget = self.tabs.currentWidget()
        return widget.tab_id if isinstance(widget, CustomerTab) else ""

    def tab(self, tab_id: str) -> CustomerTab:
        return self._tabs[tab_id]

    def caption(self) -> str:
        """A window-title-safe caption: the masked name only (``张*``)."""
        if self._data is None:
            return self.tr("Customer 360")
        return self.tr("{name} · Customer 360").format(name=mask_name(self._data.customer.name))

    def open_visit_form(self) -> VisitForm | None:
        """Open the visit form for the customer shown (Ctrl+L, "Log visit"); after a save the
        Interactions and Tasks tabs show the new visit and its follow-up at once."""
        if not self._customer_id or self._data is None:
            return None
        if self.visit_form is not None and self.visit_form.isVisible():
            self.visit_form.activateWindow()
            return self.visit_form
        from rm_desk.views.visit_form import VisitForm

        form = VisitForm(self.bench, self._customer_id, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(lambda _visit, _task: self.refresh())
        form.destroyed.connect(lambda _obj=None: self._forget_form(form))
        self.visit_form = form
        form.open()
        return form

    def _forget_form(self, form: object) -> None:
        if self.visit_form is form:
            self.visit_form = None

    def data(self) -> CustomerData | None:
        """What is shown (tests and the main window's actions)."""
        return self._data

    # --- reading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the customer shown, keeping the current tab."""
        if not self._customer_id:
            return
        data = self._read(self._customer_id)
        if data is None:
            # Moved out of the user's book by a sync (reassigned, purged).
            self._data = None
            self.empty.setText(self.tr("This customer is no longer in your book."))
            self._stack.setCurrentWidget(self.empty)
            return
        current = self.current_tab()
        self._show(data)
        self.select_tab(current)

    def _read(self, customer_id: str) -> CustomerData | None:
        with self.bench.store.read() as conn:
            return read_customer(conn, customer_id, self.bench.today())

    def _show(self, data: CustomerData) -> None:
        self._data = data
        self.header.show_data(data)
        for tab in self._tabs.values():
            tab.show_data(data)
        self._stack.setCurrentWidget(self._content)
        self.watermark.raise_()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()


__all__ = ["TAB_IDS", "Customer360View"]
